#!/usr/bin/env python3
"""Opens N anonymous chunked POST /api/media uploads, sends 1 MiB of each body and never
finishes them; prints the server's RSS before and with them open, and what each was answered.

    python3 server/bench/anonymous_uploads.py PORT N SERVER_PID
"""
import socket, sys, time

port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024


print(f"RSS before: {rss_mb():.0f} MB")
head = (b"POST /api/media HTTP/1.1\r\nHost: bench\r\nContent-Type: multipart/form-data; boundary=B\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n")
part = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n' + b"a" * (1 << 20)
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head)
    try:
        s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
    except OSError:
        pass  # refused and closed while we were still sending
    socks.append(s)
time.sleep(2)
print(f"RSS with {n} unfinished anonymous uploads: {rss_mb():.0f} MB")
answers = {}
for s in socks:
    s.settimeout(15)
    try:
        data = s.recv(64)
        answer = data.split()[1].decode() if data else "closed unanswered"
    except (OSError, IndexError):
        answer = "reset"
    answers[answer] = answers.get(answer, 0) + 1
print("answers:", answers)

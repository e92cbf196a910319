#!/usr/bin/env python3
"""Opens N connections that each send a request head promising a 10,000-byte body, then one
byte every 3 s; meanwhile probes GET /healthz and a logged-in POST /api/accounts/me on fresh
connections and counts the trickling connections the server still keeps open.

    python3 server/bench/trickling_bodies.py PORT N 'messenger_session=…'
"""
import http.client, socket, sys, time

port, n, cookie = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
head = (b"POST /api/accounts/login HTTP/1.1\r\nHost: bench\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nu")
opened = time.time()
open_socks, answers, first_words = [], {}, {}
for _ in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(head)
        s.setblocking(False)
        open_socks.append(s)
    except OSError:
        answers["connect failed"] = answers.get("connect failed", 0) + 1
print(f"{len(open_socks)} connections opened in {time.time() - opened:.1f} s")
start = time.time()


def probe(method, path, headers):
    t = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request(method, path, body=None if method == "GET" else "{}", headers=headers)
        r = c.getresponse()
        r.read()
        return f"{r.status} in {1000 * (time.time() - t):.0f} ms"
    except Exception as e:
        return f"failed after {1000 * (time.time() - t):.0f} ms ({type(e).__name__})"


def reap():
    """Drops connections the server has closed, counting what each was answered."""
    global open_socks
    still = []
    for s in open_socks:
        try:
            data = s.recv(4096)
            if data:
                first_words.setdefault(id(s), data.split()[1].decode() if len(data.split()) > 1 else "?")
                still.append(s)
                continue
        except BlockingIOError:
            still.append(s)
            continue
        except OSError:
            pass
        answer = first_words.get(id(s), "closed unanswered")
        answers[answer] = answers.get(answer, 0) + 1
    open_socks = still


last_byte = time.time()
for at in [1, 5, 10, 15, 20, 25]:
    while time.time() - start < at:
        time.sleep(0.1)
        if time.time() - last_byte > 3:
            last_byte = time.time()
            for s in open_socks:
                try:
                    s.send(b"u")
                except OSError:
                    pass
    reap()
    member = {"Content-Type": "application/json", "Cookie": cookie}
    print(f"t={at:>2} s: /healthz {probe('GET', '/healthz', {})}; member {probe('POST', '/api/accounts/me', member)}; "
          f"still open {len(open_socks)}")
print("how the closed ones ended:", answers)

//! One `server` process on a data directory, for the tests that kill and restart it (crash,
//! faults): spawned from the built binary on a free port, its log kept, its address read from
//! its start-up line, killed with SIGKILL when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

pub struct Server {
    pub addr: SocketAddr,
    pub child: Child,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub async fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .current_dir(dir)
            .env("DATA_DIR", dir)
            .env_remove("DATABASE_URL")
            .env_remove("NATS_URL")
            .env_remove("PUBLIC_ORIGIN")
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn server");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = mpsc::channel();
        for pipe in [
            child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child.stderr.take().map(|p| Box::new(p) as _),
        ]
        .into_iter()
        .flatten()
        {
            let (log, addr_tx) = (log.clone(), addr_tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(addr) = listening_addr(&line) {
                        let _ = addr_tx.send(addr);
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            if let Ok(addr) = addr_rx.try_recv() {
                break addr;
            }
            if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!("server did not start:\n{}", log.lock().expect("log").join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut server = Server { addr, child, log };
        // The listener is bound before migrations run: the first answer means it is serving.
        // The health check renders no page, so a slow debug build answers it at once too.
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if http.get(server.url("/healthz")).send().await.is_ok() {
                return server;
            }
            if server.child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                server.kill();
                tokio::time::sleep(Duration::from_millis(100)).await;
                panic!("server did not serve:\n{}", server.log.lock().expect("log").join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `kill -9`: no socket closed, no transaction finished.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The address in the server's "messenger listening addr=…" line.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    if !line.contains("messenger listening") {
        return None;
    }
    let rest = &line[line.find("addr=")? + 5..];
    rest.split_whitespace().next()?.parse().ok()
}

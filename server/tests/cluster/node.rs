//! Real server processes for the cluster tests: the `server` binary started with its
//! environment (its own port, data directory and log), a fresh PostgreSQL database they share,
//! and `kill -9`.

use sea_orm::{ConnectionTrait, Database};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often nodes announce their socket counts in these tests, and when a silent node's
/// users expire: short, so a killed node's users go offline within seconds.
pub const ANNOUNCE_MS: u64 = 200;
pub const EXPIRY_MS: u64 = 1200;

/// Where the shared services are: `TEST_DATABASE_URL` (a PostgreSQL server whose user may
/// create databases) and `TEST_NATS_URL`. When either is unset: a failure on CI (`CI` set),
/// where a test that cannot run must not count as passed; elsewhere `None`, with a note. (A
/// service that is named but does not answer fails the test everywhere: the database when it
/// is created, NATS when a node starts.)
pub fn services() -> Option<(String, String)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (var("TEST_DATABASE_URL"), var("TEST_NATS_URL")) {
        (Some(db), Some(nats)) => Some((db, nats)),
        (db, nats) => {
            let unset = [("TEST_DATABASE_URL", db.is_none()), ("TEST_NATS_URL", nats.is_none())]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect::<Vec<_>>()
                .join(" ");
            let on_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
            assert!(!on_ci, "CI is set, but the two-node tests' services are not: {unset} unset");
            eprintln!(
                "SKIPPED: the two-node tests need TEST_DATABASE_URL (PostgreSQL) and TEST_NATS_URL (NATS); \
                 unset here: {unset}. .ci/run sets both."
            );
            None
        }
    }
}

/// A database of this run's own on the PostgreSQL server, dropped at the end. Named like the
/// API suite's (`msg_t_<unix secs>_<hex>`), whose start-up sweep drops leftovers of killed runs.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let name = format!("msg_t_{now}_{:016x}", rand::random::<u64>());
        let db = Database::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
        db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
        let _ = db.close().await;
        Self { admin_url: admin_url.to_owned(), url: with_database(admin_url, &name), name }
    }
}

impl Drop for PgDatabase {
    /// From a thread of its own: `Drop` cannot await, and must not block the test's runtime.
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                if let Ok(db) = Database::connect(&admin).await {
                    let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = db.close().await;
                }
            });
        });
        let _ = thread.join();
    }
}

/// `url` with its database name replaced by `name`, query string kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = base[authority_start..].find('/').map_or(base, |i| &base[..authority_start + i]);
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// The environment every node of one test shares.
#[derive(Clone)]
pub struct Shared {
    pub database_url: String,
    pub nats_url: String,
    /// A subject of this test's own, so concurrent runs on one NATS server never meet.
    pub subject: String,
}

/// One `server` process.
pub struct Node {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Node {
    /// Starts a node on a free port and waits until it answers HTTP.
    pub async fn start(name: &'static str, shared: &Shared) -> Node {
        Self::start_with(name, shared, &[]).await.unwrap_or_else(|log| panic!("node {name} did not start:\n{log}"))
    }

    /// Starts a node with extra environment; `Err(log)` if it exits before answering.
    pub async fn start_with(name: &'static str, shared: &Shared, extra: &[(&str, &str)]) -> Result<Node, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .current_dir(dir.path())
            .env("DATABASE_URL", &shared.database_url)
            .env("DATA_DIR", dir.path())
            .env("NATS_URL", &shared.nats_url)
            .env("NATS_SUBJECT", &shared.subject)
            .env("CLUSTER_ANNOUNCE_MS", ANNOUNCE_MS.to_string())
            .env("CLUSTER_EXPIRY_MS", EXPIRY_MS.to_string())
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .env_remove("PUBLIC_ORIGIN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in extra {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn server");
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
                return Err(log.lock().expect("log").join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut node = Node { name, addr, child, log, _dir: dir };
        node.wait_until_serving().await?;
        Ok(node)
    }

    /// The listener is bound before migrations run and NATS is joined; the first answer means
    /// it is serving (the health check: no page render, so a slow debug build answers it too).
    /// `Err(log)` if it exits first.
    async fn wait_until_serving(&mut self) -> Result<(), String> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            if client.get(self.url("/healthz")).send().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        // Let the log readers take the last lines.
        tokio::time::sleep(Duration::from_millis(100)).await;
        Err(self.log())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// What the node printed so far (for failure messages).
    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// `kill -9`: no goodbye to the other nodes, no socket closed cleanly.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
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

#[test]
fn reads_the_address_from_the_start_up_line() {
    let line = "2026-01-01T00:00:00Z  INFO server: messenger listening addr=127.0.0.1:40123 database=postgres://…@x";
    assert_eq!(listening_addr(line), Some("127.0.0.1:40123".parse().expect("addr")));
    assert_eq!(listening_addr("INFO other addr=1.2.3.4:5"), None);
}

//! Typed configuration, read once from the environment (and `.env`), with defaults that run
//! locally with nothing installed.

use std::path::PathBuf;
use std::time::Duration;

/// Open connections (HTTP and WebSocket alike) one node serves at once; more are closed at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100_000;
/// How long a client may take to send a request's head (and how long an idle keep-alive
/// connection stays open): slow-loris clients are cut off after this.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://data/chat.db?mode=rwc` by default; a `postgres://` URL for scale-out.
    pub database_url: String,
    /// Where uploads and the default SQLite file live.
    pub data_dir: PathBuf,
    /// Origins allowed to call state-changing endpoints and open the socket, e.g.
    /// `https://chat.example.com`. Empty: the request's own `Host` is the only allowed origin.
    pub public_origins: Vec<String>,
    /// Mark the session cookie `Secure` (set this behind HTTPS).
    pub cookie_secure: bool,
    /// Seconds a session lives without use.
    pub session_idle_secs: i64,
    /// How often an open socket checks that its session still stands (`SESSION_RECHECK_SECS`,
    /// default 60): a session deleted or expired by other means than logout closes its sockets
    /// within this long.
    pub session_recheck: Duration,
    /// Connection cap (`MAX_CONNECTIONS`); connections beyond it are closed unanswered.
    pub max_connections: usize,
    /// Header-read timeout (`HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout: Duration,
    /// Bytes of uploads each user may keep (`MEDIA_QUOTA_MB`, default 1024).
    pub media_quota_bytes: u64,
    /// The NATS server(s) joining this node to others (`NATS_URL`, comma-separated); unset:
    /// one node with an in-process hub.
    pub nats_url: Option<String>,
    /// Subject and timings of the cluster (`NATS_SUBJECT`, `CLUSTER_ANNOUNCE_MS`,
    /// `CLUSTER_EXPIRY_MS`); unused without `NATS_URL`.
    pub cluster: crate::realtime::ClusterOptions,
}

impl Config {
    pub fn from_env() -> Self {
        let _ = dotenvy::dotenv();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("chat.db").display()));
        Self {
            database_url,
            data_dir,
            public_origins: var("PUBLIC_ORIGIN")
                .map(|v| v.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).collect())
                .unwrap_or_default(),
            cookie_secure: var("COOKIE_SECURE").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
            session_idle_secs: var("SESSION_IDLE_SECS").and_then(|v| v.parse().ok()).unwrap_or(30 * 24 * 3600),
            session_recheck: var("SESSION_RECHECK_SECS")
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map_or(crate::sessions::DEFAULT_RECHECK, Duration::from_secs),
            max_connections: var("MAX_CONNECTIONS")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
            header_read_timeout: var("HEADER_READ_TIMEOUT_SECS")
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map_or(DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs),
            media_quota_bytes: var("MEDIA_QUOTA_MB").and_then(|v| v.parse::<u64>().ok()).unwrap_or(1024) * 1024 * 1024,
            nats_url: var("NATS_URL"),
            cluster: crate::realtime::ClusterOptions::from_lookup(var),
        }
    }

    /// A configuration for tests: a fresh SQLite database in `dir`.
    pub fn for_tests(dir: &std::path::Path) -> Self {
        Self {
            database_url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            data_dir: dir.to_path_buf(),
            public_origins: Vec::new(),
            cookie_secure: false,
            session_idle_secs: 3600,
            session_recheck: crate::sessions::DEFAULT_RECHECK,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            media_quota_bytes: 20 * 1024 * 1024,
            nats_url: None,
            cluster: crate::realtime::ClusterOptions::default(),
        }
    }
}

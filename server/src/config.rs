//! Typed configuration, read once from the environment (and `.env`), with defaults that run
//! locally with nothing installed.

use crate::accounts::SignupThrottle;
use std::path::PathBuf;
use std::time::Duration;

/// How long a client may take to send a request's head (and how long an idle keep-alive
/// connection stays open): slow-loris clients are cut off after this.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections without a request in progress (unfinished heads, idle keep-alives) one source
/// address may hold; more are closed at once (`serve::admission`).
pub const DEFAULT_WAITING_PER_ADDRESS: usize = 32;
/// How long such a connection may wait while over half of the connection cap is waiting.
pub const DEFAULT_PRESSURE_BUDGET: Duration = Duration::from_secs(2);
/// Request bodies: the grace before the minimum rate applies, and the longest pause.
pub const DEFAULT_BODY_GRACE: Duration = Duration::from_secs(10);
/// Request bodies: the average rate required after the grace (2 KiB/s).
pub const DEFAULT_BODY_MIN_BYTES_PER_SEC: u64 = 2048;
/// Uploads one user may have in flight at once.
pub const DEFAULT_UPLOADS_PER_USER: usize = 3;
/// Uploads in flight at once on one node: each holds a temporary file and, while it is
/// checked, up to 4 MiB of memory.
pub const DEFAULT_UPLOADS_AT_ONCE: usize = 32;

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
    /// Connection cap (`MAX_CONNECTIONS`); connections beyond it are closed unanswered. By
    /// default, and at most, the open-file limit less a reserve (`serve::descriptors`).
    pub max_connections: usize,
    /// Slots of the cap kept for logged-in users and `/healthz` (`RESERVED_CONNECTIONS`);
    /// `None`: a tenth of the cap. See [`Config::reserved_connections`].
    pub reserved_connections: Option<usize>,
    /// Header-read timeout (`HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout: Duration,
    /// Connections without a request in progress per source address (`WAITING_PER_ADDRESS`).
    pub waiting_per_address: usize,
    /// The header-read budget while over half of the cap waits (`PRESSURE_HEAD_BUDGET_MS`).
    pub pressure_budget: Duration,
    /// How fast request bodies must arrive (`BODY_GRACE_SECS`, `BODY_MIN_BYTES_PER_SEC`).
    pub body: crate::serve::BodyPolicy,
    /// Uploads in flight per user and per node (`UPLOADS_PER_USER`, `UPLOADS_AT_ONCE`);
    /// more are refused with `rate_limited` before their body is read.
    pub uploads_per_user: usize,
    pub uploads_at_once: usize,
    /// Sign-ups per address (`SIGNUP_BURST` at once, then one every `SIGNUP_REFILL_SECS`).
    pub signups: crate::accounts::Budget,
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
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("chat.db").display()));
        Self {
            database_url,
            data_dir,
            public_origins: var("PUBLIC_ORIGIN")
                .map(|v| v.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).collect())
                .unwrap_or_default(),
            cookie_secure: var("COOKIE_SECURE").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
            session_idle_secs: var("SESSION_IDLE_SECS").and_then(|v| v.parse().ok()).unwrap_or(30 * 24 * 3600),
            session_recheck: positive_secs(var("SESSION_RECHECK_SECS")).unwrap_or(crate::sessions::DEFAULT_RECHECK),
            max_connections: max_connections(positive(var("MAX_CONNECTIONS"))),
            reserved_connections: var("RESERVED_CONNECTIONS").and_then(|v| v.parse().ok()),
            header_read_timeout: positive_secs(var("HEADER_READ_TIMEOUT_SECS")).unwrap_or(DEFAULT_HEADER_READ_TIMEOUT),
            waiting_per_address: positive(var("WAITING_PER_ADDRESS")).unwrap_or(DEFAULT_WAITING_PER_ADDRESS),
            pressure_budget: positive(var("PRESSURE_HEAD_BUDGET_MS"))
                .map(Duration::from_millis)
                .unwrap_or(DEFAULT_PRESSURE_BUDGET),
            body: crate::serve::BodyPolicy {
                grace: positive_secs(var("BODY_GRACE_SECS")).unwrap_or(DEFAULT_BODY_GRACE),
                min_bytes_per_sec: positive(var("BODY_MIN_BYTES_PER_SEC")).unwrap_or(DEFAULT_BODY_MIN_BYTES_PER_SEC),
            },
            uploads_per_user: positive(var("UPLOADS_PER_USER")).unwrap_or(DEFAULT_UPLOADS_PER_USER),
            uploads_at_once: positive(var("UPLOADS_AT_ONCE")).unwrap_or(DEFAULT_UPLOADS_AT_ONCE),
            signups: crate::accounts::Budget {
                burst: positive(var("SIGNUP_BURST")).unwrap_or(SignupThrottle::DEFAULT.burst),
                refill_every: positive_secs(var("SIGNUP_REFILL_SECS")).unwrap_or(SignupThrottle::DEFAULT.refill_every),
            },
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
            max_connections: max_connections(None),
            reserved_connections: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            waiting_per_address: DEFAULT_WAITING_PER_ADDRESS,
            pressure_budget: DEFAULT_PRESSURE_BUDGET,
            body: crate::serve::BodyPolicy {
                grace: DEFAULT_BODY_GRACE,
                min_bytes_per_sec: DEFAULT_BODY_MIN_BYTES_PER_SEC,
            },
            uploads_per_user: DEFAULT_UPLOADS_PER_USER,
            uploads_at_once: DEFAULT_UPLOADS_AT_ONCE,
            signups: SignupThrottle::DEFAULT,
            media_quota_bytes: 20 * 1024 * 1024,
            nats_url: None,
            cluster: crate::realtime::ClusterOptions::default(),
        }
    }

    /// The slots kept for logged-in users and `/healthz`: as configured, or a tenth of the
    /// cap; never more than the cap.
    pub fn reserved_connections(&self) -> usize {
        self.reserved_connections.unwrap_or(self.max_connections / 10).min(self.max_connections)
    }
}

/// The connection cap: `configured` if set, but never above what the open-file limit allows
/// (a cap above it would never apply), else that.
fn max_connections(configured: Option<usize>) -> usize {
    use crate::serve::descriptors;
    let allowed = descriptors::soft_limit().map(descriptors::connection_cap);
    match (configured, allowed) {
        (Some(n), Some(allowed)) if n > allowed => {
            tracing::warn!(
                configured = n,
                allowed,
                "MAX_CONNECTIONS is above the open-file limit allows; using the lower cap"
            );
            allowed
        }
        (Some(n), _) => n,
        (None, Some(allowed)) => allowed,
        (None, None) => descriptors::FALLBACK_CAP,
    }
}

fn positive<T: std::str::FromStr + Default + PartialOrd>(value: Option<String>) -> Option<T> {
    value.and_then(|v| v.parse().ok()).filter(|n| *n > T::default())
}

fn positive_secs(value: Option<String>) -> Option<Duration> {
    positive(value).map(Duration::from_secs)
}

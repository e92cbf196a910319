//! Typed configuration, read once from the environment (and `.env`), with defaults that run
//! locally with nothing installed.

use std::path::PathBuf;

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
        }
    }
}

//! The messenger's backend: an axum server that renders the Leptos app, answers its server
//! functions, and holds one WebSocket per browser tab.
//!
//! Modules are domain nouns (`accounts`, `sessions`, `realtime`); `http` only wires them up.
//! [`Application::build`] is used by `main` and by the integration tests alike, so the tests
//! run exactly the server people use.

#![recursion_limit = "256"]

pub mod accounts;
pub mod backend;
pub mod config;
pub mod conversations;
pub mod db;
pub mod deps;
pub mod error;
pub mod http;
pub mod media;
pub mod messages;
pub mod presence;
pub mod privacy;
pub mod realtime;
pub mod receipts;
pub mod serve;
pub mod sessions;
pub mod state;

use accounts::{Accounts, LoginThrottle, SignupThrottle};
use config::Config;
use leptos::config::LeptosOptions;
use realtime::Hub;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_sessions::session_store::ExpiredDeletion;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub state: AppState,
}

impl Application {
    /// Connects and migrates the database and assembles the router, serving on `listener`.
    pub async fn build(config: Config, leptos: LeptosOptions, listener: TcpListener) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        let accounts =
            Accounts::new(db.clone(), Arc::new(LoginThrottle::new()), Arc::new(SignupThrottle::new(config.signups)));
        let (hub, presence_elsewhere) = match &config.nats_url {
            Some(url) => {
                let cluster = realtime::join_cluster(url, &config.cluster).await?;
                (cluster.hub, Some(cluster.changes))
            }
            None => (Hub::default(), None),
        };
        let deps = deps::Deps {
            db: db.clone(),
            hub: hub.clone(),
            write_gate: deps::WriteGate::for_backend(db.get_database_backend()),
        };
        let conversations = conversations::Conversations::new(deps.clone());
        let media = media::Media::new(
            deps.clone(),
            media::Storage::new(&config.data_dir),
            config.media_quota_bytes,
            media::UploadSlots::new(config.uploads_per_user, config.uploads_at_once),
        );
        let services = Arc::new(backend::Services {
            accounts: accounts.clone(),
            messages: messages::Messages::new(deps.clone(), conversations.clone(), media.clone()),
            media,
            conversations,
            receipts: receipts::Receipts::new(deps.clone()),
            privacy: privacy::PrivacyService::new(deps.clone()),
            presence: presence::Presence::new(deps),
            sessions: sessions::Sessions::new(
                sessions::DbSessionStore::new(db.clone()),
                config.session_recheck,
                config.session_idle_secs,
            ),
        });
        if let Some(changes) = presence_elsewhere {
            services.presence.follow(changes);
        }
        let state = AppState {
            config: Arc::new(config),
            db,
            hub,
            accounts,
            services: services.clone(),
            backend: services,
            leptos,
        };
        spawn_housekeeping(state.clone());
        Ok(Self { listener, router: http::router(state.clone()), state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C/SIGTERM, with the connection cap, reserved slots, header-read
    /// timeout and body rate of the configuration (see [`serve`]).
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then stops accepting and lets open requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let config = &self.state.config;
        let limits = serve::Limits {
            max_connections: config.max_connections,
            reserved_connections: config.reserved_connections(),
            header_read_timeout: config.header_read_timeout,
            waiting_per_address: config.waiting_per_address,
            pressure_budget: config.pressure_budget,
            body: config.body,
        };
        serve::serve(self.listener, self.router, limits, shutdown).await
    }
}

/// Periodically drops expired sessions and idle throttle state.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let store = sessions::DbSessionStore::new(state.db.clone());
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
            state.accounts.forget_idle_throttles();
            match state.accounts.free_expired_usernames().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "freed the usernames of accounts deleted 30 days ago"),
                Err(e) => tracing::warn!(error = %e, "freeing deleted accounts' usernames failed"),
            }
            state.services.conversations.forget_idle_limits();
            // Uploads never sent within a day (a closed tab, a cancelled send).
            match state.services.media.sweep_unsent(24 * 3600 * 1000).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "swept unsent uploads"),
                Err(e) => tracing::warn!(error = %e, "sweeping unsent uploads failed"),
            }
            match state.services.media.sweep_incoming().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "removed temporary upload files left by a crash"),
                Err(e) => tracing::warn!(error = %e, "sweeping temporary upload files failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

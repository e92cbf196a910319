//! Starts the messenger: configuration from the environment, then serve until Ctrl-C/SIGTERM.

use server::{Application, config::Config};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    if let Some(command) = std::env::args().nth(1) {
        return operator_command(&command).await;
    }
    // Before the configuration: the default connection cap is derived from this limit.
    server::serve::descriptors::raise_to_hard_limit();
    let config = Config::from_env();
    let leptos = leptos::config::get_configuration(None)?.leptos_options;
    let listener = server::serve::listen(leptos.site_addr)?;
    tracing::info!(
        addr = %listener.local_addr()?,
        database = %redact(&config.database_url),
        max_connections = config.max_connections,
        reserved_connections = config.reserved_connections(),
        "messenger listening"
    );
    let app = Application::build(config, leptos, listener).await?;
    let hub = app.state.hub.clone();
    app.run().await?;
    // This node's sockets end with the process: tell the other nodes now, not after the expiry.
    hub.leave().await;
    Ok(())
}

/// `server reports [N]`: the newest N reports (default 50), one JSON object per line, for the
/// operator (the same database as the server, from `DATABASE_URL`).
async fn operator_command(command: &str) -> anyhow::Result<()> {
    match command {
        "reports" => {
            let limit = match std::env::args().nth(2) {
                Some(n) => n.parse().map_err(|_| anyhow::anyhow!("usage: server reports [how many, default 50]"))?,
                None => 50,
            };
            let db = server::db::connect(&Config::from_env().database_url).await?;
            for report in server::privacy::reports(&db, limit).await? {
                println!("{}", serde_json::to_string(&report)?);
            }
            Ok(())
        }
        other => anyhow::bail!("unknown command {other:?}; commands: reports [N] (or none to serve)"),
    }
}

/// The database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

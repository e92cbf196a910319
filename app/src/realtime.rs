//! The browser's one WebSocket to `/ws`: connects after hydration, keeps itself alive with
//! pings, and reconnects with capped exponential backoff and jitter. Components read its
//! [`ConnectionState`]; nothing else opens sockets.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not started yet (server render, or before hydration).
    Idle,
    Connecting,
    Online,
    /// Lost; the next attempt is in `retry_in_secs`.
    Offline { retry_in_secs: u32 },
}

impl ConnectionState {
    pub fn label(self) -> String {
        match self {
            Self::Idle | Self::Connecting => "Connecting…".to_owned(),
            Self::Online => "Online".to_owned(),
            Self::Offline { retry_in_secs } => format!("Offline, retrying in {retry_in_secs}s"),
        }
    }
}

/// The app-wide connection handle, provided once by [`provide_connection`].
#[derive(Clone, Copy)]
pub struct Connection {
    pub state: RwSignal<ConnectionState>,
    started: StoredValue<bool>,
}

pub fn provide_connection() {
    provide_context(Connection { state: RwSignal::new(ConnectionState::Idle), started: StoredValue::new(false) });
}

pub fn use_connection() -> Connection {
    expect_context::<Connection>()
}

impl Connection {
    /// Starts the socket loop once per page load. Call from an effect (browser only).
    pub fn start(self) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(client::run(self.state));
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::ConnectionState;
    use futures::{SinkExt, StreamExt};
    use gloo_net::websocket::{futures::WebSocket, Message};
    use gloo_timers::future::sleep;
    use leptos::prelude::*;
    use shared::frames::{ClientFrame, ServerFrame};
    use shared::limits::HEARTBEAT_SECS;
    use std::time::Duration;

    const MAX_BACKOFF_SECS: u32 = 30;

    fn socket_url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" { "wss:" } else { "ws:" };
        Some(format!("{scheme}//{}/ws", location.host().ok()?))
    }

    pub async fn run(state: RwSignal<ConnectionState>) {
        let mut failures: u32 = 0;
        loop {
            state.set(ConnectionState::Connecting);
            if let Some(url) = socket_url() {
                if let Ok(socket) = WebSocket::open(&url) {
                    if session(socket, state).await {
                        failures = 0;
                    }
                }
            }
            failures = failures.saturating_add(1);
            let backoff = backoff_secs(failures);
            for remaining in (1..=backoff).rev() {
                state.set(ConnectionState::Offline { retry_in_secs: remaining });
                sleep(Duration::from_secs(1)).await;
            }
        }
    }

    /// 1, 2, 4 … 30 seconds, with up to a second of jitter so a restarted server is not
    /// stampeded by every tab at once.
    fn backoff_secs(failures: u32) -> u32 {
        let base = 1u32.checked_shl(failures.saturating_sub(1).min(5)).unwrap_or(MAX_BACKOFF_SECS);
        let jitter = (js_sys::Math::random() * 2.0) as u32;
        base.min(MAX_BACKOFF_SECS) + jitter
    }

    /// Runs one connection until it drops. Returns whether it got as far as `hello`.
    async fn session(socket: WebSocket, state: RwSignal<ConnectionState>) -> bool {
        let (mut sink, mut stream) = socket.split();
        let mut greeted = false;
        let mut nonce = 0u64;
        // Ping on a fixed beat, however busy the socket is: the server times out silent clients.
        let mut next_ping = js_sys::Date::now() + (HEARTBEAT_SECS * 1000) as f64;
        loop {
            let wait_ms = (next_ping - js_sys::Date::now()).max(0.0) as u64;
            let heartbeat = sleep(Duration::from_millis(wait_ms));
            futures::pin_mut!(heartbeat);
            match futures::future::select(stream.next(), heartbeat).await {
                futures::future::Either::Left((Some(Ok(Message::Text(text))), _)) => {
                    match serde_json::from_str::<ServerFrame>(&text) {
                        Ok(ServerFrame::Hello { .. }) => {
                            greeted = true;
                            state.set(ConnectionState::Online);
                        }
                        Ok(ServerFrame::Pong { .. }) => {}
                        Ok(ServerFrame::Error { error }) => leptos::logging::warn!("server: {}", error.message),
                        Err(e) => leptos::logging::warn!("unreadable frame: {e}"),
                    }
                }
                futures::future::Either::Left((Some(Ok(Message::Bytes(_))), _)) => {}
                futures::future::Either::Left((Some(Err(_)) | None, _)) => return greeted,
                futures::future::Either::Right(_) => {
                    nonce += 1;
                    next_ping = js_sys::Date::now() + (HEARTBEAT_SECS * 1000) as f64;
                    let Ok(ping) = serde_json::to_string(&ClientFrame::Ping { nonce }) else { continue };
                    if sink.send(Message::Text(ping)).await.is_err() {
                        return greeted;
                    }
                }
            }
        }
    }
}

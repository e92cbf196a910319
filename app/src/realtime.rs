//! The browser's one WebSocket to `/ws`: connects after hydration, feeds every pushed frame
//! into the [`ChatStore`](crate::store::ChatStore), sends the outbox, pings on a fixed beat,
//! and reconnects with capped exponential backoff and jitter. After every (re)connect it
//! resends the outbox and resyncs the loaded threads, so nothing sent or received while
//! offline is lost. Components read [`ConnectionState`] and call [`Connection::send`].
//!
//! The socket belongs to one person. When the server says the session ended (close code
//! 4401: logout, expiry, another device's "log out") or greets the socket as someone other
//! than the page's user, the page is thrown away whole by a real navigation, so no store,
//! outbox or socket of the previous person survives in it. Losing the network (the browser's
//! `offline` event) drops the socket at once and waits for `online` instead of retrying.

use leptos::prelude::*;
use shared::frames::ClientFrame;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not started yet (server render, before hydration, or with JavaScript off): nothing is
    /// shown, since nothing is trying to connect.
    Idle,
    Connecting,
    Online,
    /// Lost; the next attempt is in `retry_in_secs`.
    Offline {
        retry_in_secs: u32,
    },
    /// The device has no network: no attempt until it comes back.
    NoNetwork,
}

/// The close code the server ends a socket with when its session is gone.
pub const CLOSE_SESSION_ENDED: u16 = 4401;

impl ConnectionState {
    pub fn label(self) -> String {
        match self {
            Self::Idle => String::new(),
            Self::Connecting => "Connecting…".to_owned(),
            Self::Online => "Online".to_owned(),
            Self::Offline { retry_in_secs } => format!("Offline, retrying in {retry_in_secs}s"),
            Self::NoNetwork => "You are offline. Waiting for the network…".to_owned(),
        }
    }

    pub fn is_online(self) -> bool {
        self == Self::Online
    }
}

/// The app-wide connection handle, provided once by [`provide_connection`].
#[derive(Clone, Copy)]
pub struct Connection {
    pub state: RwSignal<ConnectionState>,
    started: StoredValue<bool>,
    #[cfg(feature = "hydrate")]
    outgoing: StoredValue<Option<futures::channel::mpsc::UnboundedSender<ClientFrame>>, LocalStorage>,
}

pub fn provide_connection() {
    provide_context(Connection {
        state: RwSignal::new(ConnectionState::Idle),
        started: StoredValue::new(false),
        #[cfg(feature = "hydrate")]
        outgoing: StoredValue::new_local(None),
    });
}

pub fn use_connection() -> Connection {
    expect_context::<Connection>()
}

impl Connection {
    /// Starts the socket loop once per page load. Call from an effect (browser only).
    pub fn start(self, store: crate::store::ChatStore) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        #[cfg(feature = "hydrate")]
        {
            store.restore_outbox();
            leptos::task::spawn_local(client::run(self, store));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = store;
    }

    /// Sends a frame if the socket is up; returns false otherwise (the caller keeps it queued).
    pub fn send(&self, frame: ClientFrame) -> bool {
        #[cfg(feature = "hydrate")]
        {
            self.state.get_untracked() == ConnectionState::Online
                && self.outgoing.with_value(|tx| tx.as_ref().is_some_and(|tx| tx.unbounded_send(frame).is_ok()))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = frame;
            false
        }
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{Connection, ConnectionState};
    use crate::store::{ChatStore, FollowUp};
    use futures::{SinkExt, StreamExt};
    use gloo_net::websocket::{Message, WebSocketError, futures::WebSocket};
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

    /// How a connection ended.
    enum Ended {
        /// It dropped (or never opened); `greeted` says whether it got as far as `hello`.
        Lost { greeted: bool },
        /// The device went offline.
        NoNetwork,
        /// The session is over, or the socket belongs to someone else: leave the page.
        Identity,
    }

    /// The browser's `online`/`offline` events, as a stream of "is there a network".
    fn network_events() -> futures::channel::mpsc::UnboundedReceiver<bool> {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        for (event, online) in [("online", true), ("offline", false)] {
            let tx = tx.clone();
            // App-wide for the page's life: never removed.
            let _handle = window_event_listener_untyped(event, move |_| {
                let _ = tx.unbounded_send(online);
            });
        }
        rx
    }

    pub async fn run(connection: Connection, store: ChatStore) {
        let mut network = network_events();
        let mut failures: u32 = 0;
        loop {
            if !crate::browser::network_up() {
                went_offline(connection, store);
                wait_for_network(&mut network).await;
            }
            connection.state.set(ConnectionState::Connecting);
            let ended = match socket_url().map(|url| WebSocket::open(&url)) {
                Some(Ok(socket)) => session(socket, connection, store, &mut network).await,
                _ => Ended::Lost { greeted: false },
            };
            connection.outgoing.set_value(None);
            match ended {
                Ended::Identity => {
                    connection.state.set(ConnectionState::Connecting);
                    // A real navigation: the page, its store and this task end here.
                    crate::browser::leave_page("/login");
                    return;
                }
                Ended::NoNetwork => {
                    went_offline(connection, store);
                    wait_for_network(&mut network).await;
                    failures = 0;
                    continue;
                }
                Ended::Lost { greeted } => {
                    failures = if greeted { 1 } else { failures.saturating_add(1) };
                }
            }
            store.presence.update(|p| p.clear());
            let backoff = backoff_secs(failures);
            for remaining in (1..=backoff).rev() {
                connection.state.set(ConnectionState::Offline { retry_in_secs: remaining });
                let tick = sleep(Duration::from_secs(1));
                futures::pin_mut!(tick);
                // Coming back online retries at once.
                if let futures::future::Either::Right((Some(true), _)) =
                    futures::future::select(tick, network.next()).await
                {
                    break;
                }
            }
        }
    }

    /// Nothing shown about others is current while this device is offline.
    fn went_offline(connection: Connection, store: ChatStore) {
        connection.state.set(ConnectionState::NoNetwork);
        store.presence.update(|p| p.clear());
        store.typing.update(|t| t.clear());
    }

    async fn wait_for_network(network: &mut futures::channel::mpsc::UnboundedReceiver<bool>) {
        while !crate::browser::network_up() {
            // The events say when; a slow poll covers a browser that misses one.
            let poll = sleep(Duration::from_secs(5));
            futures::pin_mut!(poll);
            if let futures::future::Either::Right((None, _)) = futures::future::select(poll, network.next()).await {
                return;
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

    /// After `hello`: resend the outbox (only what this user wrote), refresh the list, and
    /// catch up every loaded thread.
    fn on_connected(connection: Connection, store: ChatStore, user: shared::UserId) {
        connection.state.set(ConnectionState::Online);
        for item in store.outbox.get_untracked().into_iter().filter(|i| i.error.is_none() && i.belongs_to(user)) {
            connection.send(item.frame());
        }
        store.list_version.update(|v| *v += 1);
        for (conversation, rev) in store.loaded_threads() {
            leptos::task::spawn_local(resync(store, conversation, rev));
        }
    }

    pub async fn resync(store: ChatStore, conversation: shared::ConversationId, mut rev: shared::Rev) {
        // Bounded: a thread that changed by more than 20 pages is simply reloaded on open.
        for _ in 0..20 {
            match crate::messages::sync(conversation, rev).await {
                Ok(page) => {
                    let more = page.has_more;
                    rev = page.rev;
                    store.apply_sync(page);
                    if !more {
                        break;
                    }
                }
                Err(e) => {
                    leptos::logging::warn!("resync failed: {e}");
                    break;
                }
            }
        }
    }

    /// The frame to send back after applying a push, if any; a gap starts a resync.
    fn answer(store: ChatStore, follow_up: FollowUp) -> Option<ClientFrame> {
        match follow_up {
            FollowUp::None => None,
            FollowUp::Acknowledge { conversation, seq, read: true } => {
                Some(ClientFrame::Read { conversation_id: conversation, seq })
            }
            FollowUp::Acknowledge { conversation, seq, read: false } => {
                Some(ClientFrame::Delivered { conversation_id: conversation, seq })
            }
            FollowUp::Resync(conversation) => {
                let rev = store.thread_rev(conversation);
                leptos::task::spawn_local(resync(store, conversation, rev));
                None
            }
            FollowUp::Refresh(conversation) => {
                leptos::task::spawn_local(async move {
                    match crate::conversations::get_conversation(conversation).await {
                        Ok(detail) => store.apply_detail(detail),
                        Err(e) => leptos::logging::warn!("refreshing chat {} failed: {e}", conversation.0),
                    }
                });
                None
            }
        }
    }

    /// Runs one connection until it drops, the network goes, or the session ends.
    async fn session(
        socket: WebSocket,
        connection: Connection,
        store: ChatStore,
        network: &mut futures::channel::mpsc::UnboundedReceiver<bool>,
    ) -> Ended {
        let (mut sink, mut stream) = socket.split();
        let (tx, mut rx) = futures::channel::mpsc::unbounded::<ClientFrame>();
        connection.outgoing.set_value(Some(tx));
        let mut greeted = false;
        let mut nonce = 0u64;
        // Ping on a fixed beat, however busy the socket is: the server times out silent clients.
        let mut next_ping = js_sys::Date::now() + (HEARTBEAT_SECS * 1000) as f64;
        // A socket that hears nothing (not even a pong) for this long is dead, whatever the
        // browser thinks.
        let silence_ms = (HEARTBEAT_SECS * 2500) as f64;
        let mut last_heard = js_sys::Date::now();
        loop {
            let now = js_sys::Date::now();
            if now - last_heard > silence_ms {
                return Ended::Lost { greeted };
            }
            let wait_ms = (next_ping - now).max(0.0) as u64;
            let heartbeat = sleep(Duration::from_millis(wait_ms));
            futures::pin_mut!(heartbeat);
            let outgoing = rx.next();
            futures::pin_mut!(outgoing);
            let incoming = stream.next();
            let offline = network.next();
            futures::pin_mut!(offline);
            let either = futures::future::select(
                futures::future::select(incoming, offline),
                futures::future::select(outgoing, heartbeat),
            )
            .await;
            let either = match either {
                futures::future::Either::Left((futures::future::Either::Right((online, _)), _)) => {
                    if online == Some(false) {
                        return Ended::NoNetwork;
                    }
                    continue;
                }
                futures::future::Either::Left((futures::future::Either::Left((incoming, _)), other)) => {
                    futures::future::Either::Left((incoming, other))
                }
                futures::future::Either::Right((outgoing_or_beat, _)) => {
                    futures::future::Either::Right((outgoing_or_beat, ()))
                }
            };
            if matches!(either, futures::future::Either::Left((Some(Ok(_)), _))) {
                last_heard = js_sys::Date::now();
            }
            let frame_to_send = match either {
                futures::future::Either::Left((Some(Ok(Message::Text(text))), _)) => {
                    match serde_json::from_str::<ServerFrame>(&text) {
                        Ok(ServerFrame::Hello { user_id, .. }) => {
                            if store.my_id() != Some(user_id) {
                                // The cookie now belongs to someone else (logged in elsewhere
                                // in this browser): nothing of this page may be sent as them.
                                return Ended::Identity;
                            }
                            greeted = true;
                            on_connected(connection, store, user_id);
                            None
                        }
                        Ok(frame) => {
                            let follow_up = store.apply(&frame, js_sys::Date::now());
                            match &frame {
                                ServerFrame::Message { message } => crate::notify::maybe_notify(&store, message),
                                ServerFrame::Typing { expires_in_ms, .. } => {
                                    // Typing indicators expire by themselves.
                                    let after = Duration::from_millis(expires_in_ms + 50);
                                    leptos::task::spawn_local(async move {
                                        sleep(after).await;
                                        store.prune_typing(js_sys::Date::now());
                                    });
                                }
                                _ => {}
                            }
                            answer(store, follow_up)
                        }
                        Err(e) => {
                            leptos::logging::warn!("unreadable frame: {e}");
                            None
                        }
                    }
                }
                futures::future::Either::Left((Some(Ok(Message::Bytes(_))), _)) => None,
                futures::future::Either::Left((Some(Err(WebSocketError::ConnectionClose(close))), _))
                    if close.code == super::CLOSE_SESSION_ENDED =>
                {
                    return Ended::Identity;
                }
                futures::future::Either::Left((Some(Err(_)) | None, _)) => return Ended::Lost { greeted },
                futures::future::Either::Right((futures::future::Either::Left((Some(frame), _)), _)) => Some(frame),
                futures::future::Either::Right((futures::future::Either::Left((None, _)), _)) => {
                    return Ended::Lost { greeted };
                }
                futures::future::Either::Right((futures::future::Either::Right(_), _)) => {
                    nonce += 1;
                    next_ping = js_sys::Date::now() + (HEARTBEAT_SECS * 1000) as f64;
                    Some(ClientFrame::Ping { nonce })
                }
            };
            if let Some(frame) = frame_to_send {
                let Ok(text) = serde_json::to_string(&frame) else { continue };
                if sink.send(Message::Text(text)).await.is_err() {
                    return Ended::Lost { greeted };
                }
            }
        }
    }
}

#[cfg(feature = "hydrate")]
pub use client::resync;

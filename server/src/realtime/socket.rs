//! The `/ws` endpoint: checks Origin and session before upgrading, then runs one reader and one
//! writer per socket, ending both when either ends.
//!
//! The loop is generic over any `Sink`/`Stream` of messages so tests can drive it without a
//! network. Limits: 64 KiB per frame (bigger closes with 1009), a per-connection frame rate
//! (excess frames get `rate_limited` errors, a sustained flood is closed with 1008), and an
//! idle timeout of three heartbeats.
//!
//! A socket lives no longer than the session it was opened with: it closes with 4401 when the
//! hub ends that session (logout, a new login, on any node) or when its periodic check finds
//! the session deleted, expired or someone else's, and it handles no frame read after that.

use super::hub::SOCKET_QUEUE;
use crate::backend::Services;
use crate::http::security::origin_allowed;
use crate::messages::Outgoing;
use crate::receipts::Mark;
use crate::sessions::{SessionKey, Sessions};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::{Sink, SinkExt, Stream, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use shared::frames::{ClientFrame, ServerFrame};
use shared::limits::{HEARTBEAT_SECS, MAX_FRAME_BYTES};
use shared::{ApiError, ErrorCode, UserId};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tower_sessions::Session;
use tower_sessions::session::Id;

/// Initial read buffer of a socket.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_BIG: u16 = 1009;
/// The session the socket was opened with is over; the client should not reconnect with it.
const CLOSE_SESSION_ENDED: u16 = 4401;
/// Frames a second a client may send, with a burst allowance.
const FRAMES_PER_SEC: u32 = 20;
const FRAME_BURST: u32 = 60;
/// Refused frames in a row after which the socket is closed.
const MAX_REFUSED: u32 = 100;
/// Sockets one account may have open, over every node.
pub const MAX_SOCKETS_PER_ACCOUNT: usize = 10;

pub async fn ws_handler(
    State(state): State<AppState>,
    session: Session,
    headers: http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config.public_origins) {
        return crate::error::Error::bad_origin("Cross-origin socket refused.").into_response();
    }
    // The id is known once the record loaded (`get`); a cookie naming no session has none.
    let owner = match (session.get::<UserId>(app::backend::USER_KEY).await, session.id()) {
        (Ok(Some(user)), Some(session)) => Owner { user, session },
        _ => return crate::error::Error::Api(ApiError::unauthorized()).into_response(),
    };
    // A cap per account (all nodes counted): idle sockets cost memory and descriptors, and
    // every extra socket would be another frame budget.
    if state.services.presence.hub().connections(owner.user) >= MAX_SOCKETS_PER_ACCOUNT {
        return crate::error::Error::rate_limited_because(format!(
            "At most {MAX_SOCKETS_PER_ACCOUNT} connections per account: close another tab or device."
        ))
        .into_response();
    }
    let services = state.services.clone();
    upgrade
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // tungstenite's defaults (128 KiB read, 128 KiB write) cost 134 KiB per idle socket;
        // chat frames are small, and the buffers grow on demand up to the frame limit.
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            serve_socket(sink, stream, owner, services).await;
        })
}

/// What a socket's reader checks before every frame: whether its session ended, and the
/// account's shared frame budget.
struct Guard {
    ended: CancellationToken,
    budget: Arc<super::hub::AccountBudget>,
}

/// Who a socket speaks for: the user, and the session it was opened with.
#[derive(Clone, Copy, Debug)]
pub struct Owner {
    pub user: UserId,
    pub session: Id,
}

/// Runs one authenticated socket until the client leaves, times out, misbehaves or its session
/// ends.
pub async fn serve_socket<W, R, E>(mut sink: W, stream: R, owner: Owner, services: Arc<Services>)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send,
{
    let user = owner.user;
    let (tx, rx) = mpsc::channel::<Arc<ServerFrame>>(SOCKET_QUEUE);
    let registration = services.presence.hub().register(user, SessionKey::of(&owner.session), tx.clone());
    let guard = Guard { ended: registration.ended(), budget: registration.budget.clone() };
    let hello = ServerFrame::Hello { user_id: user, heartbeat_secs: HEARTBEAT_SECS };
    if send(&mut sink, &hello).await.is_err() {
        return;
    }
    services.presence.connected(user, registration.first).await;
    run(sink, stream, rx, &tx, owner, &guard, &services).await;
    drop(registration);
    services.presence.disconnected(user).await;
}

async fn run<W, R, E>(
    mut sink: W,
    mut stream: R,
    mut rx: mpsc::Receiver<Arc<ServerFrame>>,
    tx: &mpsc::Sender<Arc<ServerFrame>>,
    owner: Owner,
    guard: &Guard,
    services: &Services,
) where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send,
{
    // The reader tells the writer how to end: with a close frame, or just by stopping.
    let (close_tx, mut close_rx) = oneshot::channel::<Option<Message>>();
    let writer = async move {
        let mut session_over = std::pin::pin!(session_over(owner, &guard.ended, &services.sessions));
        let closing = loop {
            tokio::select! {
                biased;
                closing = &mut close_rx => break closing.ok().flatten(),
                () = &mut session_over => break Some(session_ended()),
                frame = rx.recv() => match frame {
                    Some(frame) if send(&mut sink, &frame).await.is_ok() => {}
                    _ => return,
                },
            }
        };
        if let Some(close) = closing {
            // What the reader queued before it decided to close (the answers, and the error
            // that says why) goes out first, then the close frame.
            while let Ok(frame) = rx.try_recv() {
                if send(&mut sink, &frame).await.is_err() {
                    return;
                }
            }
            let _ = sink.send(close).await;
        }
        let _ = sink.close().await;
    };
    let mut writer = std::pin::pin!(writer);
    tokio::select! {
        () = &mut writer => {}
        closing = read_loop(&mut stream, tx, owner.user, guard, services) => {
            let client_left = closing.is_none();
            let _ = close_tx.send(closing);
            // The closing handshake: until the client answers our close, read and drop what it
            // still sends. Dropping the connection with frames unread would reset it, and the
            // client would lose our last frames and the close with them.
            let drain = async {
                while !client_left && let Some(Ok(message)) = stream.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), futures::future::join(writer, drain)).await;
        }
    }
}

/// Completes when the socket's session is over: its token was cancelled (the hub ended the
/// session), or a check found the session deleted, expired or someone else's, in which case
/// it cancels the token, so the reader handles no further frame either. The first check runs
/// at once: it catches a logout that raced this socket's upgrade.
async fn session_over(owner: Owner, ended: &CancellationToken, sessions: &Sessions) {
    let checks = async {
        let mut tick = tokio::time::interval(sessions.recheck_every());
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sessions.belongs_to(&owner.session, owner.user).await {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup must not log everyone out; the next check decides.
                Err(e) => tracing::warn!(error = %e, "socket: session check failed"),
            }
        }
    };
    tokio::select! {
        () = ended.cancelled() => {}
        () = checks => ended.cancel(),
    }
}

/// Reads frames until the client leaves or must be closed; returns the close frame to send.
async fn read_loop<R, E>(
    stream: &mut R,
    tx: &mpsc::Sender<Arc<ServerFrame>>,
    user: UserId,
    guard: &Guard,
    services: &Services,
) -> Option<Message>
where
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: std::fmt::Display,
{
    let limiter = frame_limiter();
    let mut refused = 0u32;
    let idle = Duration::from_secs(HEARTBEAT_SECS * 3);
    loop {
        let message = match tokio::time::timeout(idle, stream.next()).await {
            Err(_) => return Some(close(CLOSE_POLICY, "idle timeout")),
            Ok(None) => return None,
            Ok(Some(Err(e))) => {
                let text = e.to_string();
                // tungstenite reports an oversized message as a capacity error.
                return (text.contains("too long") || text.contains("Space limit") || text.contains("apacity"))
                    .then(|| close(CLOSE_TOO_BIG, "frame too large"));
            }
            Ok(Some(Ok(message))) => message,
        };
        // Checked before every frame, so nothing read after the session ended is acted on.
        if guard.ended.is_cancelled() {
            return Some(session_ended());
        }
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return None,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Binary(_) => {
                let _ = tx.try_send(error_frame(ErrorCode::InvalidInput, "Frames are JSON text."));
                continue;
            }
        };
        if text.len() > MAX_FRAME_BYTES {
            return Some(close(CLOSE_TOO_BIG, "frame too large"));
        }
        // This socket's own rate, then the account's over all its sockets on this node.
        if limiter.check().is_err() || guard.budget.check().is_err() {
            refused += 1;
            if refused >= MAX_REFUSED {
                // Said as a frame too, so a client that only reads frames learns why.
                let _ = tx.try_send(error_frame(ErrorCode::RateLimited, "Too many frames: this socket is closed."));
                return Some(close(CLOSE_POLICY, "too many frames"));
            }
            let _ = tx.try_send(error_frame(ErrorCode::RateLimited, "Slow down: too many frames."));
            continue;
        }
        refused = 0;
        let reply = match serde_json::from_str::<ClientFrame>(&text) {
            Ok(frame) => handle(frame, user, services).await,
            Err(e) => Some(error_frame(ErrorCode::InvalidInput, format!("Unreadable frame: {e}"))),
        };
        if let Some(reply) = reply
            && tx.send(reply).await.is_err()
        {
            return None;
        }
    }
}

/// Runs one frame through the same services the server functions use; returns the reply for
/// this socket, if any (pushes to others go through the hub).
async fn handle(frame: ClientFrame, user: UserId, services: &Services) -> Option<Arc<ServerFrame>> {
    let result = match frame {
        ClientFrame::Ping { nonce } => return Some(Arc::new(ServerFrame::Pong { nonce })),
        ClientFrame::Send { conversation_id, client_msg_id, body, reply_to, attachment } => {
            let outgoing = Outgoing { client_msg_id: client_msg_id.clone(), body, reply_to, attachment };
            match services.messages.send(user, conversation_id, outgoing).await {
                Ok(sent) => return Some(Arc::new(ServerFrame::Ack { client_msg_id, message: sent.message })),
                Err(e) => {
                    let error = ApiError::from(e);
                    return Some(Arc::new(ServerFrame::Error { error, client_msg_id: Some(client_msg_id) }));
                }
            }
        }
        ClientFrame::Typing { conversation_id } => services.presence.typing(user, conversation_id).await,
        ClientFrame::Delivered { conversation_id, seq } => {
            services.receipts.mark(user, conversation_id, seq, Mark::Delivered).await.map(drop)
        }
        ClientFrame::Read { conversation_id, seq } => {
            services.receipts.mark(user, conversation_id, seq, Mark::Read).await.map(drop)
        }
    };
    result.err().map(|e| Arc::new(ServerFrame::error(ApiError::from(e))))
}

fn frame_limiter() -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(FRAMES_PER_SEC).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(FRAME_BURST).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
}

fn error_frame(code: ErrorCode, message: impl Into<String>) -> Arc<ServerFrame> {
    Arc::new(ServerFrame::error(ApiError::new(code, message)))
}

fn session_ended() -> Message {
    close(CLOSE_SESSION_ENDED, "session ended")
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

async fn send<W: Sink<Message> + Unpin>(sink: &mut W, frame: &ServerFrame) -> Result<(), ()> {
    let text = serde_json::to_string(frame).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}

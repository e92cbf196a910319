//! The accept loop: hyper-util's HTTP/1.1 + HTTP/2 connection builder with the limits plain
//! `axum::serve` does not set, and graceful shutdown.
//!
//! - **Connection cap**: one semaphore permit per TCP connection, held by the connection's IO
//!   object itself, so an upgraded WebSocket keeps its permit until it closes. Over the cap a
//!   connection is closed at once, unanswered. The default cap comes from the process's
//!   open-file limit ([`descriptors`]), so it is reached before `accept` fails with `EMFILE`.
//! - **Reserved slots**: the cap is two semaphores. Connections take a *general* slot while
//!   there is one, and a *reserved* slot after that; each request on a reserved slot carries
//!   [`Slot::Reserved`], and the router answers it `503` at once, without reading its body,
//!   unless it has a valid session (or is the health check). So anonymous clients can fill
//!   the general slots, but a logged-in user's request and `/healthz` still get through. Two
//!   semaphores rather than one with a threshold: a slot's kind is fixed when it is taken, so
//!   a connection never changes class under a request, and freeing either kind is one drop.
//! - **Eviction** ([`admission`]): a connection that finds the cap reached closes the oldest
//!   connection that has no request in progress (an unfinished request head, an idle
//!   keep-alive) and takes its slot; while more than half of the cap is waiting, waiting is
//!   cut short and a newcomer from an address that holds its fair share of the waiting
//!   connections is closed at once. So
//!   head-trickling clients cannot lock newcomers out: a real client sends its head at once.
//! - **Header-read timeout**: a client has this long to send a request head; an idle
//!   keep-alive connection is closed after the same time. hyper times the HTTP/1 head, but not
//!   the first bytes it reads to tell HTTP/1 from HTTP/2, so this loop reads those itself under
//!   the same deadline and hands them back to hyper in front of the stream.
//! - **Body rate**: every request body is read under a minimum rate ([`body`]); a body that
//!   falls behind is cut off, answered `408` and its connection closed. An upgraded WebSocket
//!   is no longer a request body, so it is exempt once upgraded.
//!
//! Nothing here knows about routes: it serves whatever `Router` it is given, with
//! `ConnectInfo<SocketAddr>` and WebSocket upgrades (`serve_connection_with_upgrades`).

pub mod admission;
pub mod body;
pub mod descriptors;

pub use body::BodyPolicy;

use admission::Admission;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::Service;

/// What one node accepts; from [`crate::config::Config`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// All connections, reserved slots included.
    pub max_connections: usize,
    /// How many of them are kept for logged-in users and the health check (at most all).
    pub reserved_connections: usize,
    pub header_read_timeout: Duration,
    /// Connections without a request in progress one source address may hold.
    pub waiting_per_address: usize,
    /// How long such a connection may wait while over half of the cap is waiting.
    pub pressure_budget: Duration,
    pub body: BodyPolicy,
}

/// How long a newcomer waits for the slot of the connection it evicted to be given back.
const EVICTION_WAIT: Duration = Duration::from_millis(250);

/// Which kind of slot the connection a request came on holds; a request extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Taken while the anonymous share had room: any request is served.
    General,
    /// Beyond the anonymous share: only requests with a session (and `/healthz`) are served.
    Reserved,
}

/// The two semaphores of the cap.
struct Slots {
    general: Arc<Semaphore>,
    reserved: Arc<Semaphore>,
}

impl Slots {
    fn new(limits: &Limits) -> Self {
        let reserved = limits.reserved_connections.min(limits.max_connections);
        Self {
            general: Arc::new(Semaphore::new(limits.max_connections - reserved)),
            reserved: Arc::new(Semaphore::new(reserved)),
        }
    }

    fn semaphore(&self, slot: Slot) -> Arc<Semaphore> {
        match slot {
            Slot::General => self.general.clone(),
            Slot::Reserved => self.reserved.clone(),
        }
    }

    /// A free slot of kind `slot`, if there is one.
    fn take_now(&self, slot: Slot) -> Option<(OwnedSemaphorePermit, Slot)> {
        self.semaphore(slot).try_acquire_owned().ok().map(|permit| (permit, slot))
    }

    /// A slot of kind `slot` given back within `wait` (the accept loop is the only taker, so
    /// the one an evicted connection gives back is ours).
    async fn take_within(&self, slot: Slot, wait: Duration) -> Option<(OwnedSemaphorePermit, Slot)> {
        let permit = tokio::time::timeout(wait, self.semaphore(slot).acquire_owned()).await.ok()?.ok()?;
        Some((permit, slot))
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting, lets open
/// HTTP connections finish their requests, and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let slots = Slots::new(&limits);
    let admission = Admission::new(admission::Policy {
        max_connections: limits.max_connections,
        waiting_per_address: limits.waiting_per_address,
        pressure_budget: limits.pressure_budget,
    });
    let builder = Arc::new(builder(limits.header_read_timeout));
    // Shutdown is signalled by dropping `signal_rx`; each connection task holds a `close_rx`,
    // so `close_tx.closed()` resolves once the last one is done.
    let (signal_tx, signal_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(signal_rx);
    });
    let (close_tx, close_rx) = watch::channel(());
    let (mut refusals, mut turned_away) = (Refusals::default(), Refusals::default());

    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = signal_tx.closed() => break,
        };
        if admission.turn_away(remote.ip()) {
            turned_away.refused("a flood from one address under pressure; closing its new connections");
            drop(stream);
            continue;
        }
        let taken = match slots.take_now(Slot::General) {
            Some(taken) => Some(taken),
            // A general slot held by a connection that is only waiting goes to the newcomer
            // before any reserved slot does: on a reserved one it could not be served anonymously.
            None if admission.evict_oldest(Slot::General) => slots.take_within(Slot::General, EVICTION_WAIT).await,
            None => match slots.take_now(Slot::Reserved) {
                Some(taken) => Some(taken),
                None if admission.evict_oldest(Slot::Reserved) => {
                    slots.take_within(Slot::Reserved, EVICTION_WAIT).await
                }
                None => None,
            },
        };
        let Some((permit, slot)) = taken else {
            refusals.refused("connection cap reached and every connection busy; closing new ones");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let ticket = Arc::new(admission.admit(remote.ip(), slot));
        let service = match make_service.call(remote).await {
            Ok(service) => TowerToHyperService::new(body::Guarded::new(service, limits.body, slot, ticket.clone())),
            Err(never) => match never {},
        };
        let (builder, signal_tx, close_rx) = (builder.clone(), signal_tx.clone(), close_rx.clone());
        let timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let io = tokio::select! {
                io = Conn::start(stream, permit, timeout) => io,
                () = ticket.evicted() => None,
            };
            let Some(io) = io else { return };
            let mut conn = pin!(builder.serve_connection_with_upgrades(TokioIo::new(io), service));
            let mut shutdown = pin!(signal_tx.closed());
            let mut draining = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(%remote, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    () = &mut shutdown, if !draining => {
                        draining = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    () = ticket.evicted() => break,
                }
            }
            drop(close_rx);
        });
    }

    drop(close_rx);
    drop(listener);
    close_tx.closed().await;
    Ok(())
}

/// Binds `addr` with a deep accept queue, so a burst of new connections waits in the kernel
/// for the accept loop instead of having its SYNs dropped (tokio's `bind` asks for 1,024; the
/// kernel caps either at `net.core.somaxconn`).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

fn builder(header_read_timeout: Duration) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout).keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        // WebSockets over HTTP/2 (RFC 8441), as axum::serve enables.
        .enable_connect_protocol()
        .keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(10));
    builder
}

/// Out of file descriptors and the like: wait a moment instead of spinning on `accept`.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed; pausing for a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Logs one kind of refusal at most once every ten seconds, with how many there were.
#[derive(Default)]
struct Refusals {
    since_log: u64,
    last_log: Option<Instant>,
}

impl Refusals {
    fn refused(&mut self, what: &'static str) {
        self.since_log += 1;
        if self.last_log.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
            tracing::warn!(refused = self.since_log, "{what}");
            self.since_log = 0;
            self.last_log = Some(Instant::now());
        }
    }
}

const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// A TCP connection holding its slot under the cap, with the bytes already read to find its
/// protocol waiting in front of the stream.
struct Conn {
    stream: TcpStream,
    head: [u8; 24],
    head_len: usize,
    head_pos: usize,
    _permit: OwnedSemaphorePermit,
}

impl Conn {
    /// Reads until the protocol is known — the first byte that differs from the HTTP/2
    /// preface, or the whole preface — within `timeout`; `None` if the client is too slow or
    /// leaves first.
    async fn start(mut stream: TcpStream, permit: OwnedSemaphorePermit, timeout: Duration) -> Option<Self> {
        let mut head = [0u8; 24];
        let mut len = 0;
        let read = async {
            loop {
                let n = stream.read(&mut head[len..]).await?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                len += n;
                if len == H2_PREFACE.len() || head[..len] != H2_PREFACE[..len] {
                    return Ok::<(), io::Error>(());
                }
            }
        };
        let outcome = tokio::time::timeout(timeout, read).await;
        match outcome {
            Ok(Ok(())) => Some(Self { stream, head, head_len: len, head_pos: 0, _permit: permit }),
            _ => None,
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.head_pos < this.head_len {
            let n = buf.remaining().min(this.head_len - this.head_pos);
            buf.put_slice(&this.head[this.head_pos..this.head_pos + n]);
            this.head_pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

//! Request bodies under a minimum rate, so a client cannot hold a connection (and a file
//! descriptor) by trickling a body a byte at a time.
//!
//! The rule, from the moment the handler first asks for the body: after a grace period the
//! body must have arrived at [`BodyPolicy::min_bytes_per_sec`] on average, and it may never
//! pause for longer than the grace period. Why a rate and not a whole-body deadline: bodies
//! range from a 100-byte JSON call to a 4 MiB upload, and one deadline either lets the small
//! ones trickle for as long as the big ones need or cuts a big upload on a slow link. With
//! the defaults (10 s grace, 2 KiB/s) a 64 KiB API body has at most 42 s, a 4 MiB upload 35
//! minutes, and a client sending a byte every few seconds is cut after 10 s. Keeping many
//! connections alive at the minimum rate costs an attacker real bandwidth (20,000 of them
//! are 40 MB/s).
//!
//! A body that falls behind ends in an error for whoever reads it, and the handler's answer
//! is replaced by `408 Request Timeout` with `Connection: close`; hyper then closes the
//! connection, since the body was not read to its end. A handler that never reads its body is
//! not timed at all: hyper closes that connection after the answer instead of draining it.
//! Upgraded connections (WebSockets) are no request body, so they are never timed here.

use super::Slot;
use super::admission::{InFlight, Ticket};
use axum::body::{Body, Bytes, HttpBody};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, Request, StatusCode, Version, header};
use http_body::{Frame, SizeHint};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};
use tower::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How fast a request body must arrive; from [`crate::config::Config`].
#[derive(Clone, Copy, Debug)]
pub struct BodyPolicy {
    /// Time before the rate applies, and the longest pause allowed at any point.
    pub grace: Duration,
    /// Average rate required after the grace period (at least 1).
    pub min_bytes_per_sec: u64,
}

impl BodyPolicy {
    /// When a body that started at `started`, has delivered `received` bytes and last
    /// delivered some at `last_progress`, falls behind.
    pub fn deadline(&self, started: Instant, received: u64, last_progress: Instant) -> Instant {
        let rate = self.min_bytes_per_sec.max(1);
        let earned = Duration::from_millis(received.saturating_mul(1000) / rate);
        (started + self.grace + earned).min(last_progress + self.grace)
    }
}

/// The body of one request, timed by `policy`.
pub struct TimedBody<B> {
    inner: B,
    policy: BodyPolicy,
    /// Set at the first poll: time spent before the handler reads is not the client's.
    started: Option<Instant>,
    last_progress: Instant,
    received: u64,
    /// Created the first time the body is waited for; most small bodies never need it.
    timer: Option<Pin<Box<Sleep>>>,
    expired: Arc<AtomicBool>,
}

impl<B> TimedBody<B> {
    pub fn new(inner: B, policy: BodyPolicy) -> (Self, Arc<AtomicBool>) {
        let expired = Arc::new(AtomicBool::new(false));
        let body = Self {
            inner,
            policy,
            started: None,
            last_progress: Instant::now(),
            received: 0,
            timer: None,
            expired: expired.clone(),
        };
        (body, expired)
    }
}

/// The error a reader of a body that fell behind sees.
#[derive(Debug, thiserror::Error)]
#[error("the request body arrived more slowly than the minimum rate")]
pub struct TooSlow;

impl<B> HttpBody for TimedBody<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.expired.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(TooSlow.into())));
        }
        let now = Instant::now();
        let started = *this.started.get_or_insert_with(|| {
            this.last_progress = now;
            now
        });
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    this.last_progress = now;
                }
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        let deadline = this.policy.deadline(started, this.received, this.last_progress);
        let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        if now >= deadline || timer.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(TooSlow.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The router's service for one connection, with every request body timed, the
/// connection's [`Slot`] attached to every request, and the connection marked busy
/// ([`Ticket::request_started`]) from its request head to the end of its answer.
#[derive(Clone)]
pub struct Guarded<S> {
    inner: S,
    policy: BodyPolicy,
    slot: Slot,
    ticket: Arc<Ticket>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, policy: BodyPolicy, slot: Slot, ticket: Arc<Ticket>) -> Self {
        Self { inner, policy, slot, ticket }
    }
}

impl<S, B> Service<Request<B>> for Guarded<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Unpin + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut in_flight = self.ticket.request_started();
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(self.slot);
        let (version, connect) = (parts.version, parts.method == Method::CONNECT);
        let (body, expired) = TimedBody::new(body, self.policy);
        let answer = self.inner.call(Request::from_parts(parts, Body::new(body)));
        Box::pin(async move {
            let response = answer.await?;
            if expired.load(Ordering::Relaxed) {
                tracing::debug!("request body too slow; answered 408");
                return Ok(too_slow(version));
            }
            // A WebSocket: 101 on HTTP/1, a successful CONNECT on HTTP/2 (RFC 8441).
            let status = response.status();
            if status == StatusCode::SWITCHING_PROTOCOLS || (connect && status.is_success()) {
                in_flight.upgraded();
            }
            Ok(response.map(|body| Body::new(Answer { inner: body, _in_flight: in_flight })))
        })
    }
}

/// An answer's body, keeping its connection busy until it has been sent (or dropped).
struct Answer {
    inner: Body,
    _in_flight: InFlight,
}

impl HttpBody for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Plain text: this comes from the connection, not from an endpoint.
fn too_slow(version: Version) -> Response {
    let mut response = (StatusCode::REQUEST_TIMEOUT, "The request body arrived too slowly.\n").into_response();
    close_after(&mut response, version);
    response
}

/// Asks hyper to close an HTTP/1 connection after `response` (HTTP/2 has no such header; a
/// stream ends by itself).
pub fn close_after(response: &mut Response, version: Version) {
    if version < Version::HTTP_2 {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt as _;

    const POLICY: BodyPolicy = BodyPolicy { grace: Duration::from_secs(10), min_bytes_per_sec: 1000 };

    #[test]
    fn the_rate_applies_after_the_grace_and_pauses_never_exceed_it() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        // Nothing yet: the grace alone.
        assert_eq!(POLICY.deadline(t0, 0, t0), t0 + s(10));
        // 5,000 bytes earn 5 s beyond the grace, as long as they keep coming.
        assert_eq!(POLICY.deadline(t0, 5_000, t0 + s(9)), t0 + s(15));
        // All of it early, then silence: cut one grace after the last byte.
        assert_eq!(POLICY.deadline(t0, 60_000, t0 + s(1)), t0 + s(11));
    }

    /// A body that yields `chunks`, one every `every`, then ends.
    fn trickle(chunks: usize, every: Duration) -> Body {
        let stream = futures::stream::iter(0..chunks).then(move |_| async move {
            tokio::time::sleep(every).await;
            Ok::<_, Infallible>(Bytes::from_static(b"x"))
        });
        Body::from_stream(stream)
    }

    #[tokio::test]
    async fn a_trickling_body_is_cut_and_a_steady_one_is_not() {
        let ms = Duration::from_millis;
        let policy = BodyPolicy { grace: ms(300), min_bytes_per_sec: 1 };
        let (slow, expired) = TimedBody::new(trickle(100, ms(2000)), policy);
        let started = Instant::now();
        assert!(axum::body::to_bytes(Body::new(slow), usize::MAX).await.is_err());
        assert!(expired.load(Ordering::Relaxed));
        let took = started.elapsed();
        assert!(took >= ms(300) && took < ms(1500), "cut when the first pause passed the grace: {took:?}");

        let (steady, expired) = TimedBody::new(trickle(6, ms(50)), policy);
        let bytes = axum::body::to_bytes(Body::new(steady), usize::MAX).await.expect("the whole body");
        assert_eq!((bytes.len(), expired.load(Ordering::Relaxed)), (6, false));
    }
}

//! The queue in front of argon2: a fixed number of hashes run at once (one per core), log-ins
//! go before sign-ups, and the wait is bounded, so a flood of sign-ups can neither starve
//! log-ins nor pile up memory and latency without end.
//!
//! Argon2 is CPU-bound and each hash holds 19 MiB, so running more than one per core only adds
//! latency (a burst of 200 sign-ups measured 2.1 GB RSS without a cap). Beyond the cap callers
//! wait in two FIFO queues; a freed slot goes to the oldest waiting log-in, else to the oldest
//! waiting sign-up. A caller that would wait behind too many others is refused at once with
//! `rate_limited`: sign-ups beyond [`HashQueue::SIGNUP_WAITING`], log-ins beyond
//! [`HashQueue::LOGIN_WAITING`], so sign-ups can never fill the room log-ins need.

use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Who is asking for a hash: decides the queue and its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A log-in's verification (also a password check before a password change).
    Login,
    /// A new account's hash.
    Signup,
}

#[derive(Clone)]
pub struct HashQueue {
    inner: Arc<Inner>,
}

struct Inner {
    slots: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: usize,
    logins: VecDeque<oneshot::Sender<Slot>>,
    signups: VecDeque<oneshot::Sender<Slot>>,
}

/// The right to run one hash; the slot passes to the next waiter when this is dropped.
pub struct Slot {
    inner: Arc<Inner>,
    /// False once handed over (or for a slot that never reached its waiter).
    held: bool,
}

impl HashQueue {
    /// Waiting sign-ups beyond which another is refused.
    pub const SIGNUP_WAITING: usize = 16;
    /// Waiting log-ins beyond which another is refused (about 2 s of hashing on 2 cores).
    pub const LOGIN_WAITING: usize = 64;

    /// One slot per core.
    pub fn per_core() -> Self {
        Self::with_slots(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    }

    pub fn with_slots(slots: usize) -> Self {
        Self { inner: Arc::new(Inner { slots: slots.max(1), state: Mutex::new(State::default()) }) }
    }

    /// Waits for a slot, in `purpose`'s queue; `rate_limited` at once if that queue is full.
    pub async fn slot(&self, purpose: Purpose) -> Result<Slot> {
        let waiting = {
            let mut state = self.inner.lock();
            if state.running < self.inner.slots {
                state.running += 1;
                return Ok(Slot { inner: self.inner.clone(), held: true });
            }
            let (queue, bound) = match purpose {
                Purpose::Login => (&mut state.logins, Self::LOGIN_WAITING),
                Purpose::Signup => (&mut state.signups, Self::SIGNUP_WAITING),
            };
            // Waiters that gave up still sit in the queue until a slot reaches them.
            queue.retain(|waiter| !waiter.is_closed());
            if queue.len() >= bound {
                return Err(Error::rate_limited_because("The server is busy. Try again in a moment."));
            }
            let (tx, rx) = oneshot::channel();
            queue.push_back(tx);
            rx
        };
        // A dropped future drops the receiver; a slot already sent to it is then dropped with
        // the channel and passes on (see `Drop for Slot`).
        waiting.await.map_err(|_| Error::Internal("hash queue closed".into()))
    }

    /// Callers waiting for a slot (for tests and metrics).
    pub fn waiting(&self) -> usize {
        let state = self.inner.lock();
        state.logins.iter().chain(&state.signups).filter(|w| !w.is_closed()).count()
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let mut state = self.inner.lock();
        while let Some(next) = state.logins.pop_front().or_else(|| state.signups.pop_front()) {
            match next.send(Slot { inner: self.inner.clone(), held: true }) {
                Ok(()) => return,
                // That waiter gave up: the slot comes back unheld, try the next one.
                Err(mut unsent) => unsent.held = false,
            }
        }
        state.running -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_freed_slot_goes_to_a_login_before_older_signups() {
        let queue = HashQueue::with_slots(1);
        let first = queue.slot(Purpose::Signup).await.expect("free slot");
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, purpose) in [("signup-1", Purpose::Signup), ("signup-2", Purpose::Signup), ("login", Purpose::Login)]
        {
            let (waiter, order) = (queue.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _slot = waiter.slot(purpose).await.expect("slot");
                order.lock().expect("order").push(name);
            }));
            // Queue them in this order.
            while queue.waiting() < tasks.len() {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        for task in tasks {
            task.await.expect("task");
        }
        assert_eq!(*order.lock().expect("order"), ["login", "signup-1", "signup-2"]);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_signups_cannot_take_the_logins_room() {
        let queue = HashQueue::with_slots(1);
        let _running = queue.slot(Purpose::Login).await.expect("free slot");
        let mut waiters = Vec::new();
        for _ in 0..HashQueue::SIGNUP_WAITING {
            let queue = queue.clone();
            waiters.push(tokio::spawn(async move { queue.slot(Purpose::Signup).await.map(drop) }));
        }
        while queue.waiting() < HashQueue::SIGNUP_WAITING {
            tokio::task::yield_now().await;
        }
        let refused = queue.slot(Purpose::Signup).await.err().expect("the sign-up queue is full");
        assert!(matches!(refused, Error::Api(e) if e.code == shared::ErrorCode::RateLimited));
        // A log-in still gets in line.
        let login = {
            let queue = queue.clone();
            tokio::spawn(async move { queue.slot(Purpose::Login).await.map(drop) })
        };
        while queue.waiting() < HashQueue::SIGNUP_WAITING + 1 {
            tokio::task::yield_now().await;
        }
        for waiter in waiters {
            waiter.abort();
        }
        drop(_running);
        tokio::time::timeout(Duration::from_secs(5), login).await.expect("login served").expect("task").expect("slot");
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_leak_its_slot() {
        let queue = HashQueue::with_slots(1);
        let running = queue.slot(Purpose::Login).await.expect("free slot");
        let gave_up = tokio::time::timeout(Duration::from_millis(10), queue.slot(Purpose::Login)).await;
        assert!(gave_up.is_err(), "it had to wait");
        drop(running);
        let again = tokio::time::timeout(Duration::from_secs(5), queue.slot(Purpose::Login)).await;
        assert!(again.expect("the slot came back").is_ok());
    }
}

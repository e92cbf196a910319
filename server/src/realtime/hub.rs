//! Fan-out to sockets: each open socket registers a bounded sender under its user id, and a
//! token that ends it under the session it was opened with.
//!
//! On one node that is all there is. With a cluster (`NATS_URL`), the hub also hands every push
//! to the cluster link (which publishes it for the other nodes) and keeps the other nodes'
//! socket counts beside its own, under the same lock, so "first socket anywhere" and "no socket
//! anywhere" are decided on one consistent view. `send_to` never waits: a push that cannot be
//! queued is dropped, and the client catches up by seq/rev.
//!
//! `end_session` ends a session's sockets here and, through the cluster link, everywhere else:
//! the hub only cancels their tokens; each socket loop sends its close frame and unregisters.

use super::cluster::{Crossing, Link, RemoteCounts};
use crate::sessions::SessionKey;
use shared::UserId;
use shared::frames::ServerFrame;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub type FrameSender = mpsc::Sender<Arc<ServerFrame>>;

/// Frames a slow socket may have queued before it is dropped as unresponsive.
pub const SOCKET_QUEUE: usize = 256;

#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// A hub that does not keep the node's tasks alive (see `cluster`).
#[derive(Clone)]
pub(super) struct WeakHub(Weak<Inner>);

#[derive(Default)]
struct Inner {
    next_id: AtomicU64,
    state: Mutex<State>,
    /// Set when this node is one of several.
    cluster: Option<Link>,
}

#[derive(Default)]
struct State {
    /// This node's sockets; a user with none has no entry.
    sockets: HashMap<UserId, HashMap<u64, FrameSender>>,
    /// The same sockets by the session they were opened with, to end them with it.
    sessions: HashMap<SessionKey, HashMap<u64, CancellationToken>>,
    /// The other nodes' socket counts; always empty on a single node.
    remote: RemoteCounts,
    /// One frame budget per user with a socket here, shared by all their sockets on this node:
    /// opening more tabs does not buy more frames. Gone with the user's last socket.
    budgets: HashMap<UserId, Arc<AccountBudget>>,
}

/// Frames a second one account may send over all its sockets on a node, with a burst.
const ACCOUNT_FRAMES_PER_SEC: u32 = 40;
const ACCOUNT_FRAME_BURST: u32 = 120;

/// The frame rate an account may use across its sockets.
pub type AccountBudget = governor::DefaultDirectRateLimiter;

fn account_budget() -> AccountBudget {
    let rate = std::num::NonZeroU32::new(ACCOUNT_FRAMES_PER_SEC).unwrap_or(std::num::NonZeroU32::MIN);
    let burst = std::num::NonZeroU32::new(ACCOUNT_FRAME_BURST).unwrap_or(std::num::NonZeroU32::MIN);
    governor::RateLimiter::direct(governor::Quota::per_second(rate).allow_burst(burst))
}

/// A user went online or offline as far as this node can tell, because of sockets on other
/// nodes (the local ones are reported by the socket loop itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceChange {
    pub user: UserId,
    pub online: bool,
    /// The sockets went away with a node that left or went silent: no node recorded when the
    /// user was last seen, so whoever hears of it does.
    pub vanished: bool,
}

impl PresenceChange {
    pub(super) fn vanished(self) -> Self {
        Self { vanished: true, ..self }
    }
}

/// Unregisters its socket when dropped, so no path out of the socket loop forgets to.
pub struct Registration {
    hub: Hub,
    user: UserId,
    session: SessionKey,
    id: u64,
    ended: CancellationToken,
    /// The account's frame budget on this node, shared with its other sockets.
    pub budget: Arc<AccountBudget>,
    /// This socket made the user go from offline to online (no other socket, here or on
    /// another node).
    pub first: bool,
}

impl Hub {
    pub(super) fn clustered(link: Link) -> Self {
        Self { inner: Arc::new(Inner { cluster: Some(link), ..Inner::default() }) }
    }

    pub(super) fn downgrade(&self) -> WeakHub {
        WeakHub(Arc::downgrade(&self.inner))
    }

    pub(super) fn link(&self) -> Option<&Link> {
        self.inner.cluster.as_ref()
    }

    /// Adds a socket of `user` opened with `session`; `first` says whether it is the user's
    /// only one (decided under the lock, so two tabs opening at once cannot both miss being
    /// first).
    pub fn register(&self, user: UserId, session: SessionKey, sender: FrameSender) -> Registration {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let ended = CancellationToken::new();
        let mut state = self.state();
        state.sessions.entry(session).or_default().insert(id, ended.clone());
        let user_sockets = state.sockets.entry(user).or_default();
        user_sockets.insert(id, sender);
        let local = user_sockets.len();
        let first = local == 1 && state.remote.total(user) == 0;
        if let Some(link) = &self.inner.cluster {
            // Under the lock, so the other nodes see this user's counts in order.
            link.count(user, local);
        }
        let budget = state.budgets.entry(user).or_insert_with(|| Arc::new(account_budget())).clone();
        drop(state);
        Registration { hub: self.clone(), user, session, id, ended, budget, first }
    }

    /// Ends every socket opened with `session`, on this node and on the others (call it once
    /// the session is gone from the store, so a socket reopened in between is refused).
    pub async fn end_session(&self, session: SessionKey) {
        self.end_local(&session);
        if let Some(link) = &self.inner.cluster {
            link.end_session(session).await;
        }
    }

    /// Ends this node's sockets of `session`; they unregister as their loops stop.
    pub(super) fn end_local(&self, session: &SessionKey) {
        let tokens: Vec<CancellationToken> =
            self.state().sessions.get(session).into_iter().flat_map(HashMap::values).cloned().collect();
        for token in tokens {
            token.cancel();
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many sockets `user` has open, on this node and (as last announced) on the others.
    pub fn connections(&self, user: UserId) -> usize {
        let state = self.state();
        state.sockets.get(&user).map_or(0, HashMap::len) + state.remote.total(user) as usize
    }

    /// Pushes `frame` to every socket of every user in `users`, on every node. A socket whose
    /// queue is full is skipped; it will notice the gap by `seq` and fetch what it missed.
    pub fn send_to(&self, users: &[UserId], frame: ServerFrame) {
        let frame = Arc::new(frame);
        self.deliver_local(users, &frame);
        if let Some(link) = &self.inner.cluster {
            link.frame(users, &frame);
        }
    }

    /// Pushes `frame` to this node's sockets of `users` only.
    pub(super) fn deliver_local(&self, users: &[UserId], frame: &Arc<ServerFrame>) {
        let state = self.state();
        for user in users {
            for sender in state.sockets.get(user).into_iter().flat_map(HashMap::values) {
                let _ = sender.try_send(frame.clone());
            }
        }
    }

    /// Pushes a presence frame about `user` to this node's sockets of `recipients`, if `user`
    /// is still `online` (or still offline). Every node tells its own sockets, so presence is
    /// never published; checking under the lock means an announcement that lost a race with
    /// a newer change is dropped instead of overtaking it.
    pub fn announce_presence(&self, user: UserId, online: bool, recipients: &[UserId], frame: ServerFrame) -> bool {
        let frame = Arc::new(frame);
        let state = self.state();
        let now_online = state.sockets.contains_key(&user) || state.remote.total(user) > 0;
        if now_online != online {
            return false;
        }
        for recipient in recipients {
            for sender in state.sockets.get(recipient).into_iter().flat_map(HashMap::values) {
                let _ = sender.try_send(frame.clone());
            }
        }
        true
    }

    /// Sockets `user` has open on this node.
    pub fn local_connections(&self, user: UserId) -> usize {
        self.state().sockets.get(&user).map_or(0, HashMap::len)
    }

    /// Tells the other nodes this one is going (graceful shutdown), so its users go offline
    /// there now rather than after the expiry. Nothing to do on a single node.
    pub async fn leave(&self) {
        if let Some(link) = &self.inner.cluster {
            link.leave().await;
        }
    }

    /// Whether any socket at all is open on this node.
    pub fn has_local_sockets(&self) -> bool {
        !self.state().sockets.is_empty()
    }

    /// Changes the other nodes' counts; returns the users whose presence that changed (those
    /// with no socket here, whose remote count crossed zero).
    pub(super) fn update_remote(&self, change: impl FnOnce(&mut RemoteCounts) -> Vec<Crossing>) -> Vec<PresenceChange> {
        let mut state = self.state();
        let crossings = change(&mut state.remote);
        crossings
            .into_iter()
            .filter(|c| !state.sockets.contains_key(&c.user))
            .map(|c| PresenceChange { user: c.user, online: c.online, vanished: false })
            .collect()
    }

    /// Hands this node's socket counts to the cluster link, under the lock so no delta queued
    /// later can be overtaken by this older picture.
    pub(super) fn announce_counts(&self) {
        let Some(link) = &self.inner.cluster else { return };
        let state = self.state();
        link.snapshot(state.sockets.iter().map(|(user, sockets)| (*user, sockets.len())));
    }
}

impl WeakHub {
    pub(super) fn upgrade(&self) -> Option<Hub> {
        self.0.upgrade().map(|inner| Hub { inner })
    }
}

impl Registration {
    /// Cancelled when the socket's session ends; the socket loop then closes with 4401.
    pub fn ended(&self) -> CancellationToken {
        self.ended.clone()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut state = self.hub.state();
        if let Some(session_sockets) = state.sessions.get_mut(&self.session) {
            session_sockets.remove(&self.id);
            if session_sockets.is_empty() {
                state.sessions.remove(&self.session);
            }
        }
        let Some(user_sockets) = state.sockets.get_mut(&self.user) else { return };
        user_sockets.remove(&self.id);
        let local = user_sockets.len();
        if local == 0 {
            state.sockets.remove(&self.user);
            state.budgets.remove(&self.user);
        }
        if let Some(link) = &self.hub.inner.cluster {
            link.count(self.user, local);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::session::Id;

    #[test]
    fn ending_a_session_ends_its_sockets_only() {
        let hub = Hub::default();
        let (tx, _rx) = mpsc::channel(1);
        let (one, other) = (SessionKey::of(&Id(1)), SessionKey::of(&Id(2)));
        let first_tab = hub.register(UserId(7), one, tx.clone());
        let second_tab = hub.register(UserId(7), one, tx.clone());
        let elsewhere = hub.register(UserId(7), other, tx);
        hub.end_local(&one);
        assert!(first_tab.ended().is_cancelled() && second_tab.ended().is_cancelled());
        assert!(!elsewhere.ended().is_cancelled(), "the same user's other session is untouched");
        drop((first_tab, second_tab));
        assert_eq!(hub.local_connections(UserId(7)), 1);
        assert!(!hub.state().sessions.contains_key(&one), "an ended session leaves nothing behind");
    }
}

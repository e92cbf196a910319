//! In-process fan-out: each open socket registers an unbounded sender under its user id.

use shared::frames::ServerFrame;
use shared::UserId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;

pub type FrameSender = mpsc::Sender<Arc<ServerFrame>>;

/// Frames a slow socket may have queued before it is dropped as unresponsive.
pub const SOCKET_QUEUE: usize = 256;

#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: AtomicU64,
    sockets: Mutex<HashMap<UserId, HashMap<u64, FrameSender>>>,
}

/// Unregisters its socket when dropped, so no path out of the socket loop forgets to.
pub struct Registration {
    hub: Hub,
    user: UserId,
    id: u64,
    /// This socket made the user go from offline to online.
    pub first: bool,
}

impl Hub {
    /// Adds a socket; `first` says whether it is the user's only one (decided under the lock,
    /// so two tabs opening at once cannot both miss being first).
    pub fn register(&self, user: UserId, sender: FrameSender) -> Registration {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut sockets = self.sockets();
        let user_sockets = sockets.entry(user).or_default();
        user_sockets.insert(id, sender);
        let first = user_sockets.len() == 1;
        drop(sockets);
        Registration { hub: self.clone(), user, id, first }
    }

    fn sockets(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, HashMap<u64, FrameSender>>> {
        self.inner.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many sockets `user` has open (presence: online while at least one).
    pub fn connections(&self, user: UserId) -> usize {
        self.sockets().get(&user).map_or(0, HashMap::len)
    }

    /// Pushes `frame` to every socket of every user in `users`. A socket whose queue is full
    /// is skipped; it will notice the gap by `seq` and fetch what it missed.
    pub fn send_to(&self, users: &[UserId], frame: ServerFrame) {
        let frame = Arc::new(frame);
        let sockets = self.sockets();
        for user in users {
            for sender in sockets.get(user).into_iter().flat_map(HashMap::values) {
                let _ = sender.try_send(frame.clone());
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut sockets = self.hub.sockets();
        if let Some(user_sockets) = sockets.get_mut(&self.user) {
            user_sockets.remove(&self.id);
            if user_sockets.is_empty() {
                sockets.remove(&self.user);
            }
        }
    }
}

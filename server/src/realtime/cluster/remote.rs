//! What this node knows about the other nodes' sockets: per node and user, how many sockets are
//! open there and when that was last confirmed. Pure bookkeeping (no I/O, no clock of its own),
//! kept inside the hub's lock so "is this the user's first socket anywhere" is decided with
//! the local sockets in the same critical section.
//!
//! Every entry expires unless a delta or a snapshot confirms it in time: a node that stops
//! announcing (killed, cut off) loses its users after the expiry, and a lost "0" delta heals
//! the same way.

use super::NodeId;
use shared::UserId;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct RemoteCounts {
    /// When each node was last heard from at all.
    heard: HashMap<NodeId, Instant>,
    nodes: HashMap<NodeId, HashMap<UserId, Confirmed>>,
    /// Sum over `nodes` per user; users with 0 are absent.
    totals: HashMap<UserId, u32>,
}

struct Confirmed {
    sockets: u32,
    at: Instant,
}

/// A user's remote socket count went from zero to some (`online`) or from some to zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crossing {
    pub user: UserId,
    pub online: bool,
}

impl RemoteCounts {
    /// Sockets `user` has open on other nodes.
    pub fn total(&self, user: UserId) -> u32 {
        if self.totals.is_empty() {
            return 0;
        }
        self.totals.get(&user).copied().unwrap_or(0)
    }

    /// Notes that `node` spoke at `now`; true if it was unknown (new, or back after expiring).
    pub fn hear(&mut self, node: NodeId, now: Instant) -> bool {
        self.heard.insert(node, now).is_none()
    }

    /// Records that `node` has `sockets` open for `user`, confirmed at `now`.
    pub fn set(&mut self, node: NodeId, user: UserId, sockets: u32, now: Instant) -> Option<Crossing> {
        let users = self.nodes.entry(node).or_default();
        let before = match users.entry(user) {
            Entry::Occupied(mut entry) if sockets > 0 => {
                let confirmed = entry.get_mut();
                confirmed.at = now;
                std::mem::replace(&mut confirmed.sockets, sockets)
            }
            Entry::Occupied(entry) => entry.remove().sockets,
            Entry::Vacant(entry) => {
                if sockets > 0 {
                    entry.insert(Confirmed { sockets, at: now });
                }
                0
            }
        };
        self.adjust(user, before, sockets)
    }

    /// Forgets everything about `node` (it left, or went silent).
    pub fn forget(&mut self, node: NodeId) -> Vec<Crossing> {
        self.heard.remove(&node);
        let Some(users) = self.nodes.remove(&node) else { return Vec::new() };
        users.into_iter().filter_map(|(user, c)| self.adjust(user, c.sockets, 0)).collect()
    }

    /// Drops every entry not confirmed within `ttl` before `now`.
    pub fn expire(&mut self, now: Instant, ttl: Duration) -> Vec<Crossing> {
        self.heard.retain(|_, at| now.saturating_duration_since(*at) < ttl);
        let mut stale = Vec::new();
        self.nodes.retain(|node, users| {
            users.retain(|user, c| {
                let fresh = now.saturating_duration_since(c.at) < ttl;
                if !fresh {
                    stale.push((*node, *user, c.sockets));
                }
                fresh
            });
            !users.is_empty()
        });
        stale.into_iter().filter_map(|(_, user, sockets)| self.adjust(user, sockets, 0)).collect()
    }

    /// Moves `user`'s total by `after - before` and reports a crossing of zero.
    fn adjust(&mut self, user: UserId, before: u32, after: u32) -> Option<Crossing> {
        if before == after {
            return None;
        }
        let total = self.totals.entry(user).or_insert(0);
        let old = *total;
        *total = (old + after).saturating_sub(before);
        let new = *total;
        if new == 0 {
            self.totals.remove(&user);
        }
        match (old, new) {
            (0, n) if n > 0 => Some(Crossing { user, online: true }),
            (o, 0) if o > 0 => Some(Crossing { user, online: false }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: NodeId = NodeId(1);
    const B: NodeId = NodeId(2);
    const ALICE: UserId = UserId(7);

    fn online(user: UserId) -> Option<Crossing> {
        Some(Crossing { user, online: true })
    }

    fn offline(user: UserId) -> Option<Crossing> {
        Some(Crossing { user, online: false })
    }

    #[test]
    fn only_the_first_socket_anywhere_and_the_last_one_cross_zero() {
        let mut counts = RemoteCounts::default();
        let now = Instant::now();
        assert_eq!(counts.set(A, ALICE, 1, now), online(ALICE));
        assert_eq!(counts.set(B, ALICE, 2, now), None);
        assert_eq!(counts.set(A, ALICE, 0, now), None);
        assert_eq!(counts.total(ALICE), 2);
        assert_eq!(counts.set(B, ALICE, 0, now), offline(ALICE));
        assert_eq!(counts.total(ALICE), 0);
        assert_eq!(counts.set(B, ALICE, 0, now), None, "a repeated zero changes nothing");
    }

    #[test]
    fn a_silent_node_expires_and_a_confirmed_one_does_not() {
        let mut counts = RemoteCounts::default();
        let start = Instant::now();
        let ttl = Duration::from_secs(15);
        assert!(counts.hear(A, start));
        assert!(!counts.hear(A, start));
        counts.set(A, ALICE, 1, start);
        counts.set(B, UserId(8), 1, start);
        // B keeps announcing; A is gone.
        counts.set(B, UserId(8), 1, start + Duration::from_secs(10));
        assert_eq!(counts.expire(start + Duration::from_secs(14), ttl), vec![]);
        assert_eq!(counts.expire(start + Duration::from_secs(16), ttl), vec![Crossing { user: ALICE, online: false }]);
        assert!(counts.hear(A, start + Duration::from_secs(16)), "A is new again once expired");
        assert_eq!(counts.total(UserId(8)), 1);
    }

    #[test]
    fn forgetting_a_node_takes_only_its_sockets() {
        let mut counts = RemoteCounts::default();
        let now = Instant::now();
        counts.set(A, ALICE, 1, now);
        counts.set(B, ALICE, 1, now);
        counts.set(A, UserId(8), 3, now);
        let mut crossings = counts.forget(A);
        crossings.sort_by_key(|c| c.user);
        assert_eq!(crossings, vec![Crossing { user: UserId(8), online: false }]);
        assert_eq!(counts.total(ALICE), 1);
    }
}

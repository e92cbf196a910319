//! Who keeps a slot when the node is full.
//!
//! A connection is *waiting* while no request of it is in progress: before its first request
//! head is complete, and between requests on a keep-alive connection. Waiting costs a client
//! nothing but a socket, so it is what a slow-loris attack is made of: thousands of
//! connections that trickle their request heads a byte at a time. A connection with a request
//! in progress, or upgraded to a WebSocket, is *busy* and never touched here.
//!
//! Three rules keep a full node serving newcomers:
//! - **Eviction at the cap**: a connection that finds every slot taken closes the oldest
//!   waiting connection (one on a general slot first, so the newcomer gets a slot that serves
//!   anonymous requests) and takes its slot. A real client sends its head within
//!   milliseconds of connecting and is busy from then on; a trickler is the oldest sooner or
//!   later.
//! - **Under pressure** (more than half of the cap waiting): a waiting connection gets
//!   [`Policy::pressure_budget`] instead of the full header-read timeout, and a newcomer from
//!   a source address (an IPv6 /64) that already holds its fair share of the waiting
//!   connections (half the cap split among the addresses holding any, at most
//!   [`Policy::waiting_per_address`]) is closed at once ([`Admission::turn_away`]): the cheapest
//!   answer to a flood, which leaves eviction to newcomers from everywhere else. Without
//!   pressure neither applies, so many people behind one NAT with idle keep-alives lose
//!   nothing.
//!
//! All of it is one mutex over a few maps; every operation is a map insert or removal.

use super::Slot;
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The smallest fair share: a browser opens up to six connections to one host, and a few
/// people behind one address must not be turned away for that.
const MIN_SHARE: usize = 8;

/// The rules; from [`super::Limits`].
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// All connections (the cap).
    pub max_connections: usize,
    /// Waiting connections one source address may hold.
    pub waiting_per_address: usize,
    /// How long a connection may wait while more than half of the cap is waiting.
    pub pressure_budget: Duration,
}

/// A source address as counted here: an IPv4 address, or the /64 prefix of an IPv6 one (one
/// host usually owns a whole /64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source(IpAddr);

impl From<IpAddr> for Source {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => Source(IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !((1u128 << 64) - 1)))),
            },
            v4 => Source(v4),
        }
    }
}

pub struct Admission {
    policy: Policy,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Every open connection, by id.
    connections: HashMap<u64, Connection>,
    /// Waiting connections, oldest first, by the kind of slot they hold.
    general: BTreeMap<u64, u64>,
    reserved: BTreeMap<u64, u64>,
    /// The same connections by source address, oldest first.
    by_source: HashMap<Source, BTreeMap<u64, u64>>,
}

struct Connection {
    source: Source,
    slot: Slot,
    /// Requests in progress (HTTP/2 runs several at once).
    in_flight: usize,
    /// Upgraded (a WebSocket): busy for as long as it lives.
    upgraded: bool,
    /// Its key in `general`/`reserved` while it waits, with when it started waiting.
    waiting: Option<(u64, Instant)>,
    evict: CancellationToken,
}

impl Admission {
    pub fn new(policy: Policy) -> Arc<Self> {
        Arc::new(Self { policy, state: Mutex::new(State::default()) })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the maps consistent before it can panic; a poisoned lock is
        // still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a newcomer from `ip` is closed at once, before it takes or evicts anything:
    /// under pressure, when its address already holds its fair share of the waiting
    /// connections.
    pub fn turn_away(&self, ip: IpAddr) -> bool {
        let state = self.lock();
        let half = self.policy.max_connections / 2;
        if state.general.len() + state.reserved.len() <= half {
            return false;
        }
        let held = state.by_source.get(&Source::from(ip)).map_or(0, BTreeMap::len);
        let most = self.policy.waiting_per_address.max(1);
        let fair = (half / state.by_source.len().max(1)).clamp(MIN_SHARE.min(most), most);
        held >= fair
    }

    /// Registers a connection from `ip` that holds a slot of kind `slot`; it starts out
    /// waiting. Under pressure, first closes the connections that have waited longer than the
    /// pressure budget, and the oldest waiting ones of the same address beyond its share.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, slot: Slot) -> Ticket {
        let (now, source) = (Instant::now(), Source::from(ip));
        let mut state = self.lock();
        if state.general.len() + state.reserved.len() > self.policy.max_connections / 2 {
            let cutoff = now.checked_sub(self.policy.pressure_budget);
            while let Some(id) = cutoff.and_then(|cutoff| state.oldest_waiting_since(cutoff)) {
                state.evict(id);
            }
            while let Some(id) = state.over_share(source, self.policy.waiting_per_address) {
                state.evict(id);
            }
        }
        let id = state.next;
        state.next += 1;
        let evict = CancellationToken::new();
        state.connections.insert(
            id,
            Connection { source, slot, in_flight: 0, upgraded: false, waiting: None, evict: evict.clone() },
        );
        state.start_waiting(id, now);
        Ticket { admission: self.clone(), id, evict }
    }

    /// Closes the oldest waiting connection on a slot of kind `slot`; `false` if none waits.
    pub fn evict_oldest(&self, slot: Slot) -> bool {
        let mut state = self.lock();
        let oldest = match slot {
            Slot::General => state.general.values().next(),
            Slot::Reserved => state.reserved.values().next(),
        };
        let Some(&id) = oldest else { return false };
        state.evict(id);
        true
    }

    /// Connections waiting now (for tests and logs).
    pub fn waiting(&self) -> usize {
        let state = self.lock();
        state.general.len() + state.reserved.len()
    }
}

impl State {
    fn start_waiting(&mut self, id: u64, now: Instant) {
        let key = self.next;
        self.next += 1;
        let Some(connection) = self.connections.get_mut(&id) else { return };
        if connection.waiting.is_some() || connection.upgraded || connection.evict.is_cancelled() {
            return;
        }
        connection.waiting = Some((key, now));
        self.by_source.entry(connection.source).or_default().insert(key, id);
        match connection.slot {
            Slot::General => self.general.insert(key, id),
            Slot::Reserved => self.reserved.insert(key, id),
        };
    }

    fn stop_waiting(&mut self, id: u64) {
        let Some(connection) = self.connections.get_mut(&id) else { return };
        let Some((key, _)) = connection.waiting.take() else { return };
        match connection.slot {
            Slot::General => self.general.remove(&key),
            Slot::Reserved => self.reserved.remove(&key),
        };
        if let Some(waiting) = self.by_source.get_mut(&connection.source) {
            waiting.remove(&key);
            if waiting.is_empty() {
                self.by_source.remove(&connection.source);
            }
        }
    }

    fn evict(&mut self, id: u64) {
        self.stop_waiting(id);
        if let Some(connection) = self.connections.get(&id) {
            connection.evict.cancel();
        }
    }

    /// The oldest waiting connection of `source`, if it already has `share` or more (a
    /// newcomer is about to join them).
    fn over_share(&self, source: Source, share: usize) -> Option<u64> {
        let waiting = self.by_source.get(&source)?;
        if waiting.len() < share.max(1) {
            return None;
        }
        waiting.values().next().copied()
    }

    /// The connection that has waited longest, if it started waiting before `cutoff`.
    fn oldest_waiting_since(&self, cutoff: Instant) -> Option<u64> {
        [self.general.values().next(), self.reserved.values().next()]
            .into_iter()
            .flatten()
            .filter_map(|id| Some((*id, self.connections.get(id)?.waiting?)))
            .filter(|(_, (_, since))| *since < cutoff)
            .min_by_key(|(_, (key, _))| *key)
            .map(|(id, _)| id)
    }
}

/// One admitted connection's registration, held by its task and its service; the connection
/// is forgotten when the last clone is dropped.
pub struct Ticket {
    admission: Arc<Admission>,
    id: u64,
    evict: CancellationToken,
}

impl Ticket {
    /// Completes when this connection is evicted: its task closes it.
    pub async fn evicted(&self) {
        self.evict.cancelled().await
    }

    /// A request head arrived: busy until the returned guard is dropped (when the answer has
    /// been sent, or the request abandoned).
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        let mut state = self.admission.lock();
        state.stop_waiting(self.id);
        if let Some(connection) = state.connections.get_mut(&self.id) {
            connection.in_flight += 1;
        }
        InFlight { ticket: self.clone(), upgraded: false }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.admission.lock();
        state.stop_waiting(self.id);
        state.connections.remove(&self.id);
    }
}

/// One request in progress on a connection.
pub struct InFlight {
    ticket: Arc<Ticket>,
    upgraded: bool,
}

impl InFlight {
    /// The request upgraded its connection (a WebSocket): it stays busy until it closes.
    pub fn upgraded(&mut self) {
        self.upgraded = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut state = self.ticket.admission.lock();
        let id = self.ticket.id;
        let Some(connection) = state.connections.get_mut(&id) else { return };
        connection.in_flight = connection.in_flight.saturating_sub(1);
        connection.upgraded |= self.upgraded;
        if connection.in_flight == 0 {
            state.start_waiting(id, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn policy(max: usize) -> Policy {
        Policy { max_connections: max, waiting_per_address: 3, pressure_budget: Duration::from_secs(3600) }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
    }

    #[test]
    fn the_oldest_waiting_connection_goes_first_and_busy_ones_never() {
        let admission = Admission::new(policy(100));
        let first = Arc::new(admission.admit(ip(1), Slot::General));
        let second = Arc::new(admission.admit(ip(2), Slot::General));
        let third = Arc::new(admission.admit(ip(3), Slot::General));
        let busy = first.request_started();
        assert_eq!(admission.waiting(), 2);
        assert!(admission.evict_oldest(Slot::General));
        assert!(!first.evict.is_cancelled(), "a connection with a request in progress is kept");
        assert!(second.evict.is_cancelled(), "the oldest waiting one goes");
        assert!(!third.evict.is_cancelled());
        // Its answer sent, the first connection waits again, now as the newest.
        drop(busy);
        assert!(admission.evict_oldest(Slot::General));
        assert!(third.evict.is_cancelled());
        assert!(admission.evict_oldest(Slot::General));
        assert!(first.evict.is_cancelled());
        assert!(!admission.evict_oldest(Slot::General), "nobody is waiting any more");
    }

    #[test]
    fn slots_are_freed_by_kind_and_upgrades_stay() {
        let admission = Admission::new(policy(100));
        let reserved = Arc::new(admission.admit(ip(1), Slot::Reserved));
        let socket = Arc::new(admission.admit(ip(2), Slot::General));
        let general = Arc::new(admission.admit(ip(3), Slot::General));
        let mut upgrade = socket.request_started();
        upgrade.upgraded();
        drop(upgrade);
        assert!(admission.evict_oldest(Slot::General));
        assert!(general.evict.is_cancelled() && !reserved.evict.is_cancelled(), "only a general slot is freed");
        assert!(!admission.evict_oldest(Slot::General), "an upgraded connection never waits again");
        assert!(!socket.evict.is_cancelled());
        assert!(admission.evict_oldest(Slot::Reserved));
        assert!(reserved.evict.is_cancelled());
    }

    #[test]
    fn under_pressure_one_source_keeps_only_its_share_of_waiting_connections() {
        // A cap of 8: pressure from the fifth waiting connection on; a share of 3.
        let admission = Admission::new(policy(8));
        let crowd: Vec<_> = (0..4).map(|_| Arc::new(admission.admit(ip(7), Slot::General))).collect();
        assert!(crowd.iter().all(|t| !t.evict.is_cancelled()), "no pressure, no share: a NAT loses nothing");
        let other = Arc::new(admission.admit(ip(8), Slot::General));
        let newcomer = Arc::new(admission.admit(ip(7), Slot::General));
        let cut: Vec<bool> = crowd.iter().map(|t| t.evict.is_cancelled()).collect();
        assert_eq!(cut, [true, true, false, false], "the address's oldest go until it has room for one more");
        assert!(!other.evict.is_cancelled() && !newcomer.evict.is_cancelled());
        // A request in progress does not count against its address.
        let _busy = crowd[2].request_started();
        let _others: Vec<_> = (0..2).map(|_| admission.admit(ip(9), Slot::General)).collect();
        let _another = admission.admit(ip(7), Slot::General);
        assert!(!crowd[3].evict.is_cancelled(), "under pressure, two waiting and one busy: within the share");
    }

    #[test]
    fn under_pressure_newcomers_from_addresses_holding_their_fair_share_are_turned_away() {
        // A cap of 40: pressure above 20 waiting; half the cap (20) split among the addresses.
        let admission = Admission::new(Policy { waiting_per_address: 32, ..policy(40) });
        let _flood: Vec<_> = (0..21).map(|_| admission.admit(ip(7), Slot::General)).collect();
        assert!(admission.turn_away(ip(7)), "one address holds all of it: its newcomers are closed");
        assert!(!admission.turn_away(ip(1)), "a newcomer from anywhere else is let in");
        // Two addresses: a fair share of 10 each.
        let mut second: Vec<_> = (0..9).map(|_| admission.admit(ip(1), Slot::General)).collect();
        assert!(admission.turn_away(ip(7)));
        assert!(!admission.turn_away(ip(1)), "nine waiting is under its share");
        second.push(admission.admit(ip(1), Slot::General));
        assert!(admission.turn_away(ip(1)), "ten waiting is its share");

        // However many addresses share the cap, a browser's few connections are never too many.
        let crowd = Admission::new(Policy { waiting_per_address: 32, ..policy(40) });
        let _many: Vec<_> = (0..25).map(|i| crowd.admit(ip(100 + i), Slot::General)).collect();
        let _browser: Vec<_> = (0..7).map(|_| crowd.admit(ip(1), Slot::General)).collect();
        assert!(!crowd.turn_away(ip(1)), "seven waiting is within the smallest share");

        let calm = Admission::new(policy(100));
        let _few: Vec<_> = (0..5).map(|_| calm.admit(ip(7), Slot::General)).collect();
        assert!(!calm.turn_away(ip(7)), "no pressure: nobody is turned away");
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(Source::from(a), Source::from(b));
        assert_ne!(Source::from(a), Source::from(c));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().expect("ip");
        assert_eq!(Source::from(mapped), Source::from(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3))));
    }

    #[test]
    fn under_pressure_connections_that_waited_too_long_are_closed() {
        let admission = Admission::new(Policy { pressure_budget: Duration::ZERO, ..policy(4) });
        let old: Vec<_> = (1..=2).map(|i| Arc::new(admission.admit(ip(i), Slot::General))).collect();
        assert!(old.iter().all(|t| !t.evict.is_cancelled()), "half the cap waiting is no pressure yet");
        std::thread::sleep(Duration::from_millis(2));
        let _third = admission.admit(ip(3), Slot::General);
        let _fourth = admission.admit(ip(4), Slot::General);
        assert!(old.iter().all(|t| t.evict.is_cancelled()), "over half the cap waiting: the old ones go");
    }
}

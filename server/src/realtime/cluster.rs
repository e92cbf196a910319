//! The hub between nodes, when `NATS_URL` is set: several server processes behind one load
//! balancer, sharing one PostgreSQL database and one NATS subject.
//!
//! Each node has a random id. `Hub::send_to` pushes to its own sockets and queues the push
//! here; a publisher task sends what is queued, in order and batched, as JSON envelopes on the
//! subject; a subscriber task hands every other node's pushes to the local sockets. Nothing on
//! the request path waits for NATS: the queue is bounded and a full queue drops (and counts)
//! the push, exactly like a full socket queue. The database stays the record; clients catch up
//! by seq/rev whatever this layer loses.
//!
//! Presence: each node publishes its users' socket counts when they change and all of them
//! every `announce_every`; what another node said expires after `expire_after` unless repeated,
//! so a killed node's users go offline on the others. Every node announces presence changes to
//! its own sockets only (never through NATS), from its own view of the cluster's counts.
//!
//! Sessions: a node where a session ends (logout, login) publishes its key; every node closes
//! that session's sockets. Unlike a push, this waits for room in the queue rather than drop;
//! should it still be lost (NATS down), each socket's periodic session check closes it.

mod envelope;
mod remote;

pub(super) use remote::{Crossing, RemoteCounts};

use super::hub::{Hub, PresenceChange, WeakHub};
use crate::sessions::SessionKey;
use async_nats::{Client, ConnectOptions, Event, Subject, Subscriber};
use envelope::{Batcher, Envelope, Item, Shared};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use shared::UserId;
use shared::frames::ServerFrame;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// Items waiting for the publisher; beyond this, pushes are dropped and counted.
const QUEUE: usize = 8192;
/// Items the publisher takes at once (one or a few NATS messages).
const BATCH_ITEMS: usize = 256;
/// Upper bound of one NATS message (the server's own limit, if lower, wins).
const BATCH_BYTES: usize = 256 * 1024;
/// Users per snapshot item.
const SNAPSHOT_CHUNK: usize = 2000;
/// Tries to reach NATS at start before giving up (about 4 s apart at most).
const CONNECT_ATTEMPTS: u32 = 5;
/// How long a leaving node waits for its goodbye to go out.
const LEAVE_WAIT: Duration = Duration::from_secs(2);
/// How long a logout waits for room in a full queue to tell the other nodes.
const END_SESSION_WAIT: Duration = Duration::from_secs(2);

/// One running server process in the cluster, random at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u64);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// The NATS subject of this deployment (`NATS_SUBJECT`, default `messenger.cluster`): every
    /// node of one deployment uses the same; two deployments on one NATS server must not.
    pub subject: String,
    /// How often a node republishes all its socket counts (`CLUSTER_ANNOUNCE_MS`, 5 s).
    pub announce_every: Duration,
    /// How long another node's counts count without being republished (`CLUSTER_EXPIRY_MS`,
    /// 15 s): this long after a node dies, its users are offline everywhere else.
    pub expire_after: Duration,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self {
            subject: "messenger.cluster".to_owned(),
            announce_every: Duration::from_secs(5),
            expire_after: Duration::from_secs(15),
        }
    }
}

impl ClusterOptions {
    /// Reads the options through `var` (the environment, after `.env`).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let defaults = Self::default();
        let millis = |name: &str, default: Duration| {
            var(name).and_then(|v| v.parse::<u64>().ok()).filter(|ms| *ms > 0).map_or(default, Duration::from_millis)
        };
        let announce_every = millis("CLUSTER_ANNOUNCE_MS", defaults.announce_every);
        // Expiring before the next announcement could arrive would flap everyone offline.
        let expire_after = millis("CLUSTER_EXPIRY_MS", defaults.expire_after).max(announce_every * 2);
        Self { subject: var("NATS_SUBJECT").unwrap_or(defaults.subject), announce_every, expire_after }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("NATS_URL {url}: no NATS server answered after {attempts} attempts: {source}")]
    Unreachable { url: String, attempts: u32, source: async_nats::ConnectError },
    #[error("NATS {what} on subject {subject}: {source}")]
    Nats { what: &'static str, subject: String, source: Box<dyn std::error::Error + Send + Sync> },
}

/// A node that joined: its hub, and the presence changes its view of the others produces
/// (for `Presence::follow`).
pub struct Cluster {
    pub hub: Hub,
    pub changes: mpsc::UnboundedReceiver<PresenceChange>,
}

/// The hub's way out to the other nodes.
pub(super) struct Link {
    node: NodeId,
    queue: mpsc::Sender<Item<Shared>>,
    dropped: AtomicU64,
    publisher: Mutex<Option<JoinHandle<()>>>,
}

impl Link {
    pub(super) fn frame(&self, users: &[UserId], frame: &Arc<ServerFrame>) {
        self.offer(Item::Frame { users: users.to_vec(), frame: Shared(frame.clone()) });
    }

    pub(super) fn count(&self, user: UserId, sockets: usize) {
        self.offer(Item::Count { user, sockets: u32::try_from(sockets).unwrap_or(u32::MAX) });
    }

    /// Queues all of this node's counts (an empty snapshot still says "alive").
    pub(super) fn snapshot(&self, counts: impl Iterator<Item = (UserId, usize)>) {
        let mut chunk = Vec::new();
        let mut sent = false;
        for (user, sockets) in counts {
            chunk.push((user, u32::try_from(sockets).unwrap_or(u32::MAX)));
            if chunk.len() == SNAPSHOT_CHUNK {
                self.offer(Item::Snapshot { counts: std::mem::take(&mut chunk) });
                sent = true;
            }
        }
        if !chunk.is_empty() || !sent {
            self.offer(Item::Snapshot { counts: chunk });
        }
    }

    /// Queues the end of `session` for the other nodes, waiting (briefly) for room.
    pub(super) async fn end_session(&self, session: SessionKey) {
        let queued = tokio::time::timeout(END_SESSION_WAIT, self.queue.send(Item::EndSession { session })).await;
        if !matches!(queued, Ok(Ok(()))) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                ?session,
                "cluster: queue full, session end not published (sockets there close at their next check)"
            );
        }
    }

    fn offer(&self, item: Item<Shared>) {
        if self.queue.try_send(item).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Says goodbye and waits (briefly) until it is out.
    pub(super) async fn leave(&self) {
        let _ = tokio::time::timeout(LEAVE_WAIT, self.queue.send(Item::Leave)).await;
        let publisher = self.publisher.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(publisher) = publisher {
            let _ = tokio::time::timeout(LEAVE_WAIT, publisher).await;
        }
        tracing::info!(node = %self.node, "cluster: left");
    }
}

/// Connects to NATS (retrying a few times), subscribes, and starts the node's tasks. Fails when
/// NATS cannot be reached: a node that silently ran alone would split the cluster.
pub async fn join(url: &str, options: &ClusterOptions) -> Result<Cluster, ClusterError> {
    let node = NodeId(rand::random());
    let wake = Arc::new(Notify::new());
    let client = connect(url, node, wake.clone()).await?;
    let nats_error = |what: &'static str| {
        let subject = options.subject.clone();
        move |source: Box<dyn std::error::Error + Send + Sync>| ClusterError::Nats { what, subject, source }
    };
    let subject = Subject::from(options.subject.as_str());
    let subscriber = client.subscribe(subject.clone()).await.map_err(|e| nats_error("subscribe")(e.into()))?;
    // The subscription is in place before anyone can answer our first announcement.
    client.flush().await.map_err(|e| nats_error("flush")(e.into()))?;

    let (queue, queued) = mpsc::channel(QUEUE);
    let publisher = tokio::spawn(publish(client, subject, node, queued));
    let link = Link { node, queue, dropped: AtomicU64::new(0), publisher: Mutex::new(Some(publisher)) };
    let hub = Hub::clustered(link);
    let (changes_tx, changes) = mpsc::unbounded_channel();
    tokio::spawn(receive(subscriber, hub.downgrade(), node, changes_tx.clone(), wake.clone()));
    tokio::spawn(announce(hub.downgrade(), options.clone(), changes_tx, wake));
    tracing::info!(%node, subject = %options.subject, "cluster: joined");
    Ok(Cluster { hub, changes })
}

async fn connect(url: &str, node: NodeId, wake: Arc<Notify>) -> Result<Client, ClusterError> {
    let servers: Vec<String> = url.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        let wake = wake.clone();
        let options = ConnectOptions::new()
            .name(format!("messenger-{node}"))
            .no_echo()
            .connection_timeout(Duration::from_secs(3))
            .event_callback(move |event| {
                let wake = wake.clone();
                async move {
                    match event {
                        // Back after an outage: tell the others where our users are right away.
                        Event::Connected => {
                            tracing::info!("cluster: connected to NATS");
                            wake.notify_one();
                        }
                        Event::Disconnected => tracing::warn!("cluster: lost NATS; pushes to other nodes wait"),
                        other => tracing::warn!(event = %other, "cluster: NATS"),
                    }
                }
            });
        match options.connect(&servers).await {
            Ok(client) => return Ok(client),
            Err(e) if attempt < CONNECT_ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "cluster: NATS not reachable yet; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Err(source) => return Err(ClusterError::Unreachable { url: redact(url), attempts: attempt, source }),
        }
    }
}

/// Sends what the hub queued, in order, a batch at a time.
async fn publish(client: Client, subject: Subject, node: NodeId, mut queued: mpsc::Receiver<Item<Shared>>) {
    let max_bytes = client.server_info().max_payload.clamp(4096, BATCH_BYTES);
    let mut batch = Vec::with_capacity(BATCH_ITEMS);
    while queued.recv_many(&mut batch, BATCH_ITEMS).await > 0 {
        let leaving = batch.iter().any(|item| matches!(item, Item::Leave));
        let mut batcher = Batcher::new(node, max_bytes);
        for item in batch.drain(..) {
            if let Err(e) = batcher.push(&item) {
                tracing::error!(error = %e, "cluster: unserialisable item");
            }
        }
        for payload in batcher.finish() {
            if let Err(e) = client.publish(subject.clone(), payload.into()).await {
                tracing::warn!(error = %e, "cluster: publish failed");
            }
        }
        if leaving {
            let _ = client.flush().await;
            return;
        }
    }
}

/// Applies the other nodes' envelopes: their pushes to our sockets, their counts to our view.
async fn receive(
    mut subscriber: Subscriber,
    hub: WeakHub,
    node: NodeId,
    changes: mpsc::UnboundedSender<PresenceChange>,
    wake: Arc<Notify>,
) {
    while let Some(message) = subscriber.next().await {
        let Some(hub) = hub.upgrade() else { return };
        let envelope: Envelope = match serde_json::from_slice(&message.payload) {
            Ok(envelope) => envelope,
            Err(e) => {
                tracing::warn!(error = %e, "cluster: unreadable envelope");
                continue;
            }
        };
        if envelope.origin == node {
            continue;
        }
        apply(&hub, envelope, &changes, &wake);
    }
    tracing::warn!("cluster: subscription ended");
}

fn apply(hub: &Hub, envelope: Envelope, changes: &mpsc::UnboundedSender<PresenceChange>, wake: &Notify) {
    let origin = envelope.origin;
    let now = Instant::now();
    let mut new_node = false;
    hub.update_remote(|remote| {
        new_node = remote.hear(origin, now);
        Vec::new()
    });
    if new_node {
        // A node we did not know (new, or back): let it learn our users now, not in 5 s.
        tracing::info!(%origin, "cluster: node joined");
        wake.notify_one();
    }
    for item in envelope.items {
        let crossed = match item {
            Item::Frame { users, frame } => {
                hub.deliver_local(&users, &Arc::new(frame));
                continue;
            }
            Item::Count { user, sockets } => {
                hub.update_remote(|r| r.set(origin, user, sockets, now).into_iter().collect())
            }
            Item::Snapshot { counts } => hub.update_remote(|r| {
                counts.into_iter().filter_map(|(user, sockets)| r.set(origin, user, sockets, now)).collect()
            }),
            Item::EndSession { session } => {
                hub.end_local(&session);
                continue;
            }
            Item::Leave => {
                tracing::info!(%origin, "cluster: node left");
                hub.update_remote(|r| r.forget(origin)).into_iter().map(PresenceChange::vanished).collect()
            }
        };
        for change in crossed {
            let _ = changes.send(change);
        }
    }
}

/// Every `announce_every` (or when woken): publish our counts, expire the silent nodes', and
/// report dropped pushes.
async fn announce(
    hub: WeakHub,
    options: ClusterOptions,
    changes: mpsc::UnboundedSender<PresenceChange>,
    wake: Arc<Notify>,
) {
    let mut tick = tokio::time::interval(options.announce_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reported = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = wake.notified() => {}
        }
        let Some(hub) = hub.upgrade() else { return };
        hub.announce_counts();
        let now = Instant::now();
        for change in hub.update_remote(|r| r.expire(now, options.expire_after)) {
            if !change.online {
                tracing::debug!(user = %change.user, "cluster: sockets expired with a silent node");
            }
            let _ = changes.send(PresenceChange::vanished(change));
        }
        if let Some(link) = hub.link() {
            let dropped = link.dropped.load(Ordering::Relaxed);
            if dropped > reported {
                tracing::warn!(
                    dropped = dropped - reported,
                    "cluster: queue full, items not published (clients catch up by rev)"
                );
                reported = dropped;
            }
        }
    }
}

/// The URL without credentials, for logs and errors.
fn redact(url: &str) -> String {
    url.split(',')
        .map(|server| match (server.find("://"), server.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &server[..scheme], &server[at + 1..]),
            _ => server.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_log() {
        assert_eq!(
            redact("nats://user:secret@10.0.0.1:4222,nats://10.0.0.2:4222"),
            "nats://…@10.0.0.1:4222,nats://10.0.0.2:4222"
        );
    }

    #[test]
    fn expiry_never_undercuts_two_announcements() {
        let options = ClusterOptions::from_lookup(|name| match name {
            "CLUSTER_ANNOUNCE_MS" => Some("1000".to_owned()),
            "CLUSTER_EXPIRY_MS" => Some("500".to_owned()),
            _ => None,
        });
        assert_eq!(options.announce_every, Duration::from_secs(1));
        assert_eq!(options.expire_after, Duration::from_secs(2));
        assert_eq!(options.subject, "messenger.cluster");
    }
}

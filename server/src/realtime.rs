//! Real-time: the hub that knows which sockets belong to which user, and the `/ws` endpoint.
//!
//! The database is the source of truth; the hub is only the fast path that pushes what was
//! just committed to the sockets that should see it. With `NATS_URL` set, `cluster` carries
//! pushes and socket counts between nodes.

pub mod cluster;
mod hub;
mod socket;

pub use cluster::{ClusterOptions, join as join_cluster};
pub use hub::{Hub, PresenceChange};
pub use socket::ws_handler;
#[cfg(test)]
pub use socket::{Owner, serve_socket};

//! Real-time: the hub that knows which sockets belong to which user, and the `/ws` endpoint.
//!
//! The database is the source of truth; the hub is only the fast path that pushes what was
//! just committed to the sockets that should see it.

mod hub;
mod socket;

pub use hub::Hub;
pub use socket::ws_handler;
#[cfg(test)]
pub use socket::serve_socket;

//! Messages: send (idempotent by client_msg_id), edit, delete for everyone, forward, reactions,
//! a person's own marks (star, delete for me), history by seq, sync by rev, and full-text
//! search.
//!
//! A message is acknowledged only after its transaction commits; the hub push that follows is
//! a fast path, never the record. Every call authorizes through `conversations::membership`.
//! On SQLite concurrent sends share one transaction (`commit`, group commit).

mod commit;
pub mod entity;
mod forward;
pub mod marks;
pub mod reactions;
mod search;
mod service;
pub mod store;

pub use service::{Messages, Outgoing, Sent};

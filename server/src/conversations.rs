//! Conversations: direct chats (one per pair of users), groups and their membership, the chat
//! list and per-user flags.
//!
//! Authorization lives here: [`Conversations::membership`] is the one check every read and
//! write of a conversation goes through, and a non-member gets `not_found`, never a hint that
//! the conversation exists.

mod adding;
pub mod entity;
mod list;
pub mod member;
mod service;

pub use adding::direct_key;
pub use service::{member_ids, membership};

pub use service::Conversations;

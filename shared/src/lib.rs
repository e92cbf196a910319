//! Data and rules shared by the server and the browser: identifiers, the views the API returns,
//! the WebSocket frames, limits and input validation.
//!
//! This crate must compile for `wasm32-unknown-unknown` and stays free of I/O: serde only.

pub mod conversation;
pub mod error;
pub mod frames;
pub mod ids;
pub mod limits;
pub mod media;
pub mod message;
pub mod rich;
pub mod user;
pub mod validate;

pub use conversation::*;
pub use error::{ApiError, ErrorCode};
pub use ids::{ConversationId, MessageId, Rev, Seq, UserId};
pub use media::{Attachment, AttachmentKind, MediaId};
pub use message::*;
pub use user::{Audience, ContactInfo, Device, GroupAdds, GroupRef, Me, PresenceView, Privacy, UserView};

//! Uploads: images, documents and voice notes.
//!
//! An upload is checked by its bytes (never its name or declared type), images are decoded
//! under explicit limits and re-encoded without metadata (plus a thumbnail), and the file is
//! stored under a random name outside `public/`. A message then carries it: [`attach`] binds an
//! upload to the message inside the send's transaction. Downloads are for members of the
//! upload's conversation only. An upload streams into a temporary file ([`Incoming`]) under
//! a limit on uploads in flight ([`UploadSlots`]); nothing of it is held in memory until it
//! has arrived whole from a logged-in user. A forwarded attachment is a row of its own for the
//! new chat that shares the original's file ([`copy_attachment`]).

mod copies;
mod detect;
pub mod entity;
mod imaging;
mod service;
mod slots;
mod storage;

pub use copies::copy_attachment;
pub use service::{Download, Media, UploadRequest, VoiceMeta, attach, attachments_for};
pub use slots::{UploadSlot, UploadSlots};
pub use storage::{Incoming, Received, Storage};

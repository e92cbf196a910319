//! One module per page; `App` routes to them.

mod auth_form;
mod chat;
mod landing;
mod login;
mod not_found;
mod register;

pub use chat::{Chat, ConversationPane, NoConversation};
pub use landing::Landing;
pub use login::Login;
pub use not_found::NotFound;
pub use register::Register;

//! Small reusable pieces of UI.

mod avatar;
mod confirm_dialog;
mod connection_badge;
pub mod icons;
mod logout_button;
mod on_demand;
mod rich_text;
mod theme_toggle;
mod toasts;

pub use avatar::Avatar;
pub use confirm_dialog::{Confirm, ConfirmDialog, Question, provide_confirm, use_confirm};
pub use connection_badge::ConnectionBadge;
pub use icons as icon;
pub use icons::{BrandMark, Icon};
pub use logout_button::LogoutButton;
pub use on_demand::{LazyView, OnDemand};
pub use rich_text::RichText;
pub use theme_toggle::ThemeToggle;
#[cfg_attr(not(feature = "hydrate"), allow(unused_imports))]
pub use toasts::{ToastRegion, provide_toasts, use_toasts};

//! Small reusable pieces of UI.

mod avatar;
pub mod icons;
mod connection_badge;
mod logout_button;
mod theme_toggle;
mod toasts;

pub use avatar::Avatar;
pub use icons::{BrandMark, Icon};
pub use icons as icon;
pub use connection_badge::ConnectionBadge;
pub use logout_button::LogoutButton;
pub use theme_toggle::ThemeToggle;
#[cfg_attr(not(feature = "hydrate"), allow(unused_imports))]
pub use toasts::{provide_toasts, use_toasts, ToastRegion};

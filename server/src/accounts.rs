//! Accounts: registration, password log-in with throttling, and profile reads.
//!
//! Owns the `users` table. Never returns a password hash to anyone; log-in answers a wrong
//! username and a wrong password identically, in about the same time.

mod deletion;
pub mod entity;
pub mod hashing;
pub mod password;
mod service;
mod throttle;

pub use deletion::{DELETED_NAME, USERNAME_HOLD_MS};
pub use service::Accounts;
pub use throttle::{Budget, LoginThrottle, SignupThrottle};

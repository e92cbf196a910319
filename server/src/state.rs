//! Everything a handler may need, cheap to clone.

use crate::accounts::Accounts;
use crate::config::Config;
use crate::realtime::Hub;
use app::backend::SharedBackend;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub hub: Hub,
    pub accounts: Accounts,
    pub services: Arc<crate::backend::Services>,
    /// The same services, as the app's server functions see them.
    pub backend: SharedBackend,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

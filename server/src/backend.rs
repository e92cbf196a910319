//! The server's implementation of the app's [`Backend`]: each method is one call into a
//! domain service, with the service's error turned into the wire error.

use crate::accounts::Accounts;
use app::backend::{Backend, ClientInfo};
use async_trait::async_trait;
use shared::{ApiError, Me, UserId};

pub struct Services {
    pub accounts: Accounts,
}

#[async_trait]
impl Backend for Services {
    async fn register(&self, username: String, display_name: String, password: String) -> Result<Me, ApiError> {
        Ok(self.accounts.register(&username, &display_name, password).await?)
    }

    async fn login(&self, username: String, password: String, client: ClientInfo) -> Result<Me, ApiError> {
        Ok(self.accounts.login(&username, password, client.ip).await?)
    }

    async fn me(&self, user: UserId) -> Result<Me, ApiError> {
        Ok(self.accounts.me(user).await?)
    }
}

//! Account server functions: register, log in, log out, who am I.
//!
//! Register, log in and log out take form-encoded input so their `ActionForm`s work with
//! JavaScript off; on success they redirect (a real 302 for plain forms), on failure a plain
//! form is sent back to its page with the error code in the query.

use crate::error::AppError;
use leptos::prelude::*;
use shared::Me;

#[server(prefix = "/api", endpoint = "accounts/register")]
pub async fn register(username: String, display_name: String, password: String) -> Result<Me, AppError> {
    use crate::backend::{backend, client_info, form_error, start_session};
    let result: Result<Me, AppError> = async {
        let me = backend()?.register(username, display_name, password, client_info().await).await?;
        start_session(me.id).await?;
        Ok(me)
    }
    .await;
    result.inspect(|_| leptos_axum::redirect("/chat")).map_err(|e| form_error("/register", e))
}

#[server(prefix = "/api", endpoint = "accounts/login")]
pub async fn login(username: String, password: String) -> Result<Me, AppError> {
    use crate::backend::{backend, client_info, form_error, start_session};
    let result: Result<Me, AppError> = async {
        let me = backend()?.login(username, password, client_info().await).await?;
        start_session(me.id).await?;
        Ok(me)
    }
    .await;
    result.inspect(|_| leptos_axum::redirect("/chat")).map_err(|e| form_error("/login", e))
}

#[server(prefix = "/api", endpoint = "accounts/logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::backend::end_session().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Changes the caller's display name and "about" line; everyone who shares a chat with them
/// gets `conversation_updated` for it.
#[server(prefix = "/api", endpoint = "accounts/update_profile", input = server_fn::codec::Json)]
pub async fn update_profile(display_name: String, about: String) -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.update_profile(user, display_name, about).await?)
}

/// Sets the caller's profile picture to an upload made with `kind=avatar`, or removes it.
#[server(prefix = "/api", endpoint = "accounts/set_avatar", input = server_fn::codec::Json)]
pub async fn set_avatar(avatar: Option<shared::MediaId>) -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.set_avatar(user, avatar).await?)
}

/// Who may add the caller to groups: `everyone`, or `contacts` (people with a one-to-one
/// chat with them; the default).
#[server(prefix = "/api", endpoint = "accounts/set_group_adds", input = server_fn::codec::Json)]
pub async fn set_group_adds(group_adds: shared::GroupAdds) -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.set_group_adds(user, group_adds).await?)
}

#[server(prefix = "/api", endpoint = "accounts/me", input = server_fn::codec::Json)]
pub async fn current_user() -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.me(user).await?)
}

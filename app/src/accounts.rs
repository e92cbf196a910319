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

/// Who sees the caller's last seen, photo and "about", and whether they share read receipts;
/// an absent or `null` setting stays as it is.
#[server(prefix = "/api", endpoint = "accounts/set_privacy", input = server_fn::codec::Json)]
pub async fn set_privacy(
    last_seen: Option<shared::Audience>,
    photo: Option<shared::Audience>,
    about: Option<shared::Audience>,
    read_receipts: Option<bool>,
) -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.set_privacy(user, last_seen, photo, about, read_receipts).await?)
}

/// Deletes the caller's account (their password asked again); this session ends too. Their
/// messages stay for the others, from "Deleted account".
#[server(prefix = "/api", endpoint = "accounts/delete", input = server_fn::codec::Json)]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    use crate::backend::{caller, client_info, end_session, session_id};
    let (backend, user) = caller().await?;
    backend.delete_account(user, session_id().await?, password, client_info().await).await?;
    end_session().await
}

/// Changes the caller's password: `current_password` must be right, `new_password` follows
/// sign-up's rules. The session goes on under a new id; with `log_out_others` every other
/// session of the account ends at once, its sockets closed.
#[server(prefix = "/api", endpoint = "accounts/change_password", input = server_fn::codec::Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    log_out_others: bool,
) -> Result<(), AppError> {
    use crate::backend::{caller, client_info, cycle_session, session_id};
    let (backend, user) = caller().await?;
    backend.change_password(user, current_password, new_password, client_info().await).await?;
    if log_out_others {
        backend.end_other_devices(user, session_id().await?).await?;
    }
    cycle_session().await
}

/// Where the caller is logged in: every live session of the account, this one marked.
#[server(prefix = "/api", endpoint = "accounts/devices", input = server_fn::codec::Json)]
pub async fn devices() -> Result<Vec<shared::Device>, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.devices(user, crate::backend::session_id().await?).await?)
}

/// Logs out one other session of the caller's (`id` from `accounts/devices`); its sockets close.
#[server(prefix = "/api", endpoint = "accounts/end_device", input = server_fn::codec::Json)]
pub async fn end_device(id: String) -> Result<(), AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.end_device(user, crate::backend::session_id().await?, id).await?)
}

/// Logs out every session of the caller's but this one; how many ended.
#[server(prefix = "/api", endpoint = "accounts/end_other_devices", input = server_fn::codec::Json)]
pub async fn end_other_devices() -> Result<u64, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.end_other_devices(user, crate::backend::session_id().await?).await?)
}

#[server(prefix = "/api", endpoint = "accounts/me", input = server_fn::codec::Json)]
pub async fn current_user() -> Result<Me, AppError> {
    let (backend, user) = crate::backend::caller().await?;
    Ok(backend.me(user).await?)
}

//! What the log-in and register pages share: the card around the form and the error line that
//! shows a server function's error, or (JavaScript off) the error code the server put in the
//! query string.

use crate::components::BrandMark;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::ErrorCode;

#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <BrandMark size=48/>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// The error to show under a form: the last action's error, else the no-JS query error.
pub fn form_error(action_error: impl Fn() -> Option<String> + Send + Sync + 'static) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || {
        action_error().or_else(|| {
            query.with(|q| {
                let code = q.get("error")?;
                Some(message_for(ErrorCode::parse(&code), q.get("field").as_deref()).to_owned())
            })
        })
    })
}

/// The message of an action's last error, if its last run failed.
pub fn last_error<T>(value: &Option<Result<T, AppError>>) -> Option<String> {
    value.as_ref()?.as_ref().err().map(|e| e.message().to_owned())
}

fn message_for(code: ErrorCode, field: Option<&str>) -> &'static str {
    match (code, field) {
        (ErrorCode::InvalidCredentials, _) => "Wrong username or password.",
        (ErrorCode::RateLimited, _) => "Too many attempts. Wait a minute and try again.",
        (ErrorCode::Conflict, _) => "That username is taken. Try another one.",
        (ErrorCode::InvalidInput, Some("username")) => {
            "Username must be 3 to 32 letters, digits, '_' or '.', starting with a letter or digit."
        }
        (ErrorCode::InvalidInput, Some("display_name")) => "Display name must be 1 to 64 characters.",
        (ErrorCode::InvalidInput, Some("password")) => {
            "Password must be 8 to 256 characters, not only spaces, not your username and not a common one."
        }
        (ErrorCode::InvalidInput, _) => "Please check what you entered.",
        (ErrorCode::BadOrigin, _) => "This form was sent from another site and was refused.",
        _ => "Something went wrong. Please try again.",
    }
}

#[component]
pub fn FormError(message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="form-error" role="alert" aria-live="assertive">
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

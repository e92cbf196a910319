//! Settings' "Delete account": the password again, then the app's own confirm dialog. On
//! success this page leaves for the landing page: the session is gone on the server.

use crate::accounts::delete_account;
use crate::components::{Question, use_confirm};
use leptos::prelude::*;
use shared::limits::PASSWORD_MAX;
use std::sync::Arc;

#[component]
pub fn DeleteAccount() -> impl IntoView {
    let confirm = use_confirm();
    let password = RwSignal::new(String::new());
    let delete = Action::new(move |password: &String| delete_account(password.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            crate::browser::leave_page("/");
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = password.get_untracked();
        confirm.ask(Question {
            title: "Delete your account?",
            detail: "You leave every group, your photo, files and sessions are removed, and your messages stay for the others from \"Deleted account\". This cannot be undone.",
            confirm: "Delete my account",
            on_confirm: Arc::new(move || {
                delete.dispatch(typed.clone());
            }),
        });
    };
    let error = move || delete.value().get().and_then(Result::err).map(|e| e.message().to_owned());
    view! {
        <form class="profile-form settings-section" aria-labelledby="delete-account-title" on:submit=submit>
            <h3 id="delete-account-title">"Delete account"</h3>
            <p class="hint">"Your username stays reserved for 30 days, then anyone may take it."</p>
            <label class="field">
                <span>"Your password"</span>
                <input type="password" name="password" required autocomplete="current-password" maxlength=PASSWORD_MAX
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
            </label>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <button type="submit" class="button danger wide" disabled=move || delete.pending().get()>"Delete my account"</button>
        </form>
    }
}

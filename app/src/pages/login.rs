use super::auth_form::{AuthCard, FormError, form_error, last_error};
use crate::accounts::Login as LoginFn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn Login() -> impl IntoView {
    let action = ServerAction::<LoginFn>::new();
    let error = form_error(move || action.value().with(last_error));
    let pending = action.pending();
    view! {
        <Title text="Log in"/>
        <AuthCard title="Log in">
            <ActionForm action=action attr:class="auth-form" attr:aria-label="Log in">
                <label for="login-username">"Username"</label>
                <input id="login-username" name="username" autocomplete="username" required
                    minlength="3" maxlength="32" autocapitalize="none" spellcheck="false"/>
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password"
                    autocomplete="current-password" required/>
                <FormError message=error/>
                <button type="submit" class="button primary" disabled=pending>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="auth-switch">"New here? " <A href="/register">"Create an account"</A></p>
        </AuthCard>
    }
}

use super::auth_form::{AuthCard, FormError, form_error, last_error};
use crate::accounts::Register as RegisterFn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use shared::limits::{DISPLAY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN};

#[component]
pub fn Register() -> impl IntoView {
    let action = ServerAction::<RegisterFn>::new();
    let error = form_error(move || action.value().with(last_error));
    let pending = action.pending();
    view! {
        <Title text="Create an account"/>
        <AuthCard title="Create an account">
            <ActionForm action=action attr:class="auth-form" attr:aria-label="Create an account">
                <label for="register-username">"Username"</label>
                <input id="register-username" name="username" autocomplete="username" required
                    minlength=USERNAME_MIN.to_string() maxlength=USERNAME_MAX.to_string()
                    autocapitalize="none" spellcheck="false" aria-describedby="username-hint"/>
                <p id="username-hint" class="hint">"Letters, digits, '_' and '.'; others find you by it."</p>
                <label for="register-display-name">"Display name"</label>
                <input id="register-display-name" name="display_name" autocomplete="name" required
                    maxlength=DISPLAY_NAME_MAX.to_string()/>
                <label for="register-password">"Password"</label>
                <input id="register-password" name="password" type="password" autocomplete="new-password"
                    required minlength=PASSWORD_MIN.to_string() maxlength=PASSWORD_MAX.to_string()
                    aria-describedby="password-hint"/>
                <p id="password-hint" class="hint">{format!("At least {PASSWORD_MIN} characters, not a common password.")}</p>
                <FormError message=error/>
                <button type="submit" class="button primary" disabled=pending>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="auth-switch">"Already have an account? " <A href="/login">"Log in"</A></p>
        </AuthCard>
    }
}

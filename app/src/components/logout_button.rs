use super::icons::{Icon, LOGOUT};
use leptos::prelude::*;

/// A plain form, so logging out works with JavaScript off too (the server answers with a
/// redirect to the log-in page). Once the page is live the button ends the session with a
/// server call and then leaves the page with a real navigation: nothing of this person's
/// (store, outbox, socket) may outlive their session in this tab.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let busy = RwSignal::new(false);
    let toasts = crate::components::use_toasts();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::accounts::logout().await {
                Ok(()) => crate::browser::leave_page("/login"),
                Err(e) => {
                    busy.try_set(false);
                    toasts.error(format!("Could not log out: {}", e.message()));
                }
            }
        });
    };
    view! {
        <form method="post" action="/api/accounts/logout" class="logout-form" on:submit=on_submit>
            <button type="submit" class="icon-button" aria-label="Log out" title="Log out" disabled=move || busy.get()>
                <Icon path=LOGOUT/>
            </button>
        </form>
    }
}

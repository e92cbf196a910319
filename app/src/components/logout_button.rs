use crate::accounts::Logout;
use super::icons::{Icon, LOGOUT};
use leptos::prelude::*;

/// A form, so logging out works with JavaScript off too.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let action = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=action attr:class="logout-form">
            <button type="submit" class="icon-button" aria-label="Log out" title="Log out">
                <Icon path=LOGOUT/>
            </button>
        </ActionForm>
    }
}

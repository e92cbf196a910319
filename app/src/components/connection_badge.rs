use crate::realtime::{ConnectionState, use_connection};
use leptos::prelude::*;

/// Says whether the live connection is up; quiet while it is, and before anything tries to
/// connect (the server's render, or a page without JavaScript).
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let state = use_connection().state;
    let class = move || match state.get() {
        ConnectionState::Idle => "connection idle",
        ConnectionState::Online => "connection online",
        ConnectionState::Offline { .. } | ConnectionState::NoNetwork => "connection offline",
        ConnectionState::Connecting => "connection connecting",
    };
    view! {
        <div class=class role="status" aria-live="polite" data-testid="connection-state">
            {move || state.get().label()}
        </div>
    }
}

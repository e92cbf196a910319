use crate::realtime::{use_connection, ConnectionState};
use leptos::prelude::*;

/// Says whether the live connection is up; quiet while it is.
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let state = use_connection().state;
    let class = move || match state.get() {
        ConnectionState::Online => "connection online",
        ConnectionState::Offline { .. } => "connection offline",
        _ => "connection connecting",
    };
    view! {
        <div class=class role="status" aria-live="polite" data-testid="connection-state">
            {move || state.get().label()}
        </div>
    }
}

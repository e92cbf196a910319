use super::icons::{HALF, Icon, MOON, SUN};
use crate::theme::{self, Theme};
use leptos::prelude::*;

/// Cycles system → light → dark. The label names the theme in force now.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let current = RwSignal::new(theme::initial_theme());
    // After hydration the document is the truth (the server read the same cookie).
    Effect::new(move |_| current.set(theme::current()));
    let toggle = move |_| {
        let next = current.get_untracked().next();
        theme::apply(next);
        current.set(next);
    };
    view! {
        <button type="button" class="icon-button" on:click=toggle
            aria-label=move || format!("{} (switch theme)", current.get().label())
            title=move || current.get().label()>
            {move || match current.get() {
                Theme::Dark => view! { <Icon path=MOON/> },
                Theme::Light => view! { <Icon path=SUN/> },
                Theme::System => view! { <Icon path=HALF/> },
            }}
        </button>
    }
}

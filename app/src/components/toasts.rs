//! Toasts: short messages about something that failed in the background (a delete, a flag
//! change), or that finished away from where the user looks (a forward), shown over the page,
//! announced to screen readers (errors as alerts, the rest politely), dismissed by hand or
//! after a few seconds. Inline errors stay where the user is typing; toasts are for the rest.

// Toasts are raised by browser-side code only; the server build renders the empty region.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use leptos::prelude::*;

/// How long a toast stays up unless dismissed.
const TOAST_MS: u32 = 6000;
/// More than this many at once pushes the oldest out.
const MAX_TOASTS: usize = 3;

#[derive(Clone, Debug, PartialEq)]
struct Toast {
    id: u64,
    message: String,
    error: bool,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's one set, for code that runs outside the component tree (event handlers,
    /// spawned tasks), where `use_context` finds nothing.
    static PAGE: std::cell::Cell<Option<Toasts>> = const { std::cell::Cell::new(None) };
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) };
    provide_context(toasts);
    #[cfg(feature = "hydrate")]
    PAGE.with(|page| page.set(Some(toasts)));
    toasts
}

/// The app's toasts; a detached set (never shown) where none was provided, e.g. in tests.
pub fn use_toasts() -> Toasts {
    #[cfg(feature = "hydrate")]
    if let Some(toasts) = use_context::<Toasts>().or_else(|| PAGE.with(std::cell::Cell::get)) {
        return toasts;
    }
    #[cfg(not(feature = "hydrate"))]
    if let Some(toasts) = use_context::<Toasts>() {
        return toasts;
    }
    Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) }
}

impl Toasts {
    pub fn error(&self, message: impl Into<String>) {
        self.show(message.into(), true);
    }

    /// A confirmation of something done ("Forwarded to Kim").
    pub fn info(&self, message: impl Into<String>) {
        self.show(message.into(), false);
    }

    fn show(&self, message: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|items| {
            items.push(Toast { id, message, error });
            let excess = items.len().saturating_sub(MAX_TOASTS);
            items.drain(..excess);
        });
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            gloo_timers::callback::Timeout::new(TOAST_MS, move || this.dismiss(id)).forget();
        }
    }

    pub fn dismiss(&self, id: u64) {
        // The timer may outlive the page's reactive owner; a disposed signal is simply gone.
        let _ = self.items.try_update(|items| items.retain(|t| t.id != id));
    }
}

/// Where toasts appear: bottom centre, above the composer.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="region" aria-label="Notifications">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-info=!toast.error role=if toast.error { "alert" } else { "status" }>
                    <span>{toast.message.clone()}</span>
                    <button type="button" class="icon-button" aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}

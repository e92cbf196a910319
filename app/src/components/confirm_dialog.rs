//! The app's yes/no question: a styled modal dialog instead of the browser's `confirm()`. One
//! per page (in the chat shell); anything asks through [`Confirm::ask`] and gets its answer as
//! a callback, run only on "yes".

use leptos::prelude::*;
use std::sync::Arc;

/// What to ask.
#[derive(Clone)]
pub struct Question {
    pub title: &'static str,
    pub detail: &'static str,
    /// The confirming button's label (says what happens: "Delete for everyone").
    pub confirm: &'static str,
    /// Run on "yes". A plain closure, not a reactive `Callback`: the component that asked (a
    /// menu) is often gone by the time the answer comes, and its reactive values with it.
    pub on_confirm: Arc<dyn Fn() + Send + Sync>,
}

#[derive(Clone, Copy)]
pub struct Confirm {
    asking: RwSignal<Option<Question>>,
}

impl Confirm {
    pub fn ask(&self, question: Question) {
        self.asking.set(Some(question));
    }

    fn answer(&self, yes: bool) {
        let question = self.asking.try_update(Option::take).flatten();
        if let Some(question) = question.filter(|_| yes) {
            (question.on_confirm)();
        }
    }
}

pub fn provide_confirm() -> Confirm {
    let confirm = Confirm { asking: RwSignal::new(None) };
    provide_context(confirm);
    confirm
}

pub fn use_confirm() -> Confirm {
    expect_context::<Confirm>()
}

/// Renders the open question, if any: focus goes to "Cancel" (the safe answer), Esc or a
/// click outside cancels, Tab stays inside.
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let confirm = use_confirm();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    let yes_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if confirm.asking.with(Option::is_some)
            && let Some(button) = cancel_ref.get()
        {
            let _ = button.focus();
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            confirm.answer(false);
        }
        // Two buttons: Tab and Shift+Tab move between them and never leave the dialog.
        "Tab" => {
            ev.prevent_default();
            let on_cancel = cancel_ref.get().is_some_and(|b| crate::browser::is_focused(&b));
            let next = if on_cancel { yes_ref.get().map(|b| b.focus()) } else { cancel_ref.get().map(|b| b.focus()) };
            let _ = next;
        }
        _ => {}
    };
    view! {
        {move || confirm.asking.get().map(|question| view! {
            <div class="dialog-backdrop" on:click=move |_| confirm.answer(false)></div>
            <div class="confirm-dialog" role="alertdialog" aria-modal="true"
                aria-labelledby="confirm-title" aria-describedby="confirm-detail" on:keydown=on_keydown>
                <h2 id="confirm-title">{question.title}</h2>
                <p id="confirm-detail">{question.detail}</p>
                <div class="dialog-actions">
                    <button type="button" class="button secondary" node_ref=cancel_ref
                        on:click=move |_| confirm.answer(false)>"Cancel"</button>
                    <button type="button" class="button danger" node_ref=yes_ref
                        on:click=move |_| confirm.answer(true)>{question.confirm}</button>
                </div>
            </div>
        })}
    }
}

//! Search as you type, the one way every search box in the app asks the server.
//!
//! A box's text drives a [`LocalResource`]: each keystroke re-runs it, and the resource keeps
//! only the answer to its latest run, so an answer to older text that arrives late is dropped
//! by the resource itself. Read the answer inside a `<Transition>` so that a search in flight
//! suspends only its results, not the page around them.

use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

pub struct LiveSearch<T: 'static> {
    /// What the box holds.
    pub text: RwSignal<String>,
    /// `None` while the box is empty (nothing is asked); else the answer to `text`.
    answer: LocalResource<Option<Result<T, AppError>>>,
}

impl<T: 'static> Clone for LiveSearch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for LiveSearch<T> {}

impl<T: Clone + 'static> LiveSearch<T> {
    /// `fetch` asks the server about the trimmed text. Signals it reads before returning its
    /// future (a scope, a filter) are part of the search too: changing one asks again.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(String) -> Fut + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let text = RwSignal::new(String::new());
        let answer = LocalResource::new(move || {
            let query = text.get().trim().to_owned();
            let asked = (!query.is_empty()).then(|| fetch(query));
            async move {
                match asked {
                    Some(answer) => Some(answer.await),
                    None => None,
                }
            }
        });
        Self { text, answer }
    }

    /// What the latest answer found; `None` while nothing is typed (or nothing came back yet).
    pub fn found(&self) -> Option<T> {
        if self.text.with(|t| t.trim().is_empty()) {
            return None;
        }
        self.answer.get().flatten().and_then(Result::ok)
    }

    /// Why the latest search failed, if it did.
    pub fn error(&self) -> Option<String> {
        self.answer.get().flatten().and_then(|answer| answer.err()).map(|e| e.message().to_owned())
    }
}

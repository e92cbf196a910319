//! Tasks that belong to a component: started from its event handlers, cancelled when the
//! component goes away. A late answer (a search result, a saved form) must never reach the
//! signals of a panel that has been closed: reading a disposed signal panics, and one panic
//! in a `spawn_local` task poisons the page's executor (`RefCell already borrowed`).
//!
//! Event handlers run outside any reactive owner, so `spawn_local_scoped_with_cancellation`
//! called there would cancel nothing; [`Tasks`] remembers the owner of the component that
//! created it and spawns under that owner instead. Tasks that serve the whole page (the
//! socket loop) keep using `spawn_local`.

use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;
use std::future::Future;

#[derive(Clone, Copy)]
pub struct Tasks {
    owner: StoredValue<Option<WeakOwner>>,
}

impl Tasks {
    /// Call in the component's body: its owner is the one tasks are tied to.
    pub fn new() -> Self {
        Self { owner: StoredValue::new(Owner::current().map(|owner| owner.downgrade())) }
    }

    /// Runs `task` until it ends or the component is cleaned up; does nothing once the
    /// component is gone.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        let Some(owner) = self.owner.try_with_value(|o| o.as_ref().and_then(WeakOwner::upgrade)).flatten() else {
            return;
        };
        owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
    }
}

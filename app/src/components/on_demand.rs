//! UI that loads on first use. A feature opened by a click (the emoji picker, the image viewer,
//! a sidebar panel) is a `#[lazy]` function returning its view: `cargo leptos --split` moves its
//! code into a WASM chunk of its own, fetched the first time the function is called; on the
//! server it is a plain async function. [`OnDemand`] renders such a function's view in place,
//! and nothing while its chunk is on the way (a chunk is a few KB, fetched in milliseconds; an
//! empty fallback avoids a flash of "Loading…").

use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

/// What a `#[lazy]` view function's call is, boxed. In the browser the chunk loader's future
/// is not `Send` (there is one thread); on the server it is, as `Suspend` requires.
#[cfg(feature = "hydrate")]
pub type LazyView = Pin<Box<dyn Future<Output = AnyView>>>;
#[cfg(not(feature = "hydrate"))]
pub type LazyView = Pin<Box<dyn Future<Output = AnyView> + Send>>;

/// Renders `view()` once its code is loaded. `view` is called again only if a signal it reads
/// changes, which the callers here avoid: they read their props untracked.
#[component]
pub fn OnDemand(view: impl Fn() -> LazyView + Send + Sync + 'static) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(sendable(view()))}
        </Suspense>
    }
}

#[cfg(feature = "hydrate")]
fn sendable(view: LazyView) -> impl Future<Output = AnyView> + Send {
    // The browser has one thread: nothing here is ever touched from another.
    send_wrapper::SendWrapper::new(view)
}

#[cfg(not(feature = "hydrate"))]
fn sendable(view: LazyView) -> LazyView {
    view
}

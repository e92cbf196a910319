use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::set_status(shared::ErrorCode::NotFound);
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <A href="/" attr:class="button primary">"Go to the start page"</A>
            </div>
        </main>
    }
}

use crate::components::BrandMark;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The logged-out front page. (Logged-in visitors are sent on to /chat by the server.)
#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text=""/>
        <main class="landing">
            <section class="landing-hero" aria-labelledby="landing-title">
                <BrandMark/>
                <h1 id="landing-title">"Messenger"</h1>
                <p class="tagline">"Fast, private conversations, right in your browser."</p>
                <ul class="feature-list">
                    <li>"One-to-one and group chats that arrive the moment they are sent"</li>
                    <li>"Delivery and read ticks, typing and presence"</li>
                    <li>"Photos, documents and voice notes"</li>
                </ul>
                <div class="landing-actions">
                    <A href="/register" attr:class="button primary">"Create an account"</A>
                    <A href="/login" attr:class="button secondary">"Log in"</A>
                </div>
            </section>
        </main>
    }
}

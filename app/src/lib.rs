//! The Leptos application, rendered on the server and hydrated in the browser.
//!
//! Pages live in `pages/`, reusable pieces in `components/`, server function declarations next
//! to the domain they serve (`accounts`). Nothing here touches the database: on the server,
//! server functions call the [`backend::Backend`] that the `server` crate provides as context.

#![recursion_limit = "256"]

pub mod accounts;
#[cfg(feature = "ssr")]
pub mod backend;
mod browser;
mod components;
pub mod conversations;
pub mod error;
mod live_search;
mod media;
pub mod messages;
mod notify;
mod pages;
pub mod people;
pub mod realtime;
pub mod store;
mod tasks;
mod theme;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use components::ToastRegion;
pub use error::AppError;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    backend::provide_request_nonce();
    let theme = theme::initial_theme();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme.attr()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    realtime::provide_connection();
    store::provide_store();
    components::provide_toasts();

    view! {
        <Stylesheet id="leptos" href="/pkg/messenger.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Link rel="manifest" href="/manifest.webmanifest"/>
        <Meta name="color-scheme" content="light dark"/>
        <Meta name="description" content="A fast, private web messenger."/>
        <Title formatter=|title: String| if title.is_empty() { "Messenger".to_owned() } else { format!("{title} · Messenger") }/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::Landing/>
                <Route path=path!("/login") view=pages::Login/>
                <Route path=path!("/register") view=pages::Register/>
                // Async: the whole chat is in the first HTML, so it reads without JavaScript.
                <ParentRoute path=path!("/chat") view=pages::Chat ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::NoConversation/>
                    <Route path=path!(":id") view=pages::ConversationPane/>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastRegion/>
    }
}

//! The full-size photo viewer: a modal dialog over the whole app with the photo, its caption,
//! a Download link and Close. Esc, the Close button or a click on the backdrop close it; Tab
//! stays between its two controls.

use leptos::prelude::*;
use shared::Attachment;

#[component]
fn ImageViewer(attachment: Attachment, caption: String, on_close: Callback<()>) -> impl IntoView {
    let close_ref = NodeRef::<leptos::html::Button>::new();
    let download_ref = NodeRef::<leptos::html::A>::new();
    Effect::new(move |_| {
        // Loaded on demand, the viewer is built before it is in the document: focus once it is.
        if let Some(el) = close_ref.get() {
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |ev| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            ev.prevent_default();
            focus_other(download_ref, close_ref);
        }
        _ => {}
    });
    on_cleanup(move || keys.remove());
    let alt = if caption.trim().is_empty() { "Photo".to_owned() } else { caption.clone() };
    view! {
        <div class="media-viewer" role="dialog" aria-modal="true" aria-label="Photo"
            on:click=move |_| on_close.run(())>
            <div class="media-viewer-bar" on:click=|ev| ev.stop_propagation()>
                <span class="media-viewer-name">{attachment.name.clone()}</span>
                <a class="icon-button" node_ref=download_ref href=attachment.url() download=attachment.name.clone() aria-label="Download photo" title="Download">
                    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path fill="currentColor" d="M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z"/></svg>
                </a>
                <button type="button" class="icon-button" node_ref=close_ref aria-label="Close" title="Close (Esc)"
                    on:click=move |_| on_close.run(())>"×"</button>
            </div>
            <img class="media-viewer-image" src=attachment.url() alt=alt on:click=|ev| ev.stop_propagation()/>
            {(!caption.trim().is_empty()).then(|| view! { <p class="media-viewer-caption" on:click=|ev| ev.stop_propagation()>{caption.clone()}</p> })}
        </div>
    }
}

/// Moves focus to whichever of the viewer's two controls does not have it.
fn focus_other(download: NodeRef<leptos::html::A>, close: NodeRef<leptos::html::Button>) {
    #[cfg(feature = "hydrate")]
    {
        let active = document().active_element();
        let on_close = close.get_untracked().is_some_and(|c| active.as_deref() == Some(c.as_ref()));
        let _ = if on_close {
            download.get_untracked().map(|d| d.focus())
        } else {
            close.get_untracked().map(|c| c.focus())
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (download, close);
}

/// The viewer, loaded with the first photo opened (see `OnDemand`).
#[lazy]
pub fn image_viewer(attachment: Attachment, caption: String, on_close: Callback<()>) -> AnyView {
    view! { <ImageViewer attachment caption on_close/> }.into_any()
}

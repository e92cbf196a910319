//! An attachment inside a bubble: a photo thumbnail that opens the viewer, a document card, or
//! a voice-note player. The caption is the bubble's text, shown under it by the bubble.

use super::document_card::DocumentCard;
use super::image_viewer::image_viewer;
use super::voice_player::VoicePlayer;
use crate::components::{LazyView, OnDemand};
use crate::media::fit;
use leptos::prelude::*;
use shared::{Attachment, AttachmentKind};

/// Largest box a thumbnail is shown in, in CSS pixels.
const THUMB_BOX: (u32, u32) = (300, 320);

#[component]
pub fn AttachmentView(attachment: Attachment, #[prop(optional)] caption: String) -> impl IntoView {
    match attachment.kind {
        AttachmentKind::Image => view! { <Photo attachment caption/> }.into_any(),
        AttachmentKind::Document => view! { <DocumentCard attachment/> }.into_any(),
        AttachmentKind::Voice => view! { <VoicePlayer attachment/> }.into_any(),
    }
}

#[component]
fn Photo(attachment: Attachment, caption: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let (width, height) = fit(attachment.width, attachment.height, THUMB_BOX.0, THUMB_BOX.1);
    let alt = if caption.trim().is_empty() { "Photo".to_owned() } else { format!("Photo: {caption}") };
    let close = Callback::new(move |()| {
        open.set(false);
        // Back to where the reader was.
        if let Some(el) = button.get_untracked() {
            let _ = el.focus();
        }
    });
    let src = attachment.thumb_url();
    // On <body>, outside the thread's scrolling and its live region.
    let viewer = move || {
        let (attachment, caption) = (attachment.clone(), caption.clone());
        let load = move || -> LazyView { Box::pin(image_viewer(attachment.clone(), caption.clone(), close)) };
        view! {
            <leptos::portal::Portal>
                <OnDemand view=load.clone()/>
            </leptos::portal::Portal>
        }
    };
    view! {
        <button type="button" class="photo-thumb" node_ref=button aria-label="Open photo" aria-haspopup="dialog"
            style:aspect-ratio=format!("{width} / {height}") style:width=format!("{width}px")
            on:click=move |_| open.set(true)>
            <img src=src alt=alt width=width height=height loading="lazy" decoding="async"/>
        </button>
        <Show when=move || open.get()>{viewer.clone()}</Show>
    }
}

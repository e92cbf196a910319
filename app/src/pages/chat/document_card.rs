//! A document in a bubble (and in the preview sheet): a type icon, the name, the size and a
//! Download link. Documents are never rendered inline; the server serves them as downloads.

use crate::media::type_label;
use leptos::prelude::*;
use shared::Attachment;
use shared::media::format_size;

/// A page with a folded corner and a short type label ("PDF"), coloured by type.
#[component]
pub fn DocIcon(label: String) -> impl IntoView {
    let class = format!("doc-icon doc-{}", label.to_ascii_lowercase());
    view! {
        <span class=class aria-hidden="true">
            <svg viewBox="0 0 32 40" width="32" height="40"><path d="M3 1h18l10 10v26a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2z" fill="currentColor"/><path d="M21 1v8a2 2 0 0 0 2 2h8" fill="rgb(255 255 255 / 45%)"/></svg>
            <span class="doc-label">{label}</span>
        </span>
    }
}

#[component]
pub fn DocumentCard(attachment: Attachment) -> impl IntoView {
    let label = type_label(&attachment.mime, &attachment.name);
    let details = format!("{} · {}", label, format_size(attachment.size));
    let download = format!("Download {}", attachment.name);
    view! {
        <div class="doc-card">
            <DocIcon label/>
            <div class="doc-text">
                <span class="doc-name">{attachment.name.clone()}</span>
                <span class="doc-details">{details}</span>
            </div>
            <a class="icon-button doc-download" href=attachment.url() download=attachment.name.clone() aria-label=download title="Download">
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path fill="currentColor" d="M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z"/></svg>
            </a>
        </div>
    }
}

//! The preview sheet between picking a file and sending it: the image (or a document card),
//! a caption, the 4 MB limit, and Send / Cancel. Send uploads with a progress bar (Cancel then
//! aborts it); on success the message goes through the outbox like any other.

use super::attach::{Picked, use_attach};
use super::document_card::DocIcon;
use super::message_bubble::ComposeMode;
use crate::components::OnDemand;
use crate::media::{LIMIT_HINT, check_size, type_label};
use crate::realtime::use_connection;
use crate::store::use_store;
use leptos::prelude::*;
use shared::ConversationId;
use shared::limits::MESSAGE_MAX_CHARS;
use shared::media::format_size;

/// Shows the sheet while a file is picked; its code loads with the first file picked.
#[component]
pub fn AttachSheet(id: ConversationId, mode: RwSignal<ComposeMode>) -> impl IntoView {
    let attach = use_attach();
    view! {
        <Show when=move || attach.picked.with(Option::is_some)>
            <OnDemand view=move || Box::pin(attach_sheet(id, mode))/>
        </Show>
    }
}

#[lazy]
fn attach_sheet(id: ConversationId, mode: RwSignal<ComposeMode>) -> AnyView {
    let attach = use_attach();
    view! {
        {move || attach.picked.get().map(|picked| view! { <Sheet id mode picked/> })}
    }
    .into_any()
}

#[component]
fn Sheet(id: ConversationId, mode: RwSignal<ComposeMode>, picked: Picked) -> impl IntoView {
    let attach = use_attach();
    let store = use_store();
    let connection = use_connection();
    let caption = RwSignal::new(String::new());
    let too_big = check_size(picked.size).err();
    let blocked = too_big.is_some();
    let error = RwSignal::new(too_big);
    // Some(fraction) while uploading.
    let progress = RwSignal::new(None::<f64>);
    #[cfg(feature = "hydrate")]
    let upload = StoredValue::new_local(None::<crate::media::upload::Upload>);
    let caption_ref = NodeRef::<leptos::html::Input>::new();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    // Focus into the sheet: the caption, or Cancel when the file cannot be sent.
    // Loaded on demand, the sheet is built before it is in the document: focus once it is.
    Effect::new(move |_| {
        if blocked {
            if let Some(el) = cancel_ref.get() {
                request_animation_frame(move || {
                    let _ = el.focus();
                });
            }
        } else if let Some(el) = caption_ref.get() {
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    // Leaving the chat mid-upload abandons the upload.
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        if let Some(Some(handle)) = upload.try_with_value(|u| u.clone()) {
            handle.abort();
        }
    });

    let cancel = move || {
        #[cfg(feature = "hydrate")]
        if let Some(handle) = upload.with_value(|u| u.clone()) {
            handle.abort();
        }
        attach.close();
    };
    // Esc cancels wherever the focus is (the sheet covers the whole conversation).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            cancel();
        }
    });
    on_cleanup(move || keys.remove());
    let send = move || {
        if progress.get_untracked().is_some() || blocked {
            return;
        }
        let body = caption.get_untracked().trim().to_owned();
        if body.chars().count() > MESSAGE_MAX_CHARS {
            error.set(Some(format!("A caption can be at most {MESSAGE_MAX_CHARS} characters.")));
            return;
        }
        error.set(None);
        #[cfg(feature = "hydrate")]
        {
            use crate::media::upload::{self, UploadError};
            let Some((file, name)) =
                attach.picked.with_untracked(|p| p.as_ref().map(|p| (p.file.clone(), p.name.clone())))
            else {
                return;
            };
            progress.set(Some(0.0));
            let on_progress = move |fraction| {
                progress.try_set(Some(fraction));
            };
            match upload::start(id, &file, &name, None, on_progress) {
                Err(UploadError::Failed(message)) => {
                    progress.set(None);
                    error.set(Some(message));
                }
                Err(UploadError::Cancelled) => progress.set(None),
                Ok((handle, done)) => {
                    upload.set_value(Some(handle));
                    leptos::task::spawn_local(async move {
                        let result = done.await;
                        upload.try_set_value(None);
                        match result {
                            Ok(attachment) => {
                                let reply_to = match mode.get_untracked() {
                                    ComposeMode::Reply(m) => Some(m.id),
                                    _ => None,
                                };
                                super::send::send_message(store, connection, id, body, reply_to, Some(attachment));
                                mode.set(ComposeMode::New);
                                attach.close();
                            }
                            Err(UploadError::Cancelled) => {}
                            Err(UploadError::Failed(message)) => {
                                progress.try_set(None);
                                error.try_set(Some(message));
                            }
                        }
                    });
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, body, store, connection, mode);
    };

    let title = if picked.is_image() { "Send photo" } else { "Send document" };
    let size_text = format!("{} · {}", LIMIT_HINT, format_size(picked.size));
    let preview = match picked.preview_url.clone() {
        Some(url) => view! { <img class="attach-image" src=url alt=format!("Preview of {}", picked.name)/> }.into_any(),
        None => view! {
            <div class="doc-card large">
                <DocIcon label=type_label(&picked.mime, &picked.name)/>
                <div class="doc-text">
                    <span class="doc-name">{picked.name.clone()}</span>
                    <span class="doc-details">{format_size(picked.size)}</span>
                </div>
            </div>
        }
        .into_any(),
    };
    view! {
        <div class="attach-sheet" role="dialog" aria-labelledby="attach-sheet-title">
            <h2 id="attach-sheet-title">{title}</h2>
            <div class="attach-preview">{preview}</div>
            <div class="attach-footer">
                <p class="hint">{size_text}</p>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {move || progress.get().map(|p| {
                    let percent = (p * 100.0).round() as u32;
                    view! {
                        <div class="upload-progress">
                            <progress max="100" value=percent aria-label="Upload progress"></progress>
                            <span>{format!("Uploading… {percent}%")}</span>
                        </div>
                    }
                })}
                <label for="attach-caption" class="visually-hidden">"Caption"</label>
                <input id="attach-caption" class="attach-caption" type="text" placeholder="Add a caption" node_ref=caption_ref
                    maxlength=MESSAGE_MAX_CHARS.to_string() autocomplete="off" disabled=blocked
                    prop:value=caption on:input=move |ev| caption.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            send();
                        }
                    }/>
                <div class="attach-actions">
                    <button type="button" class="button secondary" node_ref=cancel_ref on:click=move |_| cancel()>
                        {move || if progress.get().is_some() { "Cancel upload" } else { "Cancel" }}
                    </button>
                    <button type="button" class="button primary" disabled=move || blocked || progress.get().is_some()
                        on:click=move |_| send()>"Send"</button>
                </div>
            </div>
        </div>
    }
}

//! Choosing a file to send: the paperclip (a hidden file input), dropping a file on the
//! conversation, or pasting one. Each path ends in [`Attach::pick`], which opens the preview
//! sheet; nothing is uploaded before the user presses Send there.

use leptos::prelude::*;

/// A file chosen for sending, not yet uploaded.
#[derive(Clone)]
pub struct Picked {
    pub name: String,
    pub size: u64,
    pub mime: String,
    /// An object URL for previewing images; revoked when the sheet closes.
    pub preview_url: Option<String>,
    #[cfg(feature = "hydrate")]
    pub file: web_sys::File,
}

impl Picked {
    pub fn is_image(&self) -> bool {
        crate::media::IMAGE_TYPES.contains(&self.mime.as_str())
    }
}

/// A picked `web_sys::File` may only be touched on the thread that made it, so in the browser
/// the signal is thread-local. On the server it holds no `File`, and a streamed SSR response
/// may be finished (and its signals dropped) on another worker thread, which a thread-local
/// signal answers with a panic: there it is an ordinary one.
#[cfg(feature = "hydrate")]
type PickedStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
type PickedStorage = SyncStorage;

/// The open conversation's attachment state, provided by the conversation view.
#[derive(Clone, Copy)]
pub struct Attach {
    pub picked: RwSignal<Option<Picked>, PickedStorage>,
}

pub fn provide_attach() -> Attach {
    let attach = Attach { picked: RwSignal::new_with_storage(None) };
    provide_context(attach);
    attach
}

pub fn use_attach() -> Attach {
    expect_context::<Attach>()
}

impl Attach {
    #[cfg(feature = "hydrate")]
    pub fn pick(&self, file: web_sys::File) {
        let mime = file.type_();
        let preview_url = crate::media::IMAGE_TYPES
            .contains(&mime.as_str())
            .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
            .flatten();
        let name = shared::media::clean_file_name(&file.name(), "file");
        self.close();
        self.picked.set(Some(Picked { name, size: file.size() as u64, mime, preview_url, file }));
    }

    /// Closes the sheet and frees the preview.
    pub fn close(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(url) = self.picked.with_untracked(|p| p.as_ref().and_then(|p| p.preview_url.clone())) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        self.picked.set(None);
    }
}

/// The first file of a drop or a paste, if it carried any.
#[cfg(feature = "hydrate")]
fn first_file(data: Option<web_sys::DataTransfer>) -> Option<web_sys::File> {
    data.and_then(|d| d.files()).and_then(|files| files.get(0))
}

/// Whether a drag carries files (not text or a link from the page).
fn carries_files(ev: &leptos::ev::DragEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        ev.data_transfer().is_some_and(|d| d.types().includes(&wasm_bindgen::JsValue::from_str("Files"), 0))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

/// Wraps the conversation: files dropped or pasted anywhere on it open the preview sheet. While
/// the sheet covers it, the conversation is inert (no focus, no clicks behind the sheet).
#[component]
pub fn DropZone(children: Children) -> impl IntoView {
    let attach = use_attach();
    // dragenter/dragleave fire for every child crossed: count them.
    let depth = RwSignal::new(0i32);
    view! {
        <div class="drop-zone" inert=move || attach.picked.with(Option::is_some)
            on:dragenter=move |ev| {
                if carries_files(&ev) {
                    ev.prevent_default();
                    depth.update(|d| *d += 1);
                }
            }
            on:dragover=move |ev| {
                if carries_files(&ev) {
                    ev.prevent_default();
                }
            }
            on:dragleave=move |_| depth.update(|d| *d = (*d - 1).max(0))
            on:drop=move |ev| {
                depth.set(0);
                #[cfg(feature = "hydrate")]
                if let Some(file) = first_file(ev.data_transfer()) {
                    ev.prevent_default();
                    attach.pick(file);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (ev, attach);
            }
            on:paste=move |ev| {
                #[cfg(feature = "hydrate")]
                if let Some(file) = first_file(ev.clipboard_data()) {
                    ev.prevent_default();
                    attach.pick(file);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
        >
            {children()}
            <Show when=move || { depth.get() > 0 }>
                <div class="drop-hint" aria-hidden="true"><p>"Drop a file to send it"</p><p class="hint">{crate::media::LIMIT_HINT}</p></div>
            </Show>
        </div>
    }
}

/// The paperclip: opens the system file picker.
#[component]
pub fn AttachButton() -> impl IntoView {
    let attach = use_attach();
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <button type="button" class="icon-button attach-button" aria-label="Attach a file" title=format!("Attach a file ({})", crate::media::LIMIT_HINT)
            on:click=move |_| {
                if let Some(input) = input.get_untracked() {
                    input.click();
                }
            }>
            <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></svg>
        </button>
        <input type="file" node_ref=input hidden accept=crate::media::ACCEPT tabindex="-1"
            on:change=move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(el) = input.get_untracked() {
                    if let Some(file) = el.files().and_then(|f| f.get(0)) {
                        attach.pick(file);
                    }
                    // Choosing the same file again must fire `change` again.
                    el.set_value("");
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = attach;
            }/>
    }
}

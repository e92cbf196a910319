//! `POST /api/media` with `XMLHttpRequest` and `FormData` (fetch has no upload progress): text
//! fields first, then the file. Reports progress, can be aborted, and turns every failure into
//! a sentence a person can act on (the server's `ApiError.message` when it sent one).

use futures::channel::oneshot;
use futures::future::{FutureExt, LocalBoxFuture};
use shared::{ApiError, Attachment, ConversationId};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, FormData, ProgressEvent, XmlHttpRequest};

/// A voice note's measurements, sent with its upload for the server to check.
pub struct VoiceMeta {
    pub duration_ms: u32,
    pub waveform: Vec<u8>,
}

#[derive(Debug, PartialEq)]
pub enum UploadError {
    /// The user pressed Cancel.
    Cancelled,
    /// Anything else, as a message to show.
    Failed(String),
}

/// An upload in flight; [`Upload::abort`] cancels it.
#[derive(Clone)]
pub struct Upload {
    xhr: XmlHttpRequest,
}

impl Upload {
    pub fn abort(&self) {
        let _ = self.xhr.abort();
    }
}

type Outcome = Result<Attachment, UploadError>;

/// Starts uploading `file` as `name` into `conversation`. `on_progress` gets 0.0..=1.0. The
/// returned future resolves once the server has answered (or the upload failed or was aborted).
pub fn start(
    conversation: ConversationId,
    file: &Blob,
    name: &str,
    voice: Option<&VoiceMeta>,
    on_progress: impl Fn(f64) + 'static,
) -> Result<(Upload, LocalBoxFuture<'static, Outcome>), UploadError> {
    let failed = |_| UploadError::Failed("The upload could not start.".to_owned());
    let form = FormData::new().map_err(failed)?;
    form.append_with_str("conversation_id", &conversation.0.to_string()).map_err(failed)?;
    if let Some(voice) = voice {
        let waveform: Vec<String> = voice.waveform.iter().map(u8::to_string).collect();
        form.append_with_str("kind", "voice").map_err(failed)?;
        form.append_with_str("duration_ms", &voice.duration_ms.to_string()).map_err(failed)?;
        form.append_with_str("waveform", &waveform.join(",")).map_err(failed)?;
    }
    form.append_with_blob_and_filename("file", file, name).map_err(failed)?;
    send(form, on_progress)
}

/// Uploads a profile picture (`kind=avatar`, no conversation); then `accounts/set_avatar`.
pub fn start_avatar(
    file: &Blob,
    name: &str,
    on_progress: impl Fn(f64) + 'static,
) -> Result<(Upload, LocalBoxFuture<'static, Outcome>), UploadError> {
    let failed = |_| UploadError::Failed("The upload could not start.".to_owned());
    let form = FormData::new().map_err(failed)?;
    form.append_with_str("kind", "avatar").map_err(failed)?;
    form.append_with_blob_and_filename("file", file, name).map_err(failed)?;
    send(form, on_progress)
}

fn send(
    form: FormData,
    on_progress: impl Fn(f64) + 'static,
) -> Result<(Upload, LocalBoxFuture<'static, Outcome>), UploadError> {
    let failed = |_| UploadError::Failed("The upload could not start.".to_owned());
    let xhr = XmlHttpRequest::new().map_err(failed)?;
    xhr.open_with_async("POST", "/api/media", true).map_err(failed)?;
    xhr.set_request_header("Accept", "application/json").map_err(failed)?;

    let (tx, rx) = oneshot::channel::<Outcome>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = move |outcome: Outcome| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(outcome);
        }
    };
    let onload = {
        let (xhr, finish) = (xhr.clone(), finish.clone());
        Closure::<dyn FnMut()>::new(move || finish(outcome(&xhr)))
    };
    let onerror = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            finish(Err(UploadError::Failed("The upload failed: check your connection and try again.".to_owned())))
        })
    };
    let onabort = Closure::<dyn FnMut()>::new(move || finish(Err(UploadError::Cancelled)));
    let onprogress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            on_progress((ev.loaded() / ev.total()).clamp(0.0, 1.0));
        }
    });
    xhr.set_onload(Some(onload.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(onabort.as_ref().unchecked_ref()));
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(onprogress.as_ref().unchecked_ref()));
    }
    xhr.send_with_opt_form_data(Some(&form)).map_err(failed)?;

    let done = async move {
        // The callbacks live as long as the request can still call them.
        let _alive = (onload, onerror, onabort, onprogress);
        rx.await.unwrap_or(Err(UploadError::Cancelled))
    };
    Ok((Upload { xhr }, done.boxed_local()))
}

/// Reads the server's answer: 201 with the attachment, or an `ApiError`.
fn outcome(xhr: &XmlHttpRequest) -> Outcome {
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 201 || status == 200 {
        return serde_json::from_str(&text)
            .map_err(|_| UploadError::Failed("The server's answer could not be read.".to_owned()));
    }
    let message = serde_json::from_str::<ApiError>(&text).map(|e| e.message).unwrap_or_else(|_| match status {
        413 => "This file is too large. Files can be up to 4 MB.".to_owned(),
        415 => "This type of file cannot be sent.".to_owned(),
        429 => "Too many uploads. Wait a moment and try again.".to_owned(),
        401 => "Your session has ended. Log in again.".to_owned(),
        _ => format!("The upload failed (HTTP {status})."),
    });
    Err(UploadError::Failed(message))
}

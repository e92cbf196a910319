//! Voice recording with `getUserMedia` and `MediaRecorder`: Opus in WebM where the browser
//! supports it, else MP4 (Safari), else whatever the browser records by default. The
//! microphone is released (its tracks stopped) whether the note is sent or cancelled.

use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamConstraints,
};

const PREFERRED_TYPES: [&str; 2] = ["audio/webm;codecs=opus", "audio/mp4"];
/// Plenty for speech, and it keeps the longest note (15 min ≈ 3.6 MB) under the 4 MB upload
/// limit; browsers default to ~128 kbit/s, which would fill it in about four minutes.
const BITS_PER_SECOND: u32 = 32_000;

/// Why recording could not start, as a person would want to hear it.
#[derive(Debug)]
pub enum RecordError {
    Denied,
    NoMicrophone,
    Unsupported,
    Failed,
}

impl RecordError {
    pub fn message(&self) -> &'static str {
        match self {
            Self::Denied => {
                "Microphone access was denied. Allow it in your browser's site settings to record voice messages."
            }
            Self::NoMicrophone => "No microphone was found. Connect one to record voice messages.",
            Self::Unsupported => "This browser cannot record voice messages.",
            Self::Failed => "The recording failed. Try again.",
        }
    }

    fn from_js(error: &JsValue) -> Self {
        let name = error.dyn_ref::<web_sys::DomException>().map(|e| e.name()).unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => Self::Denied,
            "NotFoundError" | "DevicesNotFoundError" | "OverconstrainedError" => Self::NoMicrophone,
            "NotSupportedError" => Self::Unsupported,
            _ => Self::Failed,
        }
    }
}

/// A recording in progress.
pub struct Recorder {
    recorder: MediaRecorder,
    stream: MediaStream,
    chunks: Rc<RefCell<Vec<Blob>>>,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
}

impl Recorder {
    /// Asks for the microphone (the browser may prompt) and starts recording.
    pub async fn start() -> Result<Self, RecordError> {
        let window = web_sys::window().ok_or(RecordError::Unsupported)?;
        let has_recorder = js_sys::Reflect::has(&window, &JsValue::from_str("MediaRecorder")).unwrap_or(false);
        let devices = window.navigator().media_devices().map_err(|_| RecordError::Unsupported)?;
        if !has_recorder {
            return Err(RecordError::Unsupported);
        }
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| RecordError::from_js(&e))?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(|e| RecordError::from_js(&e))?
            .dyn_into()
            .map_err(|_| RecordError::Failed)?;

        let options = MediaRecorderOptions::new();
        options.set_audio_bits_per_second(BITS_PER_SECOND);
        if let Some(mime) = PREFERRED_TYPES.into_iter().find(|t| MediaRecorder::is_type_supported(t)) {
            options.set_mime_type(mime);
        }
        let recorder = match MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options) {
            Ok(recorder) => recorder,
            Err(e) => {
                stop_tracks(&stream);
                return Err(RecordError::from_js(&e));
            }
        };
        let chunks = Rc::new(RefCell::new(Vec::new()));
        let on_data = {
            let chunks = chunks.clone();
            Closure::<dyn FnMut(BlobEvent)>::new(move |ev: BlobEvent| {
                if let Some(data) = ev.data().filter(|d| d.size() > 0.0) {
                    chunks.borrow_mut().push(data);
                }
            })
        };
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        // Chunks every quarter second, so stopping loses at most that much.
        if let Err(e) = recorder.start_with_time_slice(250) {
            stop_tracks(&stream);
            return Err(RecordError::from_js(&e));
        }
        Ok(Self { recorder, stream, chunks, _on_data: on_data })
    }

    /// The container the browser records into, without codec parameters ("audio/webm").
    pub fn mime(&self) -> String {
        self.recorder.mime_type().split(';').next().unwrap_or("").trim().to_owned()
    }

    /// Stops, releases the microphone and returns the recording.
    pub async fn finish(self) -> Result<Blob, RecordError> {
        let (tx, rx) = oneshot::channel::<()>();
        let tx = RefCell::new(Some(tx));
        let on_stop = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        });
        self.recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        let stopped = self.recorder.stop();
        stop_tracks(&self.stream);
        if stopped.is_ok() {
            let _ = rx.await;
        }
        self.recorder.set_onstop(None);
        let parts = js_sys::Array::new();
        for chunk in self.chunks.borrow().iter() {
            parts.push(chunk);
        }
        let bag = BlobPropertyBag::new();
        bag.set_type(&self.mime());
        Blob::new_with_blob_sequence_and_options(&parts, &bag).map_err(|_| RecordError::Failed)
    }

    /// Stops and throws the recording away.
    pub fn cancel(self) {
        self.recorder.set_ondataavailable(None);
        let _ = self.recorder.stop();
        stop_tracks(&self.stream);
    }
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// A file name for the recording, by container.
pub fn file_name(mime: &str) -> &'static str {
    match mime {
        "audio/mp4" => "voice-message.m4a",
        "audio/ogg" => "voice-message.ogg",
        _ => "voice-message.webm",
    }
}

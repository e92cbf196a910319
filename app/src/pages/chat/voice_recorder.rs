//! Voice notes from the composer: the microphone button (shown while the text box is empty),
//! then a recording bar with a red dot, the elapsed time, Cancel and Send. Sending stops the
//! recorder, measures duration and waveform from the decoded audio, uploads with
//! `kind=voice`, and queues the message like any other. A refused or missing microphone is an
//! inline message; the composer keeps working.

use super::message_bubble::ComposeMode;
use crate::media::clock;
use crate::realtime::Connection;
use crate::store::ChatStore;
use leptos::prelude::*;
use shared::ConversationId;

/// Shortest note worth sending (the server refuses under 0.3 s).
#[cfg(feature = "hydrate")]
const MIN_MS: u32 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// Waiting for the microphone (the browser may be asking the user).
    Starting,
    Recording,
    /// Measuring and uploading.
    Sending,
}

/// One composer's recording: its phase and what it needs to send the note.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), expect(dead_code, reason = "sending is browser-only"))]
pub struct VoiceRecording {
    pub phase: RwSignal<Phase>,
    pub elapsed_ms: RwSignal<u32>,
    pub progress: RwSignal<f64>,
    conversation: ConversationId,
    mode: RwSignal<ComposeMode>,
    error: RwSignal<Option<String>>,
    store: ChatStore,
    connection: Connection,
    #[cfg(feature = "hydrate")]
    live: StoredValue<Live, LocalStorage>,
}

/// The browser objects of a recording in progress.
#[cfg(feature = "hydrate")]
#[derive(Default)]
struct Live {
    recorder: Option<crate::media::recorder::Recorder>,
    upload: Option<crate::media::upload::Upload>,
    ticker: Option<IntervalHandle>,
    started_at: f64,
}

impl VoiceRecording {
    pub fn new(
        conversation: ConversationId,
        mode: RwSignal<ComposeMode>,
        error: RwSignal<Option<String>>,
        store: ChatStore,
        connection: Connection,
    ) -> Self {
        let this = Self {
            phase: RwSignal::new(Phase::Idle),
            elapsed_ms: RwSignal::new(0),
            progress: RwSignal::new(0.0),
            conversation,
            mode,
            error,
            store,
            connection,
            #[cfg(feature = "hydrate")]
            live: StoredValue::new_local(Live::default()),
        };
        // Leaving the chat releases the microphone and drops the note. Only the browser objects:
        // a signal written while its owner is being disposed wakes views that are going away
        // too, and they re-run after their signals are gone (the chat-switch crash).
        on_cleanup(move || this.release());
        this
    }

    pub fn active(&self) -> bool {
        self.phase.get() != Phase::Idle
    }

    pub fn start(self) {
        if self.phase.get_untracked() != Phase::Idle {
            return;
        }
        self.error.set(None);
        self.phase.set(Phase::Starting);
        // The recorder's code (MediaRecorder, decoding, the waveform, the upload) loads with the
        // first note recorded.
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(begin(self));
    }

    #[cfg(feature = "hydrate")]
    fn tick(self, started_at: f64) {
        let elapsed = (js_sys::Date::now() - started_at).max(0.0) as u32;
        self.elapsed_ms.try_set(elapsed);
        if elapsed >= shared::media::VOICE_MAX_MS {
            self.send();
        }
    }

    /// Throws the recording (or the upload in flight) away.
    pub fn cancel(self) {
        self.release();
        self.phase.try_set(Phase::Idle);
    }

    /// Stops the microphone, the ticker and any upload; touches no signal, so it is safe in
    /// `on_cleanup`.
    fn release(self) {
        #[cfg(feature = "hydrate")]
        if let Some(live) = self.live.try_update_value(std::mem::take) {
            if let Some(ticker) = live.ticker {
                ticker.clear();
            }
            if let Some(recorder) = live.recorder {
                recorder.cancel();
            }
            if let Some(upload) = live.upload {
                upload.abort();
            }
        }
    }

    pub fn send(self) {
        if self.phase.get_untracked() != Phase::Recording {
            return;
        }
        self.phase.set(Phase::Sending);
        self.progress.set(0.0);
        #[cfg(feature = "hydrate")]
        {
            let live = self.live.try_update_value(std::mem::take).unwrap_or_default();
            if let Some(ticker) = live.ticker {
                ticker.clear();
            }
            let Some(recorder) = live.recorder else {
                self.phase.set(Phase::Idle);
                return;
            };
            let wall_ms = (js_sys::Date::now() - live.started_at).max(0.0) as u32;
            leptos::task::spawn_local(finish(self, recorder, wall_ms));
        }
    }

    /// Ok when sent (or cancelled); Err(Some(message)) when it failed.
    #[cfg(feature = "hydrate")]
    async fn measure_and_upload(
        self,
        recorder: crate::media::recorder::Recorder,
        wall_ms: u32,
    ) -> Result<(), Option<String>> {
        use crate::media::upload::{self, UploadError, VoiceMeta};
        use crate::media::{recorder, waveform};

        let name = recorder::file_name(&recorder.mime());
        let blob = recorder.finish().await.map_err(|e| Some(e.message().to_owned()))?;
        if blob.size() == 0.0 {
            return Err(Some("Nothing was recorded. Check your microphone and try again.".to_owned()));
        }
        // A browser that cannot decode its own recording still sends it, with a flat waveform.
        let (duration_ms, waveform) = waveform::analyse(&blob).await.unwrap_or_else(|| (wall_ms, waveform::flat()));
        if duration_ms < MIN_MS {
            return Err(Some("That was too short to send. Hold on a little longer.".to_owned()));
        }
        if self.phase.try_get_untracked() != Some(Phase::Sending) {
            return Ok(()); // cancelled while measuring
        }
        let meta = VoiceMeta { duration_ms: duration_ms.min(shared::media::VOICE_MAX_MS), waveform };
        let progress = self.progress;
        let on_progress = move |fraction| {
            progress.try_set(fraction);
        };
        let (handle, done) =
            upload::start(self.conversation, &blob, name, Some(&meta), on_progress).map_err(|e| match e {
                UploadError::Failed(message) => Some(message),
                UploadError::Cancelled => None,
            })?;
        self.live.try_update_value(|live| live.upload = Some(handle));
        match done.await {
            Ok(attachment) => {
                let reply_to = match self.mode.get_untracked() {
                    ComposeMode::Reply(m) => Some(m.id),
                    _ => None,
                };
                super::send::send_message(
                    self.store,
                    self.connection,
                    self.conversation,
                    String::new(),
                    reply_to,
                    Some(attachment),
                );
                self.mode.try_set(ComposeMode::New);
                Ok(())
            }
            Err(UploadError::Cancelled) => Ok(()),
            Err(UploadError::Failed(message)) => Err(Some(message)),
        }
    }
}

/// Asks for the microphone and starts recording, unless the note was cancelled meanwhile.
#[cfg(feature = "hydrate")]
#[lazy]
async fn begin(voice: VoiceRecording) {
    match crate::media::recorder::Recorder::start().await {
        Ok(recorder) if voice.phase.try_get_untracked() == Some(Phase::Starting) => {
            let started_at = js_sys::Date::now();
            voice.elapsed_ms.set(0);
            voice.phase.set(Phase::Recording);
            let ticker =
                set_interval_with_handle(move || voice.tick(started_at), std::time::Duration::from_millis(200)).ok();
            voice.live.update_value(|live| *live = Live { recorder: Some(recorder), upload: None, ticker, started_at });
        }
        // Cancelled (or the chat closed) while the browser was asking.
        Ok(recorder) => recorder.cancel(),
        Err(e) => {
            voice.error.try_set(Some(e.message().to_owned()));
            voice.phase.try_set(Phase::Idle);
        }
    }
}

/// Measures, uploads and queues a stopped recording.
#[cfg(feature = "hydrate")]
#[lazy]
async fn finish(voice: VoiceRecording, recorder: crate::media::recorder::Recorder, wall_ms: u32) {
    if let Err(message) = voice.measure_and_upload(recorder, wall_ms).await {
        voice.error.try_set(message);
    }
    voice.phase.try_set(Phase::Idle);
}

/// The microphone button, in place of Send while the box is empty.
#[component]
pub fn MicButton(voice: VoiceRecording) -> impl IntoView {
    view! {
        <button type="button" class="send-button mic-button" aria-label="Record voice message" title="Record voice message"
            disabled=move || voice.phase.get() == Phase::Starting
            on:click=move |_| voice.start()>
            <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9h-1.7z"/></svg>
        </button>
    }
}

/// Replaces the text row while recording or sending a note.
#[component]
pub fn RecordingBar(voice: VoiceRecording) -> impl IntoView {
    let phase = voice.phase;
    let status = move || match phase.get() {
        Phase::Starting => "Waiting for the microphone…".to_owned(),
        Phase::Recording => "Recording".to_owned(),
        Phase::Sending => format!("Sending… {}%", (voice.progress.get() * 100.0).round() as u32),
        Phase::Idle => String::new(),
    };
    view! {
        <div class="recording-bar" role="group" aria-label="Voice message">
            <button type="button" class="icon-button" aria-label=move || if phase.get() == Phase::Sending { "Cancel sending" } else { "Cancel recording" }
                title="Cancel" on:click=move |_| voice.cancel()>
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path fill="currentColor" d="M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z"/></svg>
            </button>
            <span class="rec-dot" class:live=move || phase.get() == Phase::Recording aria-hidden="true"></span>
            <span class="rec-status">{status}</span>
            <time class="rec-time">{move || clock(voice.elapsed_ms.get())}</time>
            <button type="button" class="send-button" aria-label="Send voice message" title="Send voice message"
                disabled=move || phase.get() != Phase::Recording
                on:click=move |_| voice.send()>
                <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M2 21l21-9L2 3v7l15 2-15 2z"/></svg>
            </button>
        </div>
    }
}

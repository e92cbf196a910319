//! A voice note's player: play/pause, the waveform as a seek slider (click, or Left/Right,
//! Home/End), current / total time, and 1× / 1.5× / 2× speed. It drives an
//! `<audio preload="metadata">` through `HtmlMediaElement`. Only one note plays at a time:
//! [`NowPlaying`] holds the playing note's id and every other player pauses when it changes.

use crate::media::clock;
use leptos::prelude::*;
use shared::{Attachment, MediaId};

const SPEEDS: [(f64, &str); 3] = [(1.0, "1×"), (1.5, "1.5×"), (2.0, "2×")];
/// Bars drawn when a note came without a waveform.
const FLAT: [u8; 40] = [30; 40];
/// How far an arrow key seeks.
const STEP_MS: u32 = 2000;

/// The voice note that is playing, shared by every player on screen.
#[derive(Clone, Copy)]
pub struct NowPlaying(pub RwSignal<Option<MediaId>>);

pub fn provide_now_playing() {
    provide_context(NowPlaying(RwSignal::new(None)));
}

#[component]
pub fn VoicePlayer(attachment: Attachment) -> impl IntoView {
    let now_playing = use_context::<NowPlaying>().unwrap_or_else(|| NowPlaying(RwSignal::new(None))).0;
    let id = attachment.id.clone();
    let audio = NodeRef::<leptos::html::Audio>::new();
    let playing = RwSignal::new(false);
    let position = RwSignal::new(0u32);
    let total = RwSignal::new(attachment.duration_ms.unwrap_or(0));
    let speed = RwSignal::new(0usize);
    let bars = if attachment.waveform.is_empty() { FLAT.to_vec() } else { attachment.waveform.clone() };
    let count = bars.len();

    // Another note started: this one stops.
    {
        let id = id.clone();
        Effect::new(move |_| {
            let current = now_playing.get();
            if current.as_ref() != Some(&id) && playing.get_untracked() {
                media::pause(audio);
            }
        });
    }
    let toggle = {
        let id = id.clone();
        move || {
            if playing.get_untracked() {
                media::pause(audio);
            } else {
                now_playing.set(Some(id.clone()));
                media::play(audio, SPEEDS[speed.get_untracked()].0);
            }
        }
    };
    let seek_to = move |ms: u32| {
        let ms = ms.min(total.get_untracked());
        position.set(ms);
        media::seek(audio, ms);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let now = position.get_untracked();
        let target = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => now.saturating_sub(STEP_MS),
            "ArrowRight" | "ArrowUp" => now.saturating_add(STEP_MS),
            "Home" => 0,
            "End" => total.get_untracked(),
            _ => return,
        };
        ev.prevent_default();
        seek_to(target);
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(fraction) = media::click_fraction(&ev) {
            seek_to((fraction * total.get_untracked() as f64).round() as u32);
        }
    };
    let played_bars = move || {
        let total = total.get();
        if total == 0 { 0 } else { (position.get() as u64 * count as u64 / total as u64) as usize }
    };
    let finished = {
        let id = id.clone();
        move |_| {
            playing.set(false);
            position.set(0);
            if now_playing.get_untracked().as_ref() == Some(&id) {
                now_playing.set(None);
            }
        }
    };

    view! {
        <div class="voice-player" class:playing=move || playing.get()>
            <button type="button" class="voice-toggle" on:click=move |_| toggle()
                aria-label=move || if playing.get() { "Pause voice message" } else { "Play voice message" }>
                {move || if playing.get() {
                    view! { <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" d="M6 5h4v14H6zM14 5h4v14h-4z"/></svg> }.into_any()
                } else {
                    view! { <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" d="M7 4.5v15l13-7.5z"/></svg> }.into_any()
                }}
            </button>
            <div class="voice-main">
                <div class="waveform" role="slider" tabindex="0" aria-label="Seek"
                    aria-valuemin="0" aria-valuemax=move || total.get() / 1000 aria-valuenow=move || position.get() / 1000
                    aria-valuetext=move || format!("{} of {}", clock(position.get()), clock(total.get()))
                    on:click=on_click on:keydown=on_key>
                    {bars.into_iter().enumerate().map(|(i, height)| view! {
                        <span class="bar" class:played=move || { i < played_bars() } style:height=format!("{}%", height.max(8))></span>
                    }).collect_view()}
                </div>
                <div class="voice-times">
                    <span>{move || format!("{} / {}", clock(position.get()), clock(total.get()))}</span>
                </div>
            </div>
            <button type="button" class="voice-speed" aria-label=move || format!("Playback speed {}", SPEEDS[speed.get()].1)
                on:click=move |_| {
                    speed.update(|s| *s = (*s + 1) % SPEEDS.len());
                    media::set_rate(audio, SPEEDS[speed.get_untracked()].0);
                }>
                {move || SPEEDS[speed.get()].1}
            </button>
            <audio node_ref=audio src=attachment.url() preload="metadata"
                on:play=move |_| playing.set(true)
                on:pause=move |_| playing.set(false)
                on:ended=finished
                on:timeupdate=move |_| {
                    if let Some(ms) = media::current_ms(audio) {
                        let total = total.get_untracked();
                        position.set(if total > 0 { ms.min(total) } else { ms });
                    }
                }
                on:durationchange=move |_| {
                    if total.get_untracked() == 0 && let Some(ms) = media::duration_ms(audio) {
                        total.set(ms);
                    }
                }></audio>
        </div>
    }
}

/// The `HtmlMediaElement` calls, browser-only.
mod media {
    use leptos::prelude::*;

    type Audio = NodeRef<leptos::html::Audio>;

    pub fn play(audio: Audio, rate: f64) {
        #[cfg(feature = "hydrate")]
        if let Some(el) = audio.get_untracked() {
            el.set_playback_rate(rate);
            // A rejected play() (no data, autoplay policy) leaves the button on "Play".
            let _ = el.play();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (audio, rate);
    }

    pub fn pause(audio: Audio) {
        #[cfg(feature = "hydrate")]
        if let Some(el) = audio.get_untracked() {
            let _ = el.pause();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = audio;
    }

    pub fn set_rate(audio: Audio, rate: f64) {
        #[cfg(feature = "hydrate")]
        if let Some(el) = audio.get_untracked() {
            el.set_playback_rate(rate);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (audio, rate);
    }

    pub fn seek(audio: Audio, ms: u32) {
        #[cfg(feature = "hydrate")]
        if let Some(el) = audio.get_untracked() {
            el.set_current_time(ms as f64 / 1000.0);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (audio, ms);
    }

    pub fn current_ms(audio: Audio) -> Option<u32> {
        #[cfg(feature = "hydrate")]
        {
            audio.get_untracked().map(|el| el.current_time()).filter(|t| t.is_finite()).map(|t| (t * 1000.0) as u32)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = audio;
            None
        }
    }

    /// The element's own duration, when it knows it (recorded WebM often says Infinity).
    pub fn duration_ms(audio: Audio) -> Option<u32> {
        #[cfg(feature = "hydrate")]
        {
            audio
                .get_untracked()
                .map(|el| el.duration())
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| (d * 1000.0) as u32)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = audio;
            None
        }
    }

    /// Where on the slider a click landed, 0.0..=1.0.
    pub fn click_fraction(ev: &leptos::ev::MouseEvent) -> Option<f64> {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let target = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
            let rect = target.get_bounding_client_rect();
            (rect.width() > 0.0).then(|| ((ev.client_x() as f64 - rect.left()) / rect.width()).clamp(0.0, 1.0))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ev;
            None
        }
    }
}

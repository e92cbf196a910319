//! A voice note's waveform: the peak loudness of each slice of the recording, scaled so the
//! loudest slice is 100. Computed in the browser from the decoded audio (Web Audio
//! `decodeAudioData`), sent with the upload, and drawn by the player as its seek bar.

/// How many bars a recorded note gets (the server accepts up to `WAVEFORM_MAX_BARS`).
#[cfg_attr(all(not(feature = "hydrate"), not(test)), expect(dead_code, reason = "used by the browser-only recorder"))]
pub const BARS: usize = 64;

/// Peak of each of `count` equal slices of `samples`, normalised to 0..=100. Fewer bars when
/// there are fewer samples than `count`; all zeros for silence.
#[cfg_attr(all(not(feature = "hydrate"), not(test)), expect(dead_code, reason = "used by the browser-only recorder"))]
pub fn bars(samples: &[f32], count: usize) -> Vec<u8> {
    let count = count.min(samples.len());
    if count == 0 {
        return Vec::new();
    }
    let peaks: Vec<f32> = (0..count)
        .map(|i| {
            let (start, end) = (i * samples.len() / count, (i + 1) * samples.len() / count);
            samples[start..end].iter().fold(0.0f32, |peak, s| peak.max(s.abs()))
        })
        .collect();
    let loudest = peaks.iter().copied().fold(0.0f32, f32::max);
    if loudest <= f32::EPSILON {
        return vec![0; count];
    }
    peaks.iter().map(|p| ((p / loudest) * 100.0).round().clamp(0.0, 100.0) as u8).collect()
}

/// The waveform of a note whose audio could not be decoded: level bars.
#[cfg(feature = "hydrate")]
pub fn flat() -> Vec<u8> {
    vec![30; BARS]
}

/// Decodes a recording and measures it: `(duration_ms, bars)`. `None` if the browser cannot
/// decode what it recorded (the caller then falls back to the recording's wall-clock length).
#[cfg(feature = "hydrate")]
pub async fn analyse(blob: &web_sys::Blob) -> Option<(u32, Vec<u8>)> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let bytes: js_sys::ArrayBuffer = JsFuture::from(blob.array_buffer()).await.ok()?.dyn_into().ok()?;
    let context = web_sys::AudioContext::new().ok()?;
    let decoded = match context.decode_audio_data(&bytes) {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|b| b.dyn_into::<web_sys::AudioBuffer>().ok()),
        Err(_) => None,
    };
    if let Ok(closing) = context.close() {
        let _ = JsFuture::from(closing).await;
    }
    let buffer = decoded?;
    let samples = buffer.get_channel_data(0).ok()?;
    let duration_ms = (buffer.duration() * 1000.0).round().clamp(0.0, u32::MAX as f64) as u32;
    Some((duration_ms, bars(&samples, BARS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loudest_slice_is_one_hundred() {
        let samples = [0.1, -0.2, 0.5, -0.5, 0.0, 0.25];
        assert_eq!(bars(&samples, 3), vec![40, 100, 50]);
    }

    #[test]
    fn silence_and_short_input_do_not_divide_by_zero() {
        assert_eq!(bars(&[0.0; 10], 4), vec![0, 0, 0, 0]);
        assert_eq!(bars(&[0.5, 0.25], 64), vec![100, 50]);
        assert!(bars(&[], 64).is_empty());
    }

    #[test]
    fn a_long_recording_gets_exactly_the_bars_asked_for() {
        let samples: Vec<f32> = (0..48_000).map(|i| (i as f32 / 100.0).sin()).collect();
        let result = bars(&samples, BARS);
        assert_eq!(result.len(), BARS);
        assert!(result.iter().all(|b| *b <= 100));
    }
}

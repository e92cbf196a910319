//! Arbitrary bytes into the WebSocket frame decoder the server runs on every client frame:
//! it must never panic, and whatever it accepts must survive a round trip unchanged
//! (serialize → parse → equal), so what the server reads is what a client meant.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::frames::ClientFrame;

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = serde_json::from_slice::<ClientFrame>(data) else { return };
    let json = serde_json::to_vec(&frame).expect("a decoded frame serializes");
    let again = serde_json::from_slice::<ClientFrame>(&json).expect("a serialized frame decodes");
    assert_eq!(frame, again, "round trip changed the frame: {}", String::from_utf8_lossy(&json));
});

//! What an upload is, decided from its bytes with `infer` (plus a plain-text check, which
//! magic numbers cannot do). Anything a browser could run or render as a page — HTML, SVG,
//! XML, scripts, executables — is refused, whatever the file is called.

use crate::error::{Error, Result};
use shared::media::AttachmentKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub kind: AttachmentKind,
    pub mime: &'static str,
}

const IMAGES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Documents we accept, as `infer` names them.
const DOCUMENTS: [&str; 20] = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "application/epub+zip",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/x-tar",
    "audio/mpeg",
    "audio/x-wav",
    "video/mp4",
    "video/quicktime",
];

/// Sniffs `bytes`. `voice` is the uploader's claim that this is a voice note: it then has to be
/// audio we can play back (Opus in WebM or Ogg, AAC in MP4).
pub fn detect(bytes: &[u8], voice: bool) -> Result<Detected> {
    let found = infer::get(bytes).map(|t| t.mime_type());
    if voice {
        let mime = match found {
            Some("video/webm" | "audio/webm") => "audio/webm",
            Some("audio/ogg" | "audio/opus") => "audio/ogg",
            Some("video/mp4" | "audio/mp4" | "audio/m4a" | "audio/x-m4a") => "audio/mp4",
            _ => return Err(unsupported("A voice note must be WebM, Ogg or MP4 audio.")),
        };
        return Ok(Detected { kind: AttachmentKind::Voice, mime });
    }
    match found {
        Some(mime) if IMAGES.contains(&mime) => {
            let mime = IMAGES.into_iter().find(|m| *m == mime).unwrap_or("image/png");
            Ok(Detected { kind: AttachmentKind::Image, mime })
        }
        Some(mime) if DOCUMENTS.contains(&mime) => {
            let mime = DOCUMENTS.into_iter().find(|m| *m == mime).unwrap_or("application/octet-stream");
            Ok(Detected { kind: AttachmentKind::Document, mime })
        }
        Some(mime) if mime.starts_with("image/") => Err(unsupported("Photos must be JPEG, PNG, GIF or WebP.")),
        Some(_) => Err(unsupported("This type of file cannot be sent.")),
        None if is_plain_text(bytes) => Ok(Detected { kind: AttachmentKind::Document, mime: "text/plain" }),
        None => Err(unsupported("This type of file cannot be sent.")),
    }
}

/// UTF-8 text without NULs that no browser would take for markup or a script.
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    if text.contains('\0') || text.trim().is_empty() {
        return false;
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') || start.starts_with("#!") {
        return false;
    }
    let head: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
    const MARKUP: [&str; 6] = ["<svg", "<html", "<script", "<!doctype", "<?xml", "<body"];
    !MARKUP.iter().any(|tag| head.contains(tag))
}

/// `name` with an extension that matches `mime`: kept if its own extension is one of the
/// type's, else the type's usual one is appended, so text sent as `run.bat` is saved by the
/// recipient's browser as `run.bat.txt`, never as something the system would run.
pub fn served_name(name: &str, mime: &str) -> String {
    let Some(known) = mime_guess::get_mime_extensions_str(mime) else { return name.to_owned() };
    let own = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if own.is_some_and(|ext| known.contains(&ext.as_str())) {
        return name.to_owned();
    }
    let usual = match mime {
        // mime_guess lists these in alphabetical order; say the one people know.
        "text/plain" => "txt",
        "image/jpeg" => "jpg",
        _ => known[0],
    };
    format!("{name}.{usual}")
}

fn unsupported(message: &str) -> Error {
    Error::unsupported_media(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(detect(png, false).map(|d| d.mime).ok(), Some("image/png"));
        assert_eq!(detect(b"%PDF-1.4\n%...", false).map(|d| d.kind).ok(), Some(AttachmentKind::Document));
        assert_eq!(detect(b"shopping list\n- milk\n", false).map(|d| d.mime).ok(), Some("text/plain"));
    }

    #[test]
    fn markup_scripts_and_programs_are_refused() {
        for bytes in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
            b"  <!DOCTYPE html><html><body>hi</body></html>",
            b"\xef\xbb\xbf<html>",
            b"hello <script>alert(1)</script>",
            b"#!/bin/sh\nrm -rf /",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
            b"\0\0\0\0binary",
        ] {
            assert!(detect(bytes, false).is_err(), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn served_names_end_in_the_detected_type() {
        for (name, mime, served) in [
            ("notes.txt", "text/plain", "notes.txt"),
            ("server.LOG", "text/plain", "server.LOG"),
            ("page.html", "text/plain", "page.html.txt"),
            ("run.bat", "text/plain", "run.bat.txt"),
            ("app.hta", "text/plain", "app.hta.txt"),
            ("x.js", "text/plain", "x.js.txt"),
            ("README", "text/plain", "README.txt"),
            ("report.pdf", "application/pdf", "report.pdf"),
            ("report.exe", "application/pdf", "report.exe.pdf"),
            ("photo.jpeg", "image/jpeg", "photo.jpeg"),
            ("photo.png", "image/jpeg", "photo.png.jpg"),
        ] {
            assert_eq!(served_name(name, mime), served, "{name} as {mime}");
        }
    }

    #[test]
    fn voice_notes_must_be_audio() {
        let webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02";
        assert_eq!(detect(webm, true).map(|d| d.mime).ok(), Some("audio/webm"));
        assert!(detect(b"%PDF-1.4", true).is_err());
    }
}

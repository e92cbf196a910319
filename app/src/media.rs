//! The browser side of attachments: picking and checking files, uploading them with progress,
//! recording voice notes and measuring their waveform. Everything that touches a browser API
//! is hydrate-only; the pure rules (size limit, clock format, previews, waveform buckets) are
//! here so they can be unit-tested on the server build.
//!
//! Nothing here sends a message: an upload answers with an [`Attachment`], and the composer then
//! sends the usual `send` frame through the outbox.

#[cfg(feature = "hydrate")]
pub mod recorder;
#[cfg(feature = "hydrate")]
pub mod upload;
pub mod waveform;

use shared::limits::MAX_UPLOAD_BYTES;
use shared::media::format_size;
use shared::{Attachment, AttachmentKind};

/// What the UI says about the size limit before anything is uploaded.
pub const LIMIT_HINT: &str = "Up to 4 MB";

/// Image types the server accepts, which the browser may also preview.
pub const IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// The file picker's filter: images and the document types the server accepts.
pub const ACCEPT: &str =
    "image/jpeg,image/png,image/gif,image/webp,application/pdf,.pdf,.doc,.docx,.xlsx,.pptx,.odt,.zip,.txt,text/plain";

/// Refuses a file over the upload limit before a byte is sent (the server answers 413 too).
pub fn check_size(size: u64) -> Result<(), String> {
    if size > MAX_UPLOAD_BYTES as u64 {
        Err(format!("This file is too large ({}). Files can be up to 4 MB.", format_size(size)))
    } else if size == 0 {
        Err("This file is empty.".to_owned())
    } else {
        Ok(())
    }
}

/// Milliseconds as `m:ss`, rounding down (a player's position).
pub fn clock(ms: u32) -> String {
    let secs = ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// One line for a message in the chat list, a notification or a quote: the caption, or what
/// the attachment is when there is no caption.
pub fn preview_text(body: &str, attachment: Option<&Attachment>) -> String {
    match attachment {
        None => body.to_owned(),
        Some(a) if body.trim().is_empty() || a.kind == AttachmentKind::Voice => a.summary(),
        Some(a) => {
            let icon = if a.kind == AttachmentKind::Image { "📷" } else { "📄" };
            format!("{icon} {body}")
        }
    }
}

/// A short type label for a document card: "PDF", "DOCX", "ZIP", "TXT" or "FILE".
pub fn type_label(mime: &str, name: &str) -> String {
    let by_mime = match mime {
        "application/pdf" => Some("PDF"),
        "application/zip" => Some("ZIP"),
        "text/plain" => Some("TXT"),
        "application/msword" => Some("DOC"),
        _ => None,
    };
    by_mime.map(str::to_owned).unwrap_or_else(|| {
        name.rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_uppercase())
            .filter(|ext| (1..=4).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or_else(|| "FILE".to_owned())
    })
}

/// The size an image is shown at in a bubble: its own, scaled down to fit `max_w` × `max_h`.
/// Set as the `<img>` width and height so the bubble does not jump when it loads.
pub fn fit(width: Option<u32>, height: Option<u32>, max_w: u32, max_h: u32) -> (u32, u32) {
    let (w, h) = match (width, height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w as f64, h as f64),
        _ => return (max_w, max_w * 3 / 4),
    };
    let scale = (max_w as f64 / w).min(max_h as f64 / h).min(1.0);
    (((w * scale).round() as u32).max(1), ((h * scale).round() as u32).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::MediaId;

    fn attachment(kind: AttachmentKind) -> Attachment {
        Attachment {
            id: MediaId("0".repeat(32)),
            kind,
            mime: "image/png".into(),
            size: 10,
            name: "report.pdf".into(),
            width: None,
            height: None,
            duration_ms: Some(12_000),
            waveform: vec![],
        }
    }

    #[test]
    fn files_over_four_megabytes_are_refused_before_upload() {
        assert!(check_size(4 * 1024 * 1024).is_ok());
        let Err(error) = check_size(4 * 1024 * 1024 + 1) else { panic!("4 MB + 1 byte must be refused") };
        assert!(error.contains("up to 4 MB"), "{error}");
        assert!(check_size(0).is_err());
    }

    #[test]
    fn previews_name_the_attachment_when_there_is_no_caption() {
        assert_eq!(preview_text("hi", None), "hi");
        assert_eq!(preview_text("", Some(&attachment(AttachmentKind::Image))), "📷 Photo");
        assert_eq!(preview_text("beach", Some(&attachment(AttachmentKind::Image))), "📷 beach");
        assert_eq!(preview_text(" ", Some(&attachment(AttachmentKind::Document))), "📄 report.pdf");
        assert_eq!(preview_text("", Some(&attachment(AttachmentKind::Voice))), "🎤 Voice message (0:12)");
    }

    #[test]
    fn clocks_and_labels_read_well() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(61_999), "1:01");
        assert_eq!(type_label("application/pdf", "x"), "PDF");
        assert_eq!(
            type_label("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"),
            "DOCX"
        );
        assert_eq!(type_label("application/octet-stream", "noext"), "FILE");
    }

    #[test]
    fn images_fit_their_box_keeping_the_aspect_ratio() {
        assert_eq!(fit(Some(1000), Some(500), 300, 300), (300, 150));
        assert_eq!(fit(Some(100), Some(50), 300, 300), (100, 50));
        assert_eq!(fit(Some(500), Some(1000), 300, 300), (150, 300));
        assert_eq!(fit(None, None, 240, 240), (240, 180));
    }
}

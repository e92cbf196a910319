//! Attachments: images, documents and voice notes uploaded before the message that carries them.
//!
//! An upload (`POST /api/media`) answers with an [`Attachment`]; the `send` frame then names its
//! `id`, and the message goes through the same seq/ack/receipt pipeline as text. Files are served
//! at [`Attachment::url`] (and images' thumbnails at [`Attachment::thumb_url`]) to members of the
//! conversation only.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Random, unguessable name of an upload: 32 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MediaId(pub String);

impl MediaId {
    /// Accepts only the server's own format, so a path segment can never smuggle `../`.
    pub fn parse(value: &str) -> Option<Self> {
        let ok = value.len() == 32 && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Self(value.to_owned()))
    }
}

impl fmt::Display for MediaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an attachment is, decided by the server from the file's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// JPEG, PNG, GIF or WebP: re-encoded without metadata, with a thumbnail.
    Image,
    /// PDF, office documents, archives, plain text: downloaded, never rendered inline.
    Document,
    /// A voice note recorded in the browser (Opus in WebM/Ogg, or AAC in MP4).
    Voice,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Document => "document",
            Self::Voice => "voice",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "image" => Some(Self::Image),
            "document" => Some(Self::Document),
            "voice" => Some(Self::Voice),
            _ => None,
        }
    }
}

/// An uploaded file as messages and the upload answer show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: MediaId,
    pub kind: AttachmentKind,
    /// The type the server detected from the bytes (never the client's claim).
    pub mime: String,
    /// Size in bytes of the stored file.
    pub size: u64,
    /// The uploader's file name, cleaned of paths and control characters; for display and for
    /// the download's `Content-Disposition`, never for the file on disk.
    pub name: String,
    /// Pixel size of images (after EXIF orientation), for layout before the image loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Length of voice notes, in milliseconds, as measured by the recording browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u32>,
    /// Voice-note loudness, one value 0..=100 per bar (at most [`WAVEFORM_MAX_BARS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waveform: Vec<u8>,
}

/// Most bars a voice note's waveform may have.
pub const WAVEFORM_MAX_BARS: usize = 128;
/// Longest voice note.
pub const VOICE_MAX_MS: u32 = 15 * 60 * 1000;
/// Longest file name kept, in characters.
pub const FILE_NAME_MAX_CHARS: usize = 120;
/// Size of the longer side of a thumbnail.
pub const THUMB_MAX_SIDE: u32 = 320;

impl Attachment {
    /// Where the file is served.
    pub fn url(&self) -> String {
        format!("/media/{}", self.id)
    }

    /// Where an image's thumbnail is served (the file itself for other kinds).
    pub fn thumb_url(&self) -> String {
        match self.kind {
            AttachmentKind::Image => format!("/media/{}/thumb", self.id),
            _ => self.url(),
        }
    }

    /// A one-line description for chat-list previews and notifications.
    pub fn summary(&self) -> String {
        match self.kind {
            AttachmentKind::Image => "📷 Photo".to_owned(),
            AttachmentKind::Document => format!("📄 {}", self.name),
            AttachmentKind::Voice => {
                let secs = self.duration_ms.unwrap_or(0).div_ceil(1000);
                format!("🎤 Voice message ({}:{:02})", secs / 60, secs % 60)
            }
        }
    }
}

/// Human-readable byte size: "512 B", "14 KB", "3.2 MB".
pub fn format_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// Makes an uploader's file name safe to keep and show: the last path component only, no
/// control characters (NUL included), no leading dots, at most [`FILE_NAME_MAX_CHARS`].
/// Returns `fallback` when nothing is left.
pub fn clean_file_name(raw: &str, fallback: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let short: String = trimmed.chars().take(FILE_NAME_MAX_CHARS).collect();
    if short.is_empty() { fallback.to_owned() } else { short }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_controls_and_leading_dots() {
        assert_eq!(clean_file_name("../../etc/passwd", "file"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\me\\report.pdf", "file"), "report.pdf");
        assert_eq!(clean_file_name("evil\0name.txt", "file"), "evilname.txt");
        assert_eq!(clean_file_name("..", "file"), "file");
        assert_eq!(clean_file_name(".htaccess", "file"), "htaccess");
        assert_eq!(clean_file_name("photo\u{202e}gpj.exe", "file"), "photogpj.exe");
        assert_eq!(clean_file_name(&"a".repeat(500), "file").chars().count(), FILE_NAME_MAX_CHARS);
    }

    #[test]
    fn media_ids_accept_only_the_server_format() {
        assert!(MediaId::parse("0123456789abcdef0123456789abcdef").is_some());
        assert!(MediaId::parse("../../../../etc/passwd").is_none());
        assert!(MediaId::parse("0123456789ABCDEF0123456789ABCDEF").is_none());
        assert!(MediaId::parse("").is_none());
    }

    #[test]
    fn summaries_and_sizes_read_well() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(14 * 1024), "14 KB");
        assert_eq!(format_size(3_355_443), "3.2 MB");
        let voice = Attachment {
            id: MediaId("0".repeat(32)),
            kind: AttachmentKind::Voice,
            mime: "audio/webm".into(),
            size: 1000,
            name: "voice.webm".into(),
            width: None,
            height: None,
            duration_ms: Some(61_200),
            waveform: vec![],
        };
        assert_eq!(voice.summary(), "🎤 Voice message (1:02)");
    }
}

//! `POST /api/media` (multipart upload) and `GET /media/{id}` / `GET /media/{id}/thumb`.
//! Glue only: the rules live in `crate::media`.
//!
//! An upload's body is read only after its sender is known and has a free upload slot (the
//! Origin check ran before, in the router's layers): an anonymous or over-limit upload is
//! answered without a byte of its body read, and hyper then closes the connection rather
//! than drain it. The file part streams into a temporary file, counted as it comes, so
//! memory holds one chunk of it at a time and 4 MiB + 1 byte stops there.

use crate::error::Error;
use crate::media::{Incoming, Media, UploadRequest, VoiceMeta};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest as _, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use shared::limits::MAX_UPLOAD_BYTES;
use shared::media::{AttachmentKind, MediaId};
use shared::{ApiError, ConversationId, UserId};
use tower::ServiceExt as _;
use tower_http::services::ServeFile;
use tower_sessions::Session;

pub const UPLOAD_PATH: &str = "/api/media";
/// Room for the multipart framing and the small text fields around the file.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = MAX_UPLOAD_BYTES + 64 * 1024;

async fn caller(session: &Session) -> Result<UserId, Error> {
    crate::sessions::signed_in(session).await.ok_or_else(|| Error::Api(ApiError::unauthorized()))
}

/// Takes the whole `Request` rather than a `Multipart` extractor, so that nothing can touch
/// the body before the checks.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    request: Request,
) -> Result<(StatusCode, Json<shared::Attachment>), Error> {
    let me = caller(&session).await?;
    let media = &state.services.media;
    let _slot = media.admit_upload(me)?;
    let multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| Error::invalid("file", "Send the file as multipart/form-data."))?;
    let request = read_form(multipart, media).await?;
    let attachment = media.upload(me, request).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Reads the form: `conversation_id` and `file`, for voice notes also `kind=voice`,
/// `duration_ms` and `waveform`; a profile picture is `kind=avatar` and `file` alone. The file is counted as it streams in, so 4 MiB + 1 byte stops there.
async fn read_form(mut multipart: Multipart, media: &Media) -> Result<UploadRequest, Error> {
    let (mut conversation, mut file, mut duration, mut waveform) = (None, None, None, None);
    let (mut voice, mut avatar) = (false, false);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                file = Some((file_name, read_file(field, media.incoming().await?).await?));
            }
            "conversation_id" => {
                let value = small_text(field, &name).await?;
                let id = value
                    .trim()
                    .parse()
                    .map_err(|_| Error::invalid("conversation_id", "conversation_id must be a number."))?;
                conversation = Some(ConversationId(id));
            }
            "kind" => match small_text(field, &name).await?.as_str() {
                "voice" => voice = true,
                "avatar" => avatar = true,
                "image" | "document" | "" => {}
                _ => return Err(Error::invalid("kind", "kind must be voice, avatar, image or document.")),
            },
            "duration_ms" => {
                let value = small_text(field, &name).await?;
                duration = Some(
                    value
                        .trim()
                        .parse::<u32>()
                        .map_err(|_| Error::invalid("duration_ms", "duration_ms must be a whole number."))?,
                );
            }
            "waveform" => {
                let value = small_text(field, &name).await?;
                let bars: Result<Vec<u8>, _> =
                    value.split(',').filter(|v| !v.trim().is_empty()).map(|v| v.trim().parse::<u8>()).collect();
                waveform =
                    Some(bars.map_err(|_| {
                        Error::invalid("waveform", "waveform is comma-separated numbers from 0 to 100.")
                    })?);
            }
            _ => return Err(Error::invalid(&name.chars().take(32).collect::<String>(), "Unknown form field.")),
        }
    }
    // A profile picture belongs to no chat; everything else to exactly one.
    if conversation.is_none() && !avatar {
        return Err(Error::invalid("conversation_id", "Say which chat the file is for."));
    }
    if conversation.is_some() && avatar {
        return Err(Error::invalid("conversation_id", "A profile picture belongs to no chat."));
    }
    let (name, file) = file.ok_or_else(|| Error::invalid("file", "No file was sent."))?;
    let voice = match (voice, duration, waveform) {
        (false, _, _) => None,
        (true, Some(duration_ms), Some(waveform)) => Some(VoiceMeta { duration_ms, waveform }),
        (true, None, _) => return Err(Error::invalid("duration_ms", "A voice note needs its duration.")),
        (true, _, None) => return Err(Error::invalid("waveform", "A voice note needs its waveform.")),
    };
    Ok(UploadRequest { conversation, name, file, voice })
}

/// Streams the file part into `into`; dropping it on an error deletes what was written.
async fn read_file(mut field: Field<'_>, mut into: Incoming) -> Result<crate::media::Received, Error> {
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if into.len() + chunk.len() as u64 > MAX_UPLOAD_BYTES as u64 {
            return Err(too_large());
        }
        into.write(&chunk).await.map_err(storage_error)?;
    }
    into.finish().await.map_err(storage_error)
}

fn storage_error(error: std::io::Error) -> Error {
    Error::Internal(format!("receiving an upload: {error}"))
}

async fn small_text(field: Field<'_>, name: &str) -> Result<String, Error> {
    let text = field.text().await.map_err(multipart_error)?;
    if text.len() > 2048 {
        return Err(Error::invalid(name, "This field is too long."));
    }
    Ok(text)
}

fn multipart_error(error: MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    Error::invalid("file", format!("The upload could not be read: {}", error.body_text()))
}

fn too_large() -> Error {
    Error::too_large(format!("Files can be at most {} MB.", MAX_UPLOAD_BYTES / (1024 * 1024)))
}

pub async fn download(state: State<AppState>, session: Session, Path(id): Path<String>, request: Request) -> Response {
    serve(state, session, &id, false, request).await
}

pub async fn thumbnail(state: State<AppState>, session: Session, Path(id): Path<String>, request: Request) -> Response {
    serve(state, session, &id, true, request).await
}

/// Streams the file (with Range support for seeking in voice notes) under headers that stop a
/// browser from ever treating it as a page: the detected type, nosniff (set globally), a
/// sandboxing CSP, and `attachment` for documents.
async fn serve(State(state): State<AppState>, session: Session, id: &str, thumb: bool, request: Request) -> Response {
    let result = async {
        let me = caller(&session).await?;
        let id = MediaId::parse(id).ok_or_else(Error::not_found)?;
        state.services.media.open(me, &id, thumb).await
    }
    .await;
    let file = match result {
        Ok(file) => file,
        Err(e) => return e.into_response(),
    };
    let Ok(mut response) = ServeFile::new(&file.path).oneshot(request).await.map(IntoResponse::into_response);
    if response.status() == StatusCode::NOT_FOUND {
        tracing::error!(path = %file.path.display(), "media row without its file");
        return Error::not_found().into_response();
    }
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&file.mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    let disposition = if file.kind == AttachmentKind::Document && !thumb { "attachment" } else { "inline" };
    if let Ok(value) = HeaderValue::from_str(&content_disposition(disposition, &file.name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Kept privately but checked again before each use (a cheap 304 by Last-Modified), so a
    // deleted message's file is gone from the recipient's cache too, and access is re-checked.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    response
}

/// `attachment; filename="report_.pdf"; filename*=UTF-8''report%E2%9C%93.pdf` (RFC 6266):
/// an ASCII fallback without quotes or backslashes, and the exact name percent-encoded.
pub fn content_disposition(disposition: &str, name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn dispositions_quote_nothing_dangerous() {
        assert_eq!(
            content_disposition("attachment", "a b.pdf"),
            "attachment; filename=\"a b.pdf\"; filename*=UTF-8''a%20b.pdf"
        );
        let tricky = content_disposition("attachment", "x\"; filename=evil.html");
        assert!(tricky.starts_with("attachment; filename=\"x_; filename=evil.html\""), "{tricky}");
        assert!(content_disposition("inline", "naïve.txt").ends_with("na%C3%AFve.txt"));
    }
}

//! Uploads and downloads: type by content, size and quota limits, image re-encoding, voice-note
//! checks, who may download, the headers files are served with, and sending through the same
//! message pipeline as text.

use crate::helpers::{TestApp, User, error_of, messages, ok, pair, spawn_app, spawn_app_with, uuid};
use crate::ws::{next_of, open, send_json};
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb, Rgba};
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shared::limits::MAX_UPLOAD_BYTES;
use std::io::Cursor;

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgba8(ImageBuffer::from_pixel(width, height, Rgba([10, 120, 200, 255])));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

/// A JPEG carrying an EXIF block with a recognisable secret in it.
fn jpeg_with_exif() -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(64, 48, Rgb([200, 100, 50])));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Jpeg).expect("jpeg");
    let jpeg = out.into_inner();
    // Exif header, big-endian TIFF header, an IFD with no entries, then the "GPS" secret.
    let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(b"SECRET-GPS-52.5200N-13.4050E");
    let mut with_exif = jpeg[..2].to_vec();
    with_exif.extend_from_slice(&[0xFF, 0xE1]);
    with_exif.extend_from_slice(&u16::try_from(payload.len() + 2).expect("len").to_be_bytes());
    with_exif.extend_from_slice(&payload);
    with_exif.extend_from_slice(&jpeg[2..]);
    with_exif
}

/// A tiny, valid PNG whose header claims 20000 × 20000 pixels (1.6 GB decoded).
fn png_bomb() -> Vec<u8> {
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    bomb
}

/// The start of a WebM file (EBML header with DocType "webm") padded to `size` bytes.
fn webm(size: usize) -> Vec<u8> {
    let mut bytes = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02".to_vec();
    bytes.resize(size, 0x55);
    bytes
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(user: &User, form: Form) -> Response {
    user.client.post(format!("{}/api/media", user.base)).multipart(form).send().await.expect("request")
}

pub(crate) fn file_form(conversation: i64, name: &str, bytes: Vec<u8>, claimed: &str) -> Form {
    let part = Part::bytes(bytes).file_name(name.to_owned()).mime_str(claimed).expect("mime");
    Form::new().text("conversation_id", conversation.to_string()).part("file", part)
}

fn voice_form(conversation: i64, bytes: Vec<u8>, duration_ms: &str, waveform: &str) -> Form {
    file_form(conversation, "voice.webm", bytes, "audio/webm")
        .text("kind", "voice")
        .text("duration_ms", duration_ms.to_owned())
        .text("waveform", waveform.to_owned())
}

pub(crate) async fn uploaded(user: &User, form: Form) -> Value {
    let res = upload(user, form).await;
    assert_eq!(res.status(), StatusCode::CREATED, "upload: {}", res.text().await.unwrap_or_default());
    res.json().await.expect("json")
}

async fn refused(user: &User, form: Form) -> (StatusCode, String, Option<String>) {
    error_of(upload(user, form).await).await
}

pub(crate) async fn send_with(user: &User, conversation: i64, n: u32, caption: &str, attachment: &Value) -> Response {
    user.call(
        "messages/send",
        json!({ "conversation_id": conversation, "client_msg_id": uuid(n), "body": caption, "attachment": attachment["id"] }),
    )
    .await
}

pub(crate) async fn get(user: &User, path: &str) -> Response {
    user.client.get(format!("{}{path}", user.base)).send().await.expect("request")
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn a_photo_is_re_encoded_thumbnailed_sent_and_served_to_members() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "alice", "bob").await;
    let photo = uploaded(&alice, file_form(conv, "holiday.png", png(800, 600), "image/png")).await;
    assert_eq!((photo["kind"].as_str(), photo["mime"].as_str()), (Some("image"), Some("image/png")));
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64(), photo["name"].as_str()),
        (Some(800), Some(600), Some("holiday.png"))
    );
    let id = photo["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 32);

    let sent = ok(send_with(&alice, conv, 1, "  Look at this  ", &photo).await).await;
    assert_eq!((sent["seq"].as_i64(), sent["body"].as_str()), (Some(1), Some("Look at this")));
    assert_eq!(sent["attachment"], photo, "the message carries the upload as it was answered");
    let page = bob.history(conv).await;
    assert_eq!(messages(&page)[0]["attachment"]["id"], id.as_str());

    let full = get(&bob, &format!("/media/{id}")).await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(header(&full, "content-type"), "image/png");
    assert_eq!(header(&full, "x-content-type-options"), "nosniff");
    assert!(header(&full, "content-security-policy").contains("sandbox"));
    assert!(header(&full, "cache-control").starts_with("private"));
    assert!(header(&full, "content-disposition").starts_with("inline"));
    let decoded = image::load_from_memory(&full.bytes().await.expect("bytes")).expect("a real PNG");
    assert_eq!((decoded.width(), decoded.height()), (800, 600));

    let thumb = get(&bob, &format!("/media/{id}/thumb")).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(header(&thumb, "content-type"), "image/jpeg");
    let thumb = image::load_from_memory(&thumb.bytes().await.expect("bytes")).expect("thumb");
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
}

#[tokio::test]
async fn exif_metadata_is_stripped() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "exa", "exb").await;
    let original = jpeg_with_exif();
    assert!(original.windows(10).any(|w| w == b"SECRET-GPS"), "the fixture carries EXIF");
    let photo = uploaded(&alice, file_form(conv, "cam.jpg", original, "image/jpeg")).await;
    ok(send_with(&alice, conv, 1, "", &photo).await).await;
    let served =
        get(&bob, &format!("/media/{}", photo["id"].as_str().expect("id"))).await.bytes().await.expect("bytes");
    assert!(!served.windows(10).any(|w| w == b"SECRET-GPS") && !served.windows(4).any(|w| w == b"Exif"));
    assert_eq!(image::guess_format(&served).expect("format"), ImageFormat::Jpeg);
}

#[tokio::test]
async fn types_are_decided_by_content_not_by_name() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "typa", "typb").await;
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>".to_vec();
    let html = b"<!doctype html><html><body><script>alert(1)</script></body></html>".to_vec();
    for (name, bytes, claimed) in [
        ("photo.png", vec![0x13, 0x37, 0x00, 0xff, 0xfe, 0x01, 0x02, 0x03], "image/png"),
        ("logo.svg", svg.clone(), "image/svg+xml"),
        ("logo.png", svg, "image/png"),
        ("page.html", html.clone(), "text/html"),
        ("notes.txt", html, "text/plain"),
        ("report.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec(), "application/pdf"),
        ("tool.pdf", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0".to_vec(), "application/pdf"),
        ("run.txt", b"#!/bin/sh\necho pwned\n".to_vec(), "text/plain"),
        ("scan.tiff", b"II*\0\x08\0\0\0\0\0".to_vec(), "image/tiff"),
    ] {
        let (status, code, _) = refused(&alice, file_form(conv, name, bytes, claimed)).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"), "{name}");
    }
    let pdf = uploaded(&alice, file_form(conv, "contract.png", PDF.to_vec(), "image/png")).await;
    assert_eq!((pdf["kind"].as_str(), pdf["mime"].as_str()), (Some("document"), Some("application/pdf")));
    let text =
        uploaded(&alice, file_form(conv, "list.txt", b"milk\neggs\n".to_vec(), "application/x-msdownload")).await;
    assert_eq!(text["mime"], "text/plain");
}

#[tokio::test]
async fn four_mib_is_accepted_and_one_byte_more_is_413() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "biga", "bigb").await;
    let exactly = uploaded(&alice, file_form(conv, "big.txt", vec![b'a'; MAX_UPLOAD_BYTES], "text/plain")).await;
    assert_eq!(exactly["size"].as_u64(), Some(MAX_UPLOAD_BYTES as u64));
    let (status, code, _) =
        refused(&alice, file_form(conv, "big.txt", vec![b'a'; MAX_UPLOAD_BYTES + 1], "text/plain")).await;
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    // A body far beyond the limit is cut off by its declared length, before it is read.
    let (status, code, _) =
        refused(&alice, file_form(conv, "huge.txt", vec![b'a'; 3 * MAX_UPLOAD_BYTES], "text/plain")).await;
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "boma", "bomb").await;
    let bomb = png_bomb();
    assert!(bomb.len() < 200, "a few bytes claiming 400 megapixels");
    let started = std::time::Instant::now();
    let (status, code, _) = refused(&alice, file_form(conv, "bomb.png", bomb, "image/png")).await;
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    // Refused from the header: nothing near 1.6 GB was allocated (that would take seconds).
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn hostile_file_names_are_cleaned_and_served_safely() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "namea", "nameb").await;
    let doc =
        uploaded(&alice, file_form(conv, "../../etc/\u{202e}passwd\t.pdf", PDF.to_vec(), "application/pdf")).await;
    assert_eq!(doc["name"], "passwd.pdf");
    let windows = uploaded(&alice, file_form(conv, "C:\\temp\\..\\.hidden.pdf", PDF.to_vec(), "application/pdf")).await;
    assert_eq!(windows["name"], "hidden.pdf");
    // A raw NUL in the part's headers is malformed HTTP: refused as such, nothing stored.
    let (status, code, _) = refused(&alice, file_form(conv, "evil\0.pdf", PDF.to_vec(), "application/pdf")).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"));
    let quoted = uploaded(&alice, file_form(conv, "x\"; filename=evil.html", PDF.to_vec(), "application/pdf")).await;
    ok(send_with(&alice, conv, 1, "", &doc).await).await;
    ok(send_with(&alice, conv, 2, "", &quoted).await).await;
    let res = get(&bob, &format!("/media/{}", doc["id"].as_str().expect("id"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "application/pdf");
    assert_eq!(header(&res, "content-disposition"), "attachment; filename=\"passwd.pdf\"; filename*=UTF-8''passwd.pdf");
    let res = get(&bob, &format!("/media/{}", quoted["id"].as_str().expect("id"))).await;
    assert!(header(&res, "content-disposition").starts_with("attachment; filename=\"x_; filename=evil.html.pdf\"; "));
    for path in ["/media/..%2F..%2Fetc%2Fpasswd", "/media/../../etc/passwd", "/media/ABCDEF0123456789ABCDEF0123456789"]
    {
        assert_eq!(get(&bob, path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// Audit finding 10: text files named `.html`, `.bat`, `.js` or `.hta` were accepted as
/// text/plain and saved under those names. A served name now ends in the detected type; and
/// a file is revalidated before each use, so deleting its message takes it out of caches.
#[tokio::test]
async fn a_served_name_ends_in_its_detected_type_and_deleted_files_do_not_linger_in_caches() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "extna", "extnb").await;
    let text = b"echo hello\r\n".to_vec();
    for (n, (name, served)) in [
        ("run.bat", "run.bat.txt"),
        ("page.html", "page.html.txt"),
        ("x.js", "x.js.txt"),
        ("app.hta", "app.hta.txt"),
        ("notes.txt", "notes.txt"),
    ]
    .into_iter()
    .enumerate()
    {
        let file = uploaded(&alice, file_form(conv, name, text.clone(), "text/html")).await;
        assert_eq!((file["name"].as_str(), file["mime"].as_str()), (Some(served), Some("text/plain")), "{name}");
        let sent = ok(send_with(&alice, conv, 10 + n as u32, "", &file).await).await;
        let path = format!("/media/{}", file["id"].as_str().expect("id"));
        let res = get(&bob, &path).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(header(&res, "content-disposition").contains(&format!("filename=\"{served}\"")), "{name}");
        assert_eq!(header(&res, "cache-control"), "private, no-cache", "revalidated, never immutable");
        alice.ok("messages/delete", serde_json::json!({ "message_id": sent["id"] })).await;
        assert_eq!(get(&bob, &path).await.status(), StatusCode::NOT_FOUND, "gone once its message is deleted");
    }
}

#[tokio::test]
async fn only_members_who_can_see_the_message_may_download() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "owna", "ownb").await;
    let eve = app.registered("owne").await;
    let photo = uploaded(&alice, file_form(conv, "p.png", png(40, 40), "image/png")).await;
    let path = format!("/media/{}", photo["id"].as_str().expect("id"));
    assert_eq!(get(&bob, &path).await.status(), StatusCode::NOT_FOUND, "not sent yet: the uploader's only");
    assert_eq!(get(&alice, &path).await.status(), StatusCode::OK, "the uploader sees the preview");
    let sent = ok(send_with(&alice, conv, 1, "", &photo).await).await;
    assert_eq!(get(&bob, &path).await.status(), StatusCode::OK);
    for p in [path.clone(), format!("{path}/thumb")] {
        assert_eq!(get(&eve, &p).await.status(), StatusCode::NOT_FOUND, "non-member: {p}");
        assert_eq!(get(&app.user(), &p).await.status(), StatusCode::UNAUTHORIZED, "anonymous: {p}");
    }
    // Deleting the message deletes the file for everyone.
    ok(alice.call("messages/delete", json!({ "message_id": sent["id"] })).await).await;
    assert_eq!(get(&bob, &path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&alice, &path).await.status(), StatusCode::NOT_FOUND);
    assert!(messages(&bob.history(conv).await)[0].get("attachment").is_none());
}

#[tokio::test]
async fn uploads_can_only_be_sent_once_by_their_uploader_in_their_chat() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "senda", "sendb").await;
    let carol = app.registered("sendc").await;
    let other = alice.open_direct(carol.id().await).await;
    let photo = uploaded(&alice, file_form(conv, "p.png", png(8, 8), "image/png")).await;
    for (who, chat, n) in [(&bob, conv, 1), (&alice, other, 2)] {
        let (status, code, field) = error_of(send_with(who, chat, n, "", &photo).await).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some("attachment"))
        );
    }
    ok(send_with(&alice, conv, 3, "", &photo).await).await;
    let retried = ok(send_with(&alice, conv, 3, "", &photo).await).await;
    assert_eq!(retried["seq"], 1, "a resend of the same client_msg_id is the same message");
    let (status, _, field) = error_of(send_with(&alice, conv, 4, "again", &photo).await).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("attachment")), "one upload, one message");
    let bogus = json!({ "id": "0123456789abcdef0123456789abcdef" });
    let (status, ..) = error_of(send_with(&alice, conv, 5, "", &bogus).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(messages(&bob.history(conv).await).len(), 1, "refused sends stored nothing");
    // Uploading into a chat you are not in is a 404, like every other access to it.
    let (status, code, _) = refused(&bob, file_form(other, "p.png", png(8, 8), "image/png")).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn voice_notes_carry_checked_duration_and_waveform_and_support_seeking() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "voxa", "voxb").await;
    let note = uploaded(&alice, voice_form(conv, webm(16_000), "4200", "0,10,55,100,30")).await;
    assert_eq!((note["kind"].as_str(), note["mime"].as_str()), (Some("voice"), Some("audio/webm")));
    assert_eq!((note["duration_ms"].as_u64(), note["waveform"].clone()), (Some(4200), json!([0, 10, 55, 100, 30])));
    for (duration, waveform, field) in [
        ("4200", "0,101", "waveform"),
        ("4200", "", "waveform"),
        ("4200", &*vec!["5"; 129].join(","), "waveform"),
        ("0", "1,2", "duration_ms"),
        ("-5", "1,2", "duration_ms"),
        ("600000", "1,2", "duration_ms"), // 10 minutes in 16 KB: 213 bit/s is no recording
        ("99999999", "1,2", "duration_ms"),
    ] {
        let (status, code, got) = refused(&alice, voice_form(conv, webm(16_000), duration, waveform)).await;
        assert_eq!(
            (status, code.as_str(), got.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some(field)),
            "{duration} {waveform}"
        );
    }
    let pdf_as_voice = file_form(conv, "v.webm", PDF.to_vec(), "audio/webm")
        .text("kind", "voice")
        .text("duration_ms", "300")
        .text("waveform", "1");
    assert_eq!(refused(&alice, pdf_as_voice).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Over the socket, like the browser: the ack and the push both carry the note.
    let mut alice_ws = open(&app, &alice).await;
    let mut bob_ws = open(&app, &bob).await;
    send_json(&mut alice_ws, &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(1), "body": "", "attachment": note["id"] })).await;
    let ack = next_of(&mut alice_ws, "ack").await;
    assert_eq!(ack["message"]["attachment"], note);
    let pushed = next_of(&mut bob_ws, "message").await;
    assert_eq!(pushed["message"]["attachment"]["duration_ms"], 4200);

    let url = format!("{}/media/{}", bob.base, note["id"].as_str().expect("id"));
    let part = bob.client.get(&url).header("range", "bytes=100-199").send().await.expect("request");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&part, "content-type"), "audio/webm");
    assert_eq!(header(&part, "content-range"), "bytes 100-199/16000");
    assert_eq!(part.bytes().await.expect("bytes").len(), 100);
}

#[tokio::test]
async fn malformed_unauthenticated_and_cross_origin_uploads_are_refused() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "mala", "malb").await;
    let url = app.url("/api/media");
    let res = alice.client.post(&url).json(&json!({ "conversation_id": conv })).send().await.expect("request");
    assert_eq!(error_of(res).await.0, StatusCode::BAD_REQUEST, "not multipart");
    let res = alice
        .client
        .post(&url)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated")
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(res).await.0, StatusCode::BAD_REQUEST, "truncated multipart");
    let cases = [
        (Form::new().text("conversation_id", conv.to_string()), "file"),
        (Form::new().part("file", Part::bytes(PDF.to_vec()).file_name("a.pdf")), "conversation_id"),
        (file_form(conv, "a.pdf", PDF.to_vec(), "application/pdf").text("surprise", "x"), "surprise"),
        (file_form(conv, "a.pdf", Vec::new(), "application/pdf"), "file"),
        (Form::new().text("conversation_id", "1 OR 1=1").part("file", Part::bytes(PDF.to_vec())), "conversation_id"),
        (voice_form(conv, webm(9000), "2000", "1").text("kind", "virus"), "kind"),
    ];
    for (form, field) in cases {
        let (status, code, got) = refused(&alice, form).await;
        assert_eq!((status, code.as_str(), got.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some(field)));
    }
    let (status, code, _) = refused(&app.user(), file_form(conv, "a.pdf", PDF.to_vec(), "application/pdf")).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let form = file_form(conv, "a.pdf", PDF.to_vec(), "application/pdf");
    let res =
        alice.client.post(&url).header("origin", "https://evil.example").multipart(form).send().await.expect("request");
    assert_eq!(error_of(res).await.1, "bad_origin");
}

#[tokio::test]
async fn the_quota_counts_every_stored_byte_and_deleting_frees_it() {
    let app: TestApp = spawn_app_with(|config| config.media_quota_bytes = 3 * 1024 * 1024).await;
    let (alice, _bob, conv) = pair(&app, "quota", "quotb").await;
    let mib = |n: usize| vec![b'q'; n * 1024 * 1024];
    let first = uploaded(&alice, file_form(conv, "1.txt", mib(2), "text/plain")).await;
    let (status, code, _) = refused(&alice, file_form(conv, "2.txt", mib(2), "text/plain")).await;
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded"));
    uploaded(&alice, file_form(conv, "3.txt", mib(1), "text/plain")).await;
    let sent = ok(send_with(&alice, conv, 1, "", &first).await).await;
    ok(alice.call("messages/delete", json!({ "message_id": sent["id"] })).await).await;
    uploaded(&alice, file_form(conv, "4.txt", mib(2), "text/plain")).await;
}

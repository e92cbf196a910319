//! Profiles: display name, about line and picture, validated, shown to contacts, and pushed
//! to them when they change.

use crate::helpers::{User, error_of, ok, pair, spawn_app};
use crate::ws::{next_of, open};
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Cursor;

pub fn photo() -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(500, 400, Rgb([30, 160, 90])));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

pub async fn upload_avatar(user: &User, form: Form) -> reqwest::Response {
    user.client.post(format!("{}/api/media", user.base)).multipart(form).send().await.expect("request")
}

pub fn avatar_form(bytes: Vec<u8>) -> Form {
    Form::new().text("kind", "avatar").part("file", Part::bytes(bytes).file_name("me.jpg"))
}

#[tokio::test]
async fn name_and_about_are_validated_and_reach_contacts() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "profa", "profb").await;
    let mut bob_ws = open(&app, &bob).await;
    let me =
        alice.ok("accounts/update_profile", json!({ "display_name": "  Alice L.  ", "about": "Out hiking 🏔" })).await;
    assert_eq!((me["display_name"].as_str(), me["about"].as_str()), (Some("Alice L."), Some("Out hiking 🏔")));
    let pushed = next_of(&mut bob_ws, "conversation_updated").await;
    assert_eq!(pushed["conversation_id"], conv);
    let chat = bob.ok("conversations/get", json!({ "conversation_id": conv })).await;
    let alice_view =
        chat["members"].as_array().expect("members").iter().find(|m| m["user"]["username"] == "profa").expect("alice")
            ["user"]
            .clone();
    assert_eq!(
        (alice_view["display_name"].as_str(), alice_view["about"].as_str()),
        (Some("Alice L."), Some("Out hiking 🏔"))
    );

    let long = "x".repeat(141);
    for (name, about, field) in [
        ("", "ok", "display_name"),
        ("A\u{7}", "ok", "display_name"),
        ("Al", long.as_str(), "about"),
        ("Al", "two\nlines", "about"),
    ] {
        let (status, code, got) =
            alice.fails("accounts/update_profile", json!({ "display_name": name, "about": about })).await;
        assert_eq!((status, code.as_str(), got.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some(field)));
    }
    let (status, ..) = alice.fails("accounts/update_profile", json!({ "display_name": 7 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(alice.ok("accounts/me", json!({})).await["display_name"], "Alice L.", "refused updates changed nothing");
}

#[tokio::test]
async fn a_profile_picture_is_an_uploaded_photo_any_contact_can_load() {
    let app = spawn_app().await;
    let (alice, bob, _conv) = pair(&app, "pica", "picb").await;
    let eve = app.registered("pice").await;
    let res = upload_avatar(&alice, avatar_form(photo())).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let avatar: Value = res.json().await.expect("json");
    assert!(avatar["width"].as_u64().is_some());
    let me = alice.ok("accounts/set_avatar", json!({ "avatar": avatar["id"] })).await;
    assert_eq!(me["avatar"], avatar["id"]);
    let id = avatar["id"].as_str().expect("id");
    for viewer in [&bob, &eve] {
        let res = viewer.client.get(format!("{}/media/{id}/thumb", viewer.base)).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK, "signed-in users see profile pictures");
    }
    let found = bob.ok("users/search", json!({ "query": "pica" })).await;
    assert_eq!(found[0]["avatar"], avatar["id"]);

    // Only your own avatar upload, and only a photo.
    let (status, _, field) = error_of(bob.call("accounts/set_avatar", json!({ "avatar": id })).await).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("avatar")));
    let pdf =
        Form::new().text("kind", "avatar").part("file", Part::bytes(b"%PDF-1.4\n%%EOF".to_vec()).file_name("a.pdf"));
    assert_eq!(upload_avatar(&alice, pdf).await.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, ..) = error_of(alice.call("accounts/set_avatar", json!({ "avatar": "../../etc/passwd" })).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Replacing deletes the old picture; removing clears it.
    let second: Value = upload_avatar(&alice, avatar_form(photo())).await.json().await.expect("json");
    ok(alice.call("accounts/set_avatar", json!({ "avatar": second["id"] })).await).await;
    let old = bob.client.get(format!("{}/media/{id}", bob.base)).send().await.expect("request");
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    let me = alice.ok("accounts/set_avatar", json!({ "avatar": null })).await;
    assert!(me.get("avatar").is_none());
}

/// Audit finding 10: a picture uploaded with `kind=avatar` but never set was readable by every
/// user and kept forever. Until it is someone's picture only its uploader can load it, and the
/// housekeeping sweep deletes it.
#[tokio::test]
async fn a_picture_never_set_is_private_to_its_uploader_and_swept() {
    let app = spawn_app().await;
    let (alice, bob, _conv) = pair(&app, "unset", "viewer").await;
    let unused: Value = upload_avatar(&alice, avatar_form(photo())).await.json().await.expect("json");
    let used: Value = upload_avatar(&alice, avatar_form(photo())).await.json().await.expect("json");
    ok(alice.call("accounts/set_avatar", json!({ "avatar": used["id"] })).await).await;
    let load = |user: &User, id: &Value| {
        let url = format!("{}/media/{}/thumb", user.base, id.as_str().expect("id"));
        let client = user.client.clone();
        async move { client.get(url).send().await.expect("request").status() }
    };
    assert_eq!(load(&alice, &unused["id"]).await, StatusCode::OK, "the uploader sees it");
    assert_eq!(load(&bob, &unused["id"]).await, StatusCode::NOT_FOUND, "nobody else does");
    assert_eq!(load(&bob, &used["id"]).await, StatusCode::OK, "a set picture is public to users");

    let swept = app.state.services.media.sweep_unsent(0).await.expect("sweep");
    assert_eq!(swept, 1, "only the picture never set");
    assert_eq!(load(&alice, &unused["id"]).await, StatusCode::NOT_FOUND);
    assert_eq!(load(&bob, &used["id"]).await, StatusCode::OK, "the one in use stays");
}

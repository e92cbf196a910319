//! Forwarding: copies of readable messages sent to up to five of the caller's chats, media
//! shared by file rather than uploaded again, and every refusal all-or-nothing.

use crate::helpers::{TestApp, bodies, messages, ok, pair, spawn_app};
use crate::media::{file_form, get, png, send_with, uploaded};
use crate::ws::{next_of, open};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn forward(user: &crate::helpers::User, ids: &[&Value], chats: &[i64]) -> reqwest::Response {
    let ids: Vec<Value> = ids.iter().map(|m| m["id"].clone()).collect();
    user.call("messages/forward", json!({ "message_ids": ids, "conversation_ids": chats })).await
}

/// The stored file of a media id, as `Storage::path` lays it out.
fn stored(app: &TestApp, id: &str) -> std::path::PathBuf {
    app.data_dir().join("media").join(&id[..2]).join(id)
}

#[tokio::test]
async fn forwarding_copies_text_and_a_photo_into_several_chats_in_order() {
    let app = spawn_app().await;
    let (ana, ben, direct) = pair(&app, "ana", "ben").await;
    let cleo = app.registered("cleo").await;
    let cleo_id = cleo.id().await;
    let with_cleo = ana.open_direct(cleo_id).await;
    let group = ana.create_group("Trip", &[cleo_id]).await;

    let photo = uploaded(&ana, file_form(direct, "view.png", png(64, 48), "image/png")).await;
    let shot = ok(send_with(&ana, direct, 1, "the view", &photo).await).await;
    let note = ben.send(direct, 2, "*so* nice").await;
    let mut cleo_ws = open(&app, &cleo).await;
    let ana_id = ana.id().await;

    // Chosen in any order, sent in the order they were written.
    let copies = ok(forward(&ana, &[&note, &shot], &[group, with_cleo]).await).await;
    let copies = copies.as_array().expect("copies");
    assert_eq!(copies.len(), 4);
    // Chat by chat, in ascending chat id.
    let (first, second) = (group.min(with_cleo), group.max(with_cleo));
    let expected = [(first, "the view"), (first, "*so* nice"), (second, "the view"), (second, "*so* nice")];
    for (copy, (chat, body)) in copies.iter().zip(expected) {
        assert_eq!((copy["conversation_id"].as_i64(), copy["body"].as_str()), (Some(chat), Some(body)));
        assert_eq!((copy["forwarded"].as_bool(), copy["sender_id"].as_i64()), (Some(true), Some(ana_id)));
        assert_eq!(copy["reply_to"], Value::Null);
    }
    // Pushed like any send: Cleo is in both chats.
    let pushed = next_of(&mut cleo_ws, "message").await;
    assert_eq!(pushed["message"]["forwarded"], true);

    // The copy's photo is a media row of its own, downloadable by Cleo; the original is not.
    let copy_photo = &copies[0]["attachment"];
    let copy_id = copy_photo["id"].as_str().expect("copy id");
    assert_ne!(copy_id, photo["id"].as_str().expect("id"));
    assert_eq!(
        (copy_photo["name"].clone(), copy_photo["width"].clone()),
        (photo["name"].clone(), photo["width"].clone())
    );
    let served = get(&cleo, &format!("/media/{copy_id}")).await;
    assert_eq!(served.status(), StatusCode::OK);
    let decoded = image::load_from_memory(&served.bytes().await.expect("bytes")).expect("the photo");
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
    assert_eq!(get(&cleo, &format!("/media/{copy_id}/thumb")).await.status(), StatusCode::OK);
    let original = photo["id"].as_str().expect("id");
    assert_eq!(get(&cleo, &format!("/media/{original}")).await.status(), StatusCode::NOT_FOUND);
    assert!(!stored(&app, copy_id).exists(), "no bytes were copied");

    // The copies are ordinary messages of their chats; Ben's chat gained nothing.
    assert_eq!(bodies(&cleo.history(group).await)[1..], ["the view", "*so* nice"]);
    assert_eq!(messages(&ben.history(direct).await).len(), 2);
}

#[tokio::test]
async fn a_shared_file_stays_until_the_last_message_showing_it_is_deleted() {
    let app = spawn_app().await;
    let (ana, ben, direct) = pair(&app, "dora", "emil").await;
    let group = ana.create_group("Shared", &[ben.id().await]).await;
    let photo = uploaded(&ana, file_form(direct, "p.png", png(32, 32), "image/png")).await;
    let original = ok(send_with(&ana, direct, 1, "", &photo).await).await;
    let copy = ok(forward(&ana, &[&original], &[group]).await).await[0].clone();
    let file = stored(&app, photo["id"].as_str().expect("id"));
    assert!(file.exists());

    ok(ana.call("messages/delete", json!({ "message_id": original["id"] })).await).await;
    assert!(file.exists(), "the forwarded copy still shows it");
    let copy_path = format!("/media/{}", copy["attachment"]["id"].as_str().expect("id"));
    assert_eq!(get(&ben, &copy_path).await.status(), StatusCode::OK);

    ok(ana.call("messages/delete", json!({ "message_id": copy["id"] })).await).await;
    assert!(!file.exists(), "the last message showing it is gone, and so is the file");
    assert_eq!(get(&ben, &copy_path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forwards_are_refused_whole_for_anything_the_caller_cannot_read_or_send_to() {
    let app = spawn_app().await;
    let (ana, ben, direct) = pair(&app, "fay", "gus").await;
    let (stranger, _other, theirs) = pair(&app, "hal", "ida").await;
    let mine = ana.create_group("Mine", &[ben.id().await]).await;
    let text = ana.send(direct, 1, "hello").await;
    let secret = stranger.send(theirs, 1, "not for you").await;
    let system = messages(&ana.history(mine).await)[0].clone();
    let gone = ana.send(direct, 2, "regret").await;
    ok(ana.call("messages/delete", json!({ "message_id": gone["id"] })).await).await;
    let hidden = ben.send(direct, 3, "hidden by ana").await;
    ok(ana.call("messages/hide", json!({ "conversation_id": direct, "message_ids": [hidden["id"]] })).await).await;

    let refusals: [(&[&Value], Vec<i64>, StatusCode, &str); 8] = [
        (&[&text], vec![mine, theirs], StatusCode::NOT_FOUND, "not_found"), // a chat I am not in
        (&[&text, &secret], vec![mine], StatusCode::NOT_FOUND, "not_found"), // a message I cannot read
        (&[&hidden], vec![mine], StatusCode::NOT_FOUND, "not_found"),       // deleted for me
        (&[&system], vec![mine], StatusCode::BAD_REQUEST, "invalid_input"),
        (&[&gone], vec![mine], StatusCode::BAD_REQUEST, "invalid_input"),
        (&[], vec![mine], StatusCode::BAD_REQUEST, "invalid_input"),
        (&[&text], vec![], StatusCode::BAD_REQUEST, "invalid_input"),
        (
            &[&text],
            vec![mine, direct, mine + 100, mine + 101, mine + 102, mine + 103],
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
    ];
    for (ids, chats, status, code) in refusals {
        let (got, got_code, _) = crate::helpers::error_of(forward(&ana, ids, &chats).await).await;
        assert_eq!((got, got_code.as_str()), (status, code), "{chats:?}");
    }
    let too_many: Vec<Value> = (0..51).map(|n| json!(n + 1)).collect();
    let (status, _, field) =
        ana.fails("messages/forward", json!({ "message_ids": too_many, "conversation_ids": [mine] })).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("message_ids")));
    assert_eq!(bodies(&ana.history(mine).await).len(), 1, "nothing was stored by any refusal");
    assert_eq!(bodies(&stranger.history(theirs).await), ["not for you"]);

    // The same message twice is one copy; a removed member forwards nothing from the group.
    let copies = ok(forward(&ana, &[&text, &text], &[mine, mine]).await).await;
    assert_eq!(copies.as_array().map(Vec::len), Some(1));
    let in_group = ana.send(mine, 4, "group news").await;
    ok(ana.call("conversations/remove_member", json!({ "conversation_id": mine, "user_id": ben.id().await })).await)
        .await;
    let (status, ..) = crate::helpers::error_of(forward(&ben, &[&in_group], &[direct]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

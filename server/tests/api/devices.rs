//! Account safety (issue #15, first part): changing the password, and "Devices": where the
//! account is logged in, logging out one of them or all others. An ended session's sockets
//! close at once, its cookie is worth nothing, and nobody can touch another person's devices.

use crate::helpers::{PASSWORD, TestApp, User, spawn_app};
use crate::ws;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const NEW_PASSWORD: &str = "a brand new passphrase";
const PIXEL: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/126.0.0.0 Mobile Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// A second browser of `username`, logged in with `user_agent`.
async fn another_device(app: &TestApp, username: &str, password: &str, user_agent: &str) -> User {
    let device = app.user();
    let res = device
        .client
        .post(app.url("/api/accounts/login"))
        .header(reqwest::header::USER_AGENT, user_agent)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("log-in");
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    device
}

async fn devices(user: &User) -> Vec<Value> {
    user.ok("accounts/devices", json!({})).await.as_array().expect("a list").clone()
}

async fn closed_for_session_end(socket: &mut ws::Socket) {
    let close = ws::close_of(socket, Duration::from_secs(30)).await;
    assert_eq!(close.map(|(code, _)| code), Some(4401), "the ended session's socket closes at once");
}

#[tokio::test]
async fn devices_list_every_session_of_the_account_with_browser_and_system() {
    let app = spawn_app().await;
    let alice = app.registered("dev_alice").await;
    let _phone = another_device(&app, "dev_alice", PASSWORD, PIXEL).await;
    let _laptop = another_device(&app, "dev_alice", PASSWORD, FIREFOX).await;
    let bob = app.registered("dev_bob").await;

    let list = devices(&alice).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list[0]["current"], true, "this device first: {list:?}");
    assert_eq!(list.iter().filter(|d| d["current"] == true).count(), 1);
    let described: Vec<(String, String)> = list
        .iter()
        .map(|d| {
            (d["browser"].as_str().unwrap_or_default().to_owned(), d["os"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert!(described.contains(&("Chrome".into(), "Android".into())), "{described:?}");
    assert!(described.contains(&("Firefox".into(), "Linux".into())), "{described:?}");
    assert!(described.contains(&("Unknown browser".into(), "Unknown system".into())), "no User-Agent: {described:?}");
    for device in &list {
        let id = device["id"].as_str().expect("id");
        assert_eq!(id.len(), 32, "an opaque digest, never the cookie: {id}");
        assert!(!alice.session_id().contains(id));
        assert!(device["last_active_at"].as_i64().expect("last active") > 0);
        assert!(device["signed_in_at"].as_i64().expect("signed in") > 0);
    }
    assert_eq!(devices(&bob).await.len(), 1, "only one's own sessions");
}

#[tokio::test]
async fn a_device_logged_out_from_another_loses_its_socket_and_its_cookie() {
    let app = spawn_app().await;
    let alice = app.registered("dev_carol").await;
    let phone = another_device(&app, "dev_carol", PASSWORD, PIXEL).await;
    let laptop = another_device(&app, "dev_carol", PASSWORD, FIREFOX).await;
    let mut phone_socket = ws::open(&app, &phone).await;
    let mut laptop_socket = ws::open(&app, &laptop).await;

    let list = devices(&alice).await;
    let id_of = |browser: &str| {
        list.iter().find(|d| d["browser"] == browser).and_then(|d| d["id"].as_str()).expect("device").to_owned()
    };
    alice.ok("accounts/end_device", json!({ "id": id_of("Chrome") })).await;
    closed_for_session_end(&mut phone_socket).await;
    assert_eq!(phone.me().await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(laptop.me().await.status(), StatusCode::OK, "the others stay");
    ws::assert_silent(&mut laptop_socket, "the laptop").await;
    assert_eq!(devices(&alice).await.len(), 2);

    // This device is logged out with Log out, not from the list; unknown ids are not found.
    let mine = devices(&alice).await.into_iter().find(|d| d["current"] == true).expect("current");
    let (status, code, field) = alice.fails("accounts/end_device", json!({ "id": mine["id"] })).await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some("id")));
    for id in [json!("0".repeat(32)), json!("not hex at all"), json!("")] {
        let (status, code, _) = alice.fails("accounts/end_device", json!({ "id": id })).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{id}");
    }

    // All the others at once.
    let ended = alice.ok("accounts/end_other_devices", json!({})).await;
    assert_eq!(ended, json!(1));
    closed_for_session_end(&mut laptop_socket).await;
    assert_eq!(laptop.me().await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(alice.me().await.status(), StatusCode::OK);
    assert_eq!(alice.ok("accounts/end_other_devices", json!({})).await, json!(0));
}

#[tokio::test]
async fn nobody_can_see_or_end_another_persons_devices() {
    let app = spawn_app().await;
    let alice = app.registered("dev_dan").await;
    let bob = app.registered("dev_erin").await;
    let bob_phone = another_device(&app, "dev_erin", PASSWORD, PIXEL).await;
    let bobs: Vec<String> = devices(&bob).await.iter().map(|d| d["id"].as_str().expect("id").to_owned()).collect();
    for id in &bobs {
        let (status, code, _) = alice.fails("accounts/end_device", json!({ "id": id })).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "someone else's device");
    }
    assert_eq!(bob_phone.me().await.status(), StatusCode::OK);
    assert_eq!(alice.ok("accounts/end_other_devices", json!({})).await, json!(0));
    assert_eq!(bob_phone.me().await.status(), StatusCode::OK, "ending my others never ends yours");

    let anonymous = app.user();
    for endpoint in
        ["accounts/devices", "accounts/end_device", "accounts/end_other_devices", "accounts/change_password"]
    {
        let body = json!({ "id": bobs[0], "current_password": PASSWORD, "new_password": NEW_PASSWORD, "log_out_others": true });
        let (status, code, _) = anonymous.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{endpoint}");
    }
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_keeps_this_session_under_a_new_id() {
    let app = spawn_app().await;
    let alice = app.registered("dev_fay").await;
    let phone = another_device(&app, "dev_fay", PASSWORD, PIXEL).await;
    let mut phone_socket = ws::open(&app, &phone).await;
    let change = |current: &str, new: &str, others: bool| json!({ "current_password": current, "new_password": new, "log_out_others": others });

    for (body, field) in [
        (change("wrong password", NEW_PASSWORD, true), "current_password"),
        (change(&"x".repeat(10_000), NEW_PASSWORD, true), "current_password"),
        (change(PASSWORD, "short", true), "new_password"),
        (change(PASSWORD, "          ", true), "new_password"),
        (change(PASSWORD, "password1", true), "new_password"),
        (change(PASSWORD, "dev_fay", true), "new_password"),
        (change(PASSWORD, PASSWORD, true), "new_password"),
        (change(PASSWORD, &"p".repeat(300), true), "new_password"),
    ] {
        let (status, code, got) = alice.fails("accounts/change_password", body.clone()).await;
        assert_eq!(
            (status, code.as_str(), got.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some(field)),
            "{body}"
        );
    }
    for hostile in [json!({}), json!({ "current_password": 5, "new_password": [], "log_out_others": "yes" })] {
        let status = alice.call("accounts/change_password", hostile.clone()).await.status();
        assert!(status.is_client_error(), "{hostile}: {status}");
    }
    assert_eq!(phone.me().await.status(), StatusCode::OK, "nothing changed yet");

    let mut own_socket = ws::open(&app, &alice).await;
    let before = alice.session_id();
    alice.ok("accounts/change_password", change(PASSWORD, NEW_PASSWORD, true)).await;
    assert_ne!(alice.session_id(), before, "the session id is cycled");
    assert_eq!(alice.me().await.status(), StatusCode::OK, "and the session goes on");
    // The socket opened under the old id ends too (just after the answer); a new one opens
    // with the new cookie.
    closed_for_session_end(&mut own_socket).await;
    ws::open(&app, &alice).await;
    closed_for_session_end(&mut phone_socket).await;
    assert_eq!(phone.me().await.status(), StatusCode::UNAUTHORIZED, "the other device is logged out");
    assert_eq!(devices(&alice).await.len(), 1);

    let old = app.user();
    assert_eq!(old.login("dev_fay", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let new = app.user();
    assert_eq!(new.login("dev_fay", NEW_PASSWORD).await.status(), StatusCode::OK);

    // Without log_out_others the other sessions stay.
    new.ok("accounts/change_password", change(NEW_PASSWORD, "yet another passphrase", false)).await;
    assert_eq!(alice.me().await.status(), StatusCode::OK);
    assert_eq!(devices(&new).await.len(), 2);
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_log_ins() {
    let app = spawn_app().await;
    let alice = app.registered("dev_gil").await;
    let body = json!({ "current_password": "not the password", "new_password": NEW_PASSWORD, "log_out_others": false });
    let mut limited = false;
    for _ in 0..30 {
        let (status, code, _) = alice.fails("accounts/change_password", body.clone()).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code, "rate_limited");
            limited = true;
            break;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    assert!(limited, "guessing the current password is throttled");
}

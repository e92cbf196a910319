use crate::helpers::{PASSWORD, error_of, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn register_logs_in_and_me_returns_the_account() {
    let app = spawn_app().await;
    let alice = app.user();
    let res = alice.register("Alice", "Alice Liddell", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = alice.me().await.json().await.expect("json");
    assert_eq!(me["username"], "alice", "usernames are stored lower-cased");
    assert_eq!(me["display_name"], "Alice Liddell");
    assert!(me.get("password_hash").is_none(), "no secret leaves the server");
}

#[tokio::test]
async fn usernames_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    app.registered("bob").await;
    let res = app.user().register("BOB", "Another Bob", PASSWORD).await;
    assert_eq!(error_of(res).await, (StatusCode::CONFLICT, "conflict".into(), Some("username".into())));
}

#[tokio::test]
async fn invalid_registrations_name_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let user = app.user();
    for (username, display, password, field) in [
        ("a", "Name", PASSWORD, "username"),
        ("has space", "Name", PASSWORD, "username"),
        ("<script>", "Name", PASSWORD, "username"),
        ("carol", "   ", PASSWORD, "display_name"),
        ("carol", "Name", "short", "password"),
        // Eight spaces are eight characters, but no password.
        ("carol", "Name", "        ", "password"),
        // The username as the password (any case, or reversed) is the first thing anyone tries.
        ("carolanne", "Name", "CarolAnne", "password"),
        ("carolanne", "Name", "ennalorac", "password"),
        // One of the 10,000 most common passwords, in any case.
        ("carol", "Name", "password1", "password"),
        ("carol", "Name", "Sunshine1", "password"),
        // Names that read differently from what they are.
        ("carol", "evil\u{202E}moc.elgoog", PASSWORD, "display_name"),
        ("carol", "Car\u{200B}ol", PASSWORD, "display_name"),
    ] {
        let res = user.register(username, display, password).await;
        assert_eq!(error_of(res).await, (StatusCode::BAD_REQUEST, "invalid_input".into(), Some(field.into())));
    }
    let huge = "p".repeat(300);
    let (status, _, field) = error_of(user.register("carol", "Carol", &huge).await).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    assert_eq!(user.me().await.status(), StatusCode::UNAUTHORIZED, "no session was started");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.registered("dave").await;
    let wrong_password = app.user().login("dave", "not the password").await;
    let (s1, c1, _) = error_of(wrong_password).await;
    let unknown_user = app.user().login("nobody_here", "not the password").await;
    let (s2, c2, _) = error_of(unknown_user).await;
    assert_eq!((s1, c1.as_str()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    assert_eq!((s1, c1), (s2, c2));
}

#[tokio::test]
async fn login_cycles_the_session_id_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let erin = app.registered("erin").await;
    let before = erin.cookie_header().expect("cookie after register");
    assert_eq!(erin.login("erin", PASSWORD).await.status(), StatusCode::OK);
    let after = erin.cookie_header().expect("cookie after login");
    assert_ne!(before, after, "login must issue a new session id");
    assert_eq!(erin.me().await.status(), StatusCode::OK);

    let stale = app.user();
    let res = stale
        .client
        .post(app.url("/api/accounts/me"))
        .header("cookie", before)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_invalidates_the_session_on_the_server() {
    let app = spawn_app().await;
    let frank = app.registered("frank").await;
    let cookie = frank.cookie_header().expect("cookie");
    assert_eq!(frank.logout().await.status(), StatusCode::OK);
    assert_eq!(frank.me().await.status(), StatusCode::UNAUTHORIZED);

    // A copy of the cookie kept from before logout is worthless too.
    let res = app
        .user()
        .client
        .post(app.url("/api/accounts/me"))
        .header("cookie", cookie)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(res).await.1, "unauthorized");
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let app = spawn_app().await;
    app.registered("grace").await;
    let attacker = app.user();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(attacker.login("grace", "wrong password!").await.status());
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
    // Even the right password is refused while the account is throttled.
    let (status, code, _) = error_of(attacker.login("grace", PASSWORD).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}

#[tokio::test]
async fn wrong_guesses_from_one_address_do_not_lock_the_owner_out_from_another() {
    let app = spawn_app().await;
    app.registered("hana").await;
    let attacker = app.user();
    for _ in 0..12 {
        attacker.login("hana", "wrong password!").await;
    }
    assert_eq!(attacker.login("hana", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Hana, from her own address, gets in.
    let hana = app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert_eq!(hana.login("hana", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(hana.me().await.status(), StatusCode::OK);
}

#[tokio::test]
async fn me_without_a_session_is_unauthorized() {
    let app = spawn_app().await;
    let (status, code, _) = error_of(app.user().me().await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
}

#[tokio::test]
async fn plain_form_posts_redirect_with_javascript_off() {
    let app = spawn_app().await;
    let browser = app.user();
    let register = |username: &'static str| {
        browser
            .client
            .post(app.url("/api/accounts/register"))
            .header("accept", "text/html")
            .header("referer", app.url("/register"))
            .form(&[("username", username), ("display_name", "Heidi"), ("password", PASSWORD)])
            .send()
    };
    let ok = register("heidi").await.expect("request");
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(ok.headers()["location"], "/chat");
    let taken = app
        .user()
        .client
        .post(app.url("/api/accounts/register"))
        .header("accept", "text/html")
        .form(&[("username", "heidi"), ("display_name", "Heidi"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(taken.status(), StatusCode::FOUND);
    assert_eq!(taken.headers()["location"], "/register?error=conflict&field=username");
}

/// Audit finding 6: 300 sign-ups from one address all succeeded; each address now has a
/// sign-up budget, refused before any hashing.
#[tokio::test]
async fn sign_ups_from_one_address_are_throttled() {
    let app = spawn_app_with(|config| {
        config.signups = server::accounts::Budget { burst: 5, refill_every: std::time::Duration::from_secs(3600) };
    })
    .await;
    let flood = app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));
    let mut answers = Vec::new();
    for i in 0..8 {
        answers.push(flood.register(&format!("flood{i}"), "Flood", PASSWORD).await.status());
    }
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::OK).count(), 5, "{answers:?}");
    let (status, code, _) = error_of(flood.register("flood9", "Flood", PASSWORD).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    // Nothing was stored for the refused ones, and another address signs up as usual.
    assert_eq!(
        app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 4))).login("flood7", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let other = app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 5)));
    assert_eq!(other.register("ivy", "Ivy", PASSWORD).await.status(), StatusCode::OK);
}

/// Audit finding 6: during a flood of sign-ups a log-in waited 6.8 s behind them. Log-ins now
/// take the next free hashing slot before any waiting sign-up, and sign-ups beyond a short
/// queue are refused at once. Asserted by order of completion, not by time.
#[tokio::test]
async fn a_log_in_goes_before_a_flood_of_sign_ups() {
    let app = spawn_app_with(|config| {
        config.signups = server::accounts::Budget { burst: 1000, refill_every: std::time::Duration::from_secs(1) };
    })
    .await;
    app.registered("judy").await;
    let finished = Arc::new(Mutex::new(Vec::new()));
    let mut flood = Vec::new();
    for i in 0..60u8 {
        let (client, finished) = (app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 1, i))), finished.clone());
        flood.push(tokio::spawn(async move {
            let status = client.register(&format!("signup{i}"), "Signup", PASSWORD).await.status();
            finished.lock().expect("order").push(format!("signup {status}"));
            status
        }));
    }
    // Let the flood reach the queue, then log in.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let judy = app.user_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert_eq!(judy.login("judy", PASSWORD).await.status(), StatusCode::OK);
    finished.lock().expect("order").push("login".to_owned());
    let mut statuses = Vec::new();
    for task in flood {
        statuses.push(task.await.expect("sign-up task"));
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let created = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(refused + created, statuses.len(), "{statuses:?}");
    assert!(refused > 0, "the sign-up queue is bounded: {statuses:?}");
    let order = finished.lock().expect("order").clone();
    let login_at = order.iter().position(|e| e == "login").expect("login finished");
    let last_signup = order.iter().rposition(|e| e == "signup 200 OK").expect("some sign-ups were served");
    assert!(login_at < last_signup, "the log-in waited behind every sign-up: {order:?}");
}

//! `spawn_app()` and typed helpers for talking to it.
//!
//! Every test gets a fresh database: a SQLite file in a temporary directory by default, or,
//! when `TEST_DATABASE_URL` names a PostgreSQL server, a database of its own on that server
//! (`msg_t_<unix secs>_<hex>`, copied from one migrated template per run), dropped again when
//! the test's `TestApp` goes away.

use leptos::config::LeptosOptions;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};
use serde_json::{Value, json};
use server::{Application, config::Config};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const PASSWORD: &str = "correct horse battery";

/// Test databases on PostgreSQL start with this; anything older than [`STALE_AFTER`] is left
/// over from an interrupted run and dropped when the next run starts.
const PG_PREFIX: &str = "msg_t_";
const STALE_AFTER: Duration = Duration::from_secs(3600);

pub struct TestApp {
    pub addr: SocketAddr,
    /// The app's own database, for tests that change what no endpoint can (e.g. expire a
    /// session).
    pub db: DatabaseConnection,
    /// The app's services, for tests that run what only a timer runs (e.g. the upload sweep).
    pub state: server::state::AppState,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// A browser-like client: its own cookie jar, talking to one app.
pub struct User {
    pub client: Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Boots the app with a test configuration adjusted by `tweak` (e.g. short timeouts).
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_until(tweak, std::future::pending()).await.0
}

/// Boots the app until `shutdown` completes; the handle ends when the server has stopped.
pub async fn spawn_app_until(
    tweak: impl FnOnce(&mut Config),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (TestApp, tokio::task::JoinHandle<std::io::Result<()>>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(dir.path());
    let pg = match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
        Some(admin_url) => {
            let pg = PgDatabase::create(&admin_url).await;
            config.database_url = pg.url.clone();
            Some(pg)
        }
        None => None,
    };
    tweak(&mut config);
    let leptos = LeptosOptions::builder().output_name("messenger").site_root("target/site").build();
    let listener = server::serve::listen(([127, 0, 0, 1], 0).into()).expect("bind");
    let app = Application::build(config, leptos, listener).await.expect("build app");
    let addr = app.local_addr().expect("addr");
    let (db, state) = (app.state.db.clone(), app.state.clone());
    let server = tokio::spawn(app.run_until(shutdown));
    (TestApp { addr, db, state, _dir: dir, _pg: pg }, server)
}

/// One test's own database on the PostgreSQL server named by `TEST_DATABASE_URL`.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> Self {
        let template = migrated_template(admin_url);
        let name = fresh_name("");
        let db = Database::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
        db.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("create test database");
        let _ = db.close().await;
        Self { admin_url: admin_url.to_owned(), url: with_database(admin_url, &name), name }
    }
}

/// `msg_t_<unix secs>_<random hex><suffix>`.
fn fresh_name(suffix: &str) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    format!("{PG_PREFIX}{now}_{:016x}{suffix}", rand::random::<u64>())
}

/// Once per test binary: drops what interrupted runs left behind, then creates a database and
/// migrates it with the server's own `db::connect`, so each test's database is a cheap copy
/// of it instead of running every migration again. Runs on a thread of its own, so no test's
/// runtime owns the connections.
fn migrated_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let admin = admin_url.to_owned();
        on_own_runtime(async move {
            drop_stale_databases(&admin).await;
            let name = fresh_name("_template");
            let db = Database::connect(&admin).await.expect("connect to TEST_DATABASE_URL");
            db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create template database");
            let _ = db.close().await;
            let migrated = server::db::connect(&with_database(&admin, &name)).await.expect("migrate template database");
            // A template must have no open connections while it is copied.
            let _ = migrated.close().await;
            name
        })
    })
}

impl Drop for PgDatabase {
    /// Drops the database from a thread of its own: `Drop` cannot await, and the test's
    /// runtime (which still runs the app and its pool) must not be blocked on itself.
    /// `WITH (FORCE)` ends the app's pooled connections.
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        on_own_runtime(async move {
            if let Ok(db) = Database::connect(&admin).await {
                if let Err(e) = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await {
                    eprintln!("dropping test database {name}: {e}");
                }
                let _ = db.close().await;
            }
        });
    }
}

/// Drops test databases older than [`STALE_AFTER`] (their name carries their creation time),
/// leaving those of a run that is still going alone.
async fn drop_stale_databases(admin_url: &str) {
    #[derive(FromQueryResult)]
    struct Name {
        datname: String,
    }
    let Ok(db) = Database::connect(admin_url).await else { return };
    let backend = db.get_database_backend();
    let sql = format!("SELECT datname FROM pg_database WHERE datname LIKE '{PG_PREFIX}%'");
    let names = Name::find_by_statement(Statement::from_string(backend, sql)).all(&db).await.unwrap_or_default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    for Name { datname } in names {
        let created = datname[PG_PREFIX.len()..].split('_').next().and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
        if now.saturating_sub(created) > STALE_AFTER.as_secs() {
            let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)")).await;
        }
    }
    let _ = db.close().await;
}

/// Runs `work` to completion on a fresh single-threaded runtime in its own thread.
fn on_own_runtime<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    let thread = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(work)
    });
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// `url` with its database name (the path) replaced by `name`, query string kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = base[authority_start..].find('/').map_or(base, |i| &base[..authority_start + i]);
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The app's `DATA_DIR` (uploads live under `media/`).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn user(&self) -> User {
        self.user_from(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
    }

    /// A browser connecting from `address` (any of 127.0.0.0/8: the server sees it as the
    /// client's address).
    pub fn user_from(&self, address: std::net::IpAddr) -> User {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .local_address(address)
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            // A request that hangs fails its test instead of stalling the whole run.
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        User { client, jar, base: self.url("") }
    }

    /// A new user, registered and logged in under a unique name.
    pub async fn registered(&self, username: &str) -> User {
        self.registered_as(username, "Test User").await
    }

    /// A new user with a chosen display name, who lets anyone add them to groups (most tests
    /// put strangers into groups; the default, contacts only, has tests of its own).
    pub async fn registered_as(&self, username: &str, display_name: &str) -> User {
        let user = self.registered_default(username, display_name).await;
        user.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
        user
    }

    /// A new user with every setting at its default.
    pub async fn registered_default(&self, username: &str, display_name: &str) -> User {
        let user = self.user();
        let res = user.register(username, display_name, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "register {username}: {}", res.text().await.unwrap_or_default());
        user
    }
}

impl User {
    pub async fn form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.expect("request")
    }

    pub async fn json(&self, path: &str, body: &Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).json(body).send().await.expect("request")
    }

    /// Calls the server function at `/api/<endpoint>` with a JSON body.
    pub async fn call(&self, endpoint: &str, body: Value) -> Response {
        self.json(&format!("/api/{endpoint}"), &body).await
    }

    /// Calls a server function that must succeed, returning its JSON answer.
    pub async fn ok(&self, endpoint: &str, body: Value) -> Value {
        ok(self.call(endpoint, body).await).await
    }

    /// Calls a server function that must fail: (status, code, field).
    pub async fn fails(&self, endpoint: &str, body: Value) -> (StatusCode, String, Option<String>) {
        error_of(self.call(endpoint, body).await).await
    }

    pub async fn register(&self, username: &str, display_name: &str, password: &str) -> Response {
        self.form(
            "/api/accounts/register",
            &[("username", username), ("display_name", display_name), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.form("/api/accounts/login", &[("username", username), ("password", password)]).await
    }

    pub async fn me(&self) -> Response {
        self.json("/api/accounts/me", &json!({})).await
    }

    pub async fn id(&self) -> i64 {
        ok(self.me().await).await["id"].as_i64().expect("id")
    }

    pub async fn logout(&self) -> Response {
        self.form("/api/accounts/logout", &[]).await
    }

    /// Sends text with the client message id `uuid(n)`; the answer is the stored message.
    pub async fn send(&self, conversation: i64, n: u32, body: &str) -> Value {
        self.ok("messages/send", json!({ "conversation_id": conversation, "client_msg_id": uuid(n), "body": body }))
            .await
    }

    /// The newest page of history.
    pub async fn history(&self, conversation: i64) -> Value {
        self.ok("messages/history", json!({ "conversation_id": conversation })).await
    }

    pub async fn open_direct(&self, other: i64) -> i64 {
        self.ok("conversations/open_direct", json!({ "user_id": other })).await["id"].as_i64().expect("id")
    }

    pub async fn create_group(&self, title: &str, members: &[i64]) -> i64 {
        self.ok("conversations/create_group", json!({ "title": title, "members": members })).await["id"]
            .as_i64()
            .expect("id")
    }

    /// The id of this browser's session, as its cookie carries it (and the store keys it).
    pub fn session_id(&self) -> String {
        let cookies = self.cookie_header().expect("a session cookie");
        cookies
            .split(';')
            .find_map(|pair| pair.trim().strip_prefix("messenger_session=").map(str::to_owned))
            .expect("the session cookie")
    }

    /// The `Cookie` header this user's browser would send.
    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        self.jar.cookies(&url).and_then(|v| v.to_str().ok().map(str::to_owned))
    }
}

/// Two registered users with a direct chat: (a, b, conversation id).
pub async fn pair(app: &TestApp, a: &str, b: &str) -> (User, User, i64) {
    let ua = app.registered(a).await;
    let ub = app.registered(b).await;
    let conversation = ua.open_direct(ub.id().await).await;
    (ua, ub, conversation)
}

/// A valid, deterministic client message id.
pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Asserts a 2xx answer and returns its JSON.
pub async fn ok(res: Response) -> Value {
    let status = res.status();
    let body = res.text().await.expect("body");
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).expect("json")
}

/// Reads an error answer: (status, code, field).
pub async fn error_of(res: Response) -> (StatusCode, String, Option<String>) {
    let status = res.status();
    let text = res.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("error body is JSON: {status} {text}"));
    let code = body["code"].as_str().expect("code").to_owned();
    let field = body["field"].as_str().map(str::to_owned);
    (status, code, field)
}

/// The messages of a history page or the hits of a search.
pub fn messages(page: &Value) -> &Vec<Value> {
    page["messages"].as_array().expect("messages")
}

pub fn bodies(page: &Value) -> Vec<String> {
    messages(page).iter().map(|m| m["body"].as_str().unwrap_or_default().to_owned()).collect()
}

pub fn seqs(page: &Value) -> Vec<i64> {
    messages(page).iter().map(|m| m["seq"].as_i64().expect("seq")).collect()
}

/// A member's (delivered_seq, read_seq) from a page's `members`.
pub fn watermarks(page: &Value, user: i64) -> (i64, i64) {
    let member = page["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user"]["id"] == user)
        .unwrap_or_else(|| panic!("member {user} in {page}"));
    (member["delivered_seq"].as_i64().expect("delivered"), member["read_seq"].as_i64().expect("read"))
}

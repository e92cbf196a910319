//! Several nodes starting at once on one empty PostgreSQL database: one migrates, the others
//! wait on the advisory lock and find nothing left to do. (SQLite is one node by design.)
//! Needs `TEST_DATABASE_URL`; without it the test fails on CI (`CI` set), and elsewhere says so
//! and passes without running. A database that does not answer fails it everywhere.

use sea_orm::{ConnectionTrait, Database};
use std::time::{SystemTime, UNIX_EPOCH};

/// `url` with its database name replaced (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let root = base[start..].find('/').map_or(base, |i| &base[..start + i]);
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// `TEST_DATABASE_URL`; `None` (and a note) only off CI, where a test that cannot run may be
/// skipped. On CI a missing database fails the run instead of counting as a pass.
fn admin_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty());
    if url.is_none() {
        let on_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(!on_ci, "CI is set but TEST_DATABASE_URL is not: this test needs a PostgreSQL server");
        eprintln!("SKIPPED: set TEST_DATABASE_URL to a PostgreSQL server to run this test");
    }
    url
}

#[tokio::test]
async fn nodes_starting_together_on_an_empty_postgres_database_all_come_up() {
    let Some(admin) = admin_url() else { return };
    // The api suite's naming, so its clean-up of interrupted runs drops this one too.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    let name = format!("msg_t_{now}_{:016x}_migrate", rand::random::<u64>());
    let db = Database::connect(&admin).await.expect("connect to TEST_DATABASE_URL");
    db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let url = with_database(&admin, &name);
    let (a, b, c) = tokio::join!(server::db::connect(&url), server::db::connect(&url), server::db::connect(&url));
    for node in [a, b, c] {
        let node = node.expect("every node starts");
        let _ = node.close().await;
    }
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.expect("drop database");
}

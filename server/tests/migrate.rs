//! Several nodes starting at once on one empty PostgreSQL database: one migrates, the others
//! wait on the advisory lock and find nothing left to do. (SQLite is one node by design.)
//! Needs `TEST_DATABASE_URL`; without it the test says so and passes.

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

#[tokio::test]
async fn nodes_starting_together_on_an_empty_postgres_database_all_come_up() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        println!("SKIPPED: set TEST_DATABASE_URL to a PostgreSQL server to run this test");
        return;
    };
    // The api suite's naming, so its clean-up of interrupted runs drops this one too.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    let name = format!("msg_t_{now}_{:016x}_migrate", rand::random::<u64>());
    let db = Database::connect(&admin).await.expect("connect");
    db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let url = with_database(&admin, &name);
    let (a, b, c) = tokio::join!(server::db::connect(&url), server::db::connect(&url), server::db::connect(&url));
    for node in [a, b, c] {
        let node = node.expect("every node starts");
        let _ = node.close().await;
    }
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.expect("drop database");
}

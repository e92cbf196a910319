//! Several nodes starting at once on one empty PostgreSQL database: one migrates, the others
//! wait on the advisory lock and find nothing left to do. (SQLite is one node by design.)

use crate::helpers::{fresh_name, with_database};
use sea_orm::{ConnectionTrait, Database};

#[tokio::test]
async fn nodes_starting_together_on_an_empty_postgres_database_all_come_up() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        println!("SKIPPED: set TEST_DATABASE_URL to a PostgreSQL server to run this test");
        return;
    };
    let name = fresh_name("_migrate");
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

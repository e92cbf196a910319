//! Benchmark: the chat list of one person with many chats.
//!
//! `cargo run --release -p server --example bench_chat_list -- [chats ...]` (default 200 2000).
//! For each size, seeds a fresh SQLite database: one person in `chats` conversations, nine in
//! ten direct chats and one in ten groups of 20, each with 20 messages of which the newest 5
//! are unread; then times the same service calls `conversations/list` makes (the first page
//! of 50, and walking every page of 200), and one row (`conversations/get`'s summary).

use hdrhistogram::Histogram;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use server::{Application, config::Config};
use shared::{ListCursor, UserId};
use std::time::Instant;

const MESSAGES_PER_CHAT: i64 = 20;
const UNREAD: i64 = 5;
const GROUP_SIZE: i64 = 20;

fn report(name: &str, hist: &Histogram<u64>) {
    println!(
        "{name:<44} n={:<5} p50={:>8.3} ms  p90={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        hist.len(),
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.9) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        hist.max() as f64 / 1000.0
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<i64> = std::env::args().skip(1).filter_map(|v| v.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![200, 2000] } else { sizes };
    for chats in sizes {
        run(chats).await?;
    }
    Ok(())
}

async fn run(chats: i64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = Config::for_tests(dir.path());
    let leptos = leptos::config::LeptosOptions::builder().output_name("messenger").build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app = Application::build(config, leptos, listener).await?;
    let services = app.state.services.clone();
    let db = app.state.db.clone();
    let started = Instant::now();
    let me = seed(&db, chats).await?;
    println!("\n{chats} chats: seeded in {:.1} s", started.elapsed().as_secs_f64());

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..200 {
        let t = Instant::now();
        let page = services.conversations.list(me, None, None).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
        assert_eq!(page.len() as i64, chats.min(i64::from(ListCursor::PAGE)));
        assert!(page.iter().all(|row| row.unread == UNREAD && row.last_message.is_some()));
    }
    report(&format!("first page (50 of {chats})"), &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..20 {
        let t = Instant::now();
        let (mut after, mut seen) = (None, 0);
        loop {
            let page = services.conversations.list(me, after, Some(ListCursor::MAX_PAGE)).await?;
            seen += page.len() as i64;
            match page.last() {
                Some(last) if page.len() == ListCursor::MAX_PAGE as usize => after = Some(ListCursor::after(last)),
                _ => break,
            }
        }
        hist.record(t.elapsed().as_micros() as u64)?;
        assert_eq!(seen, chats);
    }
    report(&format!("every page of 200 ({chats} rows)"), &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for i in 0..200 {
        let t = Instant::now();
        services.conversations.summary(me, shared::ConversationId(1 + i % chats)).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    report("one row (summary)", &hist);
    Ok(())
}

/// Bulk-inserts everything in a few large statements; returns the person whose list is read.
async fn seed(db: &DatabaseConnection, chats: i64) -> anyhow::Result<UserId> {
    let txn = db.begin().await?;
    let groups = chats / 10;
    // User 1 is the reader, users 2..=GROUP_SIZE the other members of every group, and one
    // more user per direct chat after them.
    let last_user = GROUP_SIZE + chats - groups;
    let users: Vec<String> =
        (1..=last_user).map(|id| format!("({id}, 'user{id}', 'User {id}', '', '!', 0, 'everyone')")).collect();
    for chunk in users.chunks(500) {
        txn.execute_unprepared(&format!(
            "INSERT INTO users (id, username, display_name, about, password_hash, created_at, group_adds) VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    let (mut conversations, mut members, mut messages) = (Vec::new(), Vec::new(), Vec::new());
    for id in 1..=chats {
        let at = 1_700_000_000_000i64 + id * 60_000;
        let group = id <= groups;
        let others: Vec<i64> = if group { (2..=GROUP_SIZE).collect() } else { vec![GROUP_SIZE + id - groups] };
        conversations.push(if group {
            format!("({id}, 'group', 'Group {id}', NULL, 1, {at}, {MESSAGES_PER_CHAT}, {MESSAGES_PER_CHAT}, {at})")
        } else {
            let peer = others[0];
            format!("({id}, 'direct', NULL, '1:{peer}', 1, {at}, {MESSAGES_PER_CHAT}, {MESSAGES_PER_CHAT}, {at})")
        });
        let read = MESSAGES_PER_CHAT - UNREAD;
        members.push(format!("({id}, 1, 'owner', {at}, 0, {read}, {read}, 0, 0, 0)"));
        for other in &others {
            members
                .push(format!("({id}, {other}, 'member', {at}, 0, {MESSAGES_PER_CHAT}, {MESSAGES_PER_CHAT}, 0, 0, 0)"));
        }
        for seq in 1..=MESSAGES_PER_CHAT {
            // The reader wrote the first ones; the unread ones are from the others.
            let sender = if seq <= read { 1 } else { others[0] };
            messages.push(format!(
                "({id}, {seq}, {seq}, {sender}, 'text', 'message {seq} in chat {id}', {})",
                at - (MESSAGES_PER_CHAT - seq) * 1000
            ));
        }
    }
    for chunk in conversations.chunks(500) {
        txn.execute_unprepared(&format!(
            "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, last_seq, rev, last_activity_at) VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    for chunk in members.chunks(500) {
        txn.execute_unprepared(&format!(
            "INSERT INTO members (conversation_id, user_id, role, joined_at, joined_seq, delivered_seq, read_seq, pinned, archived, muted) VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    for chunk in messages.chunks(500) {
        txn.execute_unprepared(&format!(
            "INSERT INTO messages (conversation_id, seq, rev, sender_id, kind, body, created_at) VALUES {}",
            chunk.join(",")
        ))
        .await?;
    }
    txn.commit().await?;
    db.execute_unprepared("ANALYZE").await?;
    Ok(UserId(1))
}

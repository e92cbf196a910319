//! Benchmark: history pages, sync and search on a conversation with many messages.
//!
//! `cargo run --release -p server --example bench_history -- [messages]` (default 1,000,000).
//! Seeds a fresh SQLite database in a temp dir (bulk inserts, FTS triggers on), then times the
//! same service calls the API makes. Prints percentiles from an HDR histogram.

use hdrhistogram::Histogram;
use sea_orm::{ConnectionTrait, TransactionTrait};
use server::{Application, config::Config};
use shared::ConversationId;
use std::time::Instant;

const WORDS: [&str; 16] = [
    "lunch", "meeting", "tomorrow", "photo", "weekend", "hiking", "train", "coffee", "birthday", "project", "deadline",
    "movie", "dinner", "holiday", "football", "concert",
];

fn report(name: &str, hist: &Histogram<u64>) {
    println!(
        "{name:<36} n={:<5} p50={:>8.3} ms  p90={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        hist.len(),
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.9) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        hist.max() as f64 / 1000.0
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let total: i64 = std::env::args().nth(1).and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let config = Config::for_tests(dir.path());
    let leptos = leptos::config::LeptosOptions::builder().output_name("messenger").build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app = Application::build(config, leptos, listener).await?;
    let services = app.state.services.clone();
    let db = app.state.db.clone();

    let alice = services
        .accounts
        .register("alice", "Alice", "benchmark password".into(), std::net::Ipv4Addr::LOCALHOST.into())
        .await?;
    let bob = services
        .accounts
        .register("bob", "Bob", "benchmark password".into(), std::net::Ipv4Addr::LOCALHOST.into())
        .await?;
    let conversation = services.conversations.open_direct(alice.id, bob.id).await?.id;

    let seed_start = Instant::now();
    let batch = 5_000;
    let mut seq = 0i64;
    let mut rng_state = 0x2545F4914F6CDD1Du64;
    while seq < total {
        let mut sql = String::from(
            "INSERT INTO messages (conversation_id, seq, rev, sender_id, client_msg_id, kind, body, created_at) VALUES ",
        );
        let end = (seq + batch).min(total);
        for s in seq + 1..=end {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            let a = WORDS[(rng_state % 16) as usize];
            let b = WORDS[((rng_state >> 8) % 16) as usize];
            let sender = if s % 2 == 0 { alice.id.0 } else { bob.id.0 };
            if s > seq + 1 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({}, {s}, {s}, {sender}, NULL, 'text', 'message {s} about {a} and {b}', {})",
                conversation.0,
                1_700_000_000_000i64 + s * 1000
            ));
        }
        let txn = db.begin().await?;
        txn.execute_unprepared(&sql).await?;
        txn.commit().await?;
        seq = end;
    }
    db.execute_unprepared(&format!(
        "UPDATE conversations SET last_seq = {total}, rev = {total} WHERE id = {}",
        conversation.0
    ))
    .await?;
    db.execute_unprepared("ANALYZE").await?;
    println!("seeded {total} messages in {:.1} s", seed_start.elapsed().as_secs_f64());

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..200 {
        let t = Instant::now();
        let page = services.messages.history(alice.id, conversation, None).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
        assert_eq!(page.messages.len(), 50);
    }
    report("history: latest page (50)", &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for i in 0..200 {
        let before = 1 + (total / 200) * (i + 1);
        let t = Instant::now();
        services.messages.history(alice.id, conversation, Some(before)).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    report("history: page at random depth", &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..200 {
        let t = Instant::now();
        services.messages.sync(alice.id, conversation, total - 20).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    report("sync: last 20 changes", &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for word in WORDS.iter().cycle().take(32) {
        let t = Instant::now();
        let hits = services.messages.search(alice.id, word, None).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
        assert!(!hits.is_empty());
    }
    report("search: one common word (50 hits)", &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..32 {
        let t = Instant::now();
        services.messages.search(alice.id, "message 777777", Some(ConversationId(conversation.0))).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    report("search: rare phrase in chat", &hist);

    let mut hist = Histogram::<u64>::new(3)?;
    for _ in 0..200 {
        let t = Instant::now();
        services.conversations.list(alice.id, None, None).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    report("chat list (1 chat, 1M messages)", &hist);
    Ok(())
}

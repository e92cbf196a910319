//! How long one argon2id hash takes with the production parameters.
//! `cargo run --release -p server --example bench_password`

use hdrhistogram::Histogram;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut hist = Histogram::<u64>::new(3)?;
    let queue = server::accounts::password::HashQueue::per_core();
    for i in 0..20 {
        let t = Instant::now();
        server::accounts::password::hash(&queue, format!("correct horse battery {i}")).await?;
        hist.record(t.elapsed().as_micros() as u64)?;
    }
    println!(
        "argon2id m={} KiB t={} p={}: n={} p50={:.1} ms p90={:.1} ms max={:.1} ms",
        server::accounts::password::MEMORY_KIB,
        server::accounts::password::ITERATIONS,
        server::accounts::password::LANES,
        hist.len(),
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.9) as f64 / 1000.0,
        hist.max() as f64 / 1000.0
    );
    Ok(())
}

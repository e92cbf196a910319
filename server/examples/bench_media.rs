//! Benchmark: upload throughput and photo processing time, over real HTTP on loopback.
//!
//! `cargo run --release -p server --example bench_media -- [rounds]` (default 20).
//! Starts the real server (SQLite and media files in a temp dir), logs in over HTTP, then:
//! 1. uploads 4 MiB documents one after another, and from 4 clients at once (throughput);
//! 2. uploads a 12-megapixel camera-sized JPEG (decode under limits, EXIF orientation,
//!    re-encode without metadata, 320 px thumbnail, store) and a 1080p PNG screenshot.
//! Prints per-upload percentiles (HDR histogram) and MB/s.

use hdrhistogram::Histogram;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::multipart::{Form, Part};
use server::{Application, config::Config};
use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

const MIB: usize = 1024 * 1024;

fn report(name: &str, hist: &Histogram<u64>, bytes_each: usize, wall_secs: f64) {
    let mb = (hist.len() as usize * bytes_each) as f64 / MIB as f64;
    println!(
        "{name:<34} n={:<4} p50={:>7.1} ms  p99={:>7.1} ms  max={:>7.1} ms  {:>7.1} MiB/s",
        hist.len(),
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        hist.max() as f64 / 1000.0,
        mb / wall_secs
    );
}

/// A camera-like picture: smooth gradients plus sensor-like noise, so it compresses like a photo.
fn photo(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut state = 0x9E3779B97F4A7C15u64;
    let image = ImageBuffer::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 24) as u8;
        Rgb([(x * 255 / width) as u8 ^ noise, (y * 255 / height) as u8 ^ noise, ((x + y) % 256) as u8 / 2 + noise])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).expect("encode");
    out.into_inner()
}

async fn upload(client: &reqwest::Client, base: &str, conversation: i64, name: &str, bytes: Vec<u8>) -> u64 {
    let form = Form::new()
        .text("conversation_id", conversation.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let started = Instant::now();
    let res = client.post(format!("{base}/api/media")).multipart(form).send().await.expect("upload");
    assert_eq!(res.status(), reqwest::StatusCode::CREATED, "{}", res.text().await.unwrap_or_default());
    started.elapsed().as_micros() as u64
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).and_then(|v| v.parse().ok()).unwrap_or(20);
    const LOCAL: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_tests(dir.path());
    config.media_quota_bytes = u64::MAX / 2;
    // Every uploader signs up from this one address.
    config.signups.burst = 100_000;
    let leptos = leptos::config::LeptosOptions::builder().output_name("messenger").build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app = Application::build(config, leptos, listener).await?;
    let base = format!("http://{}", app.local_addr()?);
    let services = app.state.services.clone();
    tokio::spawn(app.run());

    // Uploads are rate-limited per user (30 in a burst), so every phase and client is a fresh
    // user in a chat with bob.
    let bob = services.accounts.register("bob", "Bob", "benchmark password".into(), LOCAL).await?;
    let mut next_user = 0;
    let mut uploader = async || -> anyhow::Result<(Arc<reqwest::Client>, i64)> {
        next_user += 1;
        let name = format!("uploader{next_user}");
        let me = services.accounts.register(&name, "Uploader", "benchmark password".into(), LOCAL).await?;
        let conversation = services.conversations.open_direct(me.id, bob.id).await?.id.0;
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        let login = client
            .post(format!("{base}/api/accounts/login"))
            .form(&[("username", name.as_str()), ("password", "benchmark password")])
            .send()
            .await?;
        anyhow::ensure!(login.status().is_success(), "login: {}", login.status());
        Ok((Arc::new(client), conversation))
    };
    let (client, conversation) = uploader().await?;

    let document = vec![b'd'; 4 * MIB];
    let mut hist = Histogram::<u64>::new(3)?;
    let wall = Instant::now();
    for _ in 0..rounds {
        hist.record(upload(&client, &base, conversation, "doc.txt", document.clone()).await)?;
    }
    report("4 MiB document, 1 client", &hist, document.len(), wall.elapsed().as_secs_f64());

    let mut hist = Histogram::<u64>::new(3)?;
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, conversation) = uploader().await?;
        let (base, document) = (base.clone(), document.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for _ in 0..rounds {
                times.push(upload(&client, &base, conversation, "doc.txt", document.clone()).await);
            }
            times
        }));
    }
    for task in tasks {
        for t in task.await? {
            hist.record(t)?;
        }
    }
    report("4 MiB document, 4 clients", &hist, document.len(), wall.elapsed().as_secs_f64());

    for (name, bytes) in [
        ("12 MP JPEG photo (4032x3024)", photo(4032, 3024, ImageFormat::Jpeg)),
        ("1280x800 PNG screenshot", photo(1280, 800, ImageFormat::Png)),
    ] {
        if bytes.len() > shared::limits::MAX_UPLOAD_BYTES {
            println!("{name}: fixture is {} bytes, over the limit; skipped", bytes.len());
            continue;
        }
        let (client, conversation) = uploader().await?;
        let mut hist = Histogram::<u64>::new(3)?;
        let wall = Instant::now();
        for _ in 0..rounds {
            hist.record(upload(&client, &base, conversation, "photo", bytes.clone()).await)?;
        }
        report(&format!("{name}, {} KiB", bytes.len() / 1024), &hist, bytes.len(), wall.elapsed().as_secs_f64());
    }
    Ok(())
}

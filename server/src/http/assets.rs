//! The site's bundle under `/pkg` (the WASM, its JavaScript loader, the CSS), served from
//! files compressed once at the strongest settings instead of per request.
//!
//! On start the server writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9)
//! beside every bundle file that lacks an up-to-date one, on a blocking thread, each through a
//! temporary file and a rename, so a reader sees either no compressed file or a whole one.
//! Until they exist the plain file is served (and compressed on the fly by the router's
//! compression layer). Measured on the release bundle: the WASM is 2.49 MB raw, 862 KB with
//! the per-request brotli the compression layer used, 661 KB at brotli 11 (docs/BENCHMARKS.md).
//!
//! The names are not content-hashed, so browsers revalidate (`no-cache`): an unchanged file
//! costs a `304` by `Last-Modified`, a new build is picked up at once.

use axum::Router;
use http::{HeaderValue, header};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Files worth compressing: what the bundle is made of.
const COMPRESSIBLE: [&str; 4] = ["wasm", "js", "css", "json"];

/// `{prefix}/*` from `dir`, preferring the precompressed files a client accepts.
pub fn router<S: Clone + Send + Sync + 'static>(prefix: &str, dir: &Path) -> Router<S> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip());
    Router::new().nest_service(prefix, files)
}

/// Whether this build writes compressed copies on start: release builds do (set
/// `PRECOMPRESS=0` to skip, `1` to force in a debug build, whose bundle is ten times larger
/// and is only ever served locally).
pub fn enabled() -> bool {
    match std::env::var("PRECOMPRESS").ok().as_deref() {
        Some("0" | "false") => false,
        Some("1" | "true") => true,
        _ => !cfg!(debug_assertions),
    }
}

/// Writes the missing or stale `.br` and `.gz` files of `dir` on a blocking thread.
pub fn precompress_in_background(dir: PathBuf) {
    tokio::task::spawn_blocking(move || match precompress(&dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, dir = %dir.display(), "precompressed the site bundle"),
        Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "precompressing the site bundle failed"),
    });
}

/// Compresses every bundle file in `dir` whose compressed copies are missing or older than it;
/// returns how many files it compressed.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    let mut done = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || !path.is_file() {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        let stale: Vec<_> = [("br", brotli_11 as fn(&[u8]) -> std::io::Result<Vec<u8>>), ("gz", gzip_9)]
            .into_iter()
            .map(|(suffix, compress)| (with_suffix(&path, suffix), compress))
            .filter(|(target, _)| !std::fs::metadata(target).and_then(|m| m.modified()).is_ok_and(|at| at >= modified))
            .collect();
        if stale.is_empty() {
            continue;
        }
        // Read only when there is something to write: a restart with fresh copies reads nothing.
        let source = std::fs::read(&path)?;
        for (target, compress) in stale {
            write_atomically(&target, &compress(&source)?, &path)?;
        }
        done += 1;
    }
    Ok(done)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `target` through a temporary file and a rename, with the permissions of `like` (a
/// temporary file is private to its owner; a proxy serving the site directory must read it).
fn write_atomically(target: &Path, bytes: &[u8], like: &Path) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    std::fs::set_permissions(file.path(), std::fs::metadata(like)?.permissions())?;
    file.persist(target).map_err(|e| e.error)?;
    Ok(())
}

fn brotli_11(source: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(source.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &source[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_9(source: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(source.len() / 3), flate2::Compression::best());
    encoder.write_all(source)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn bundle_files_get_fresh_compressed_copies_once() {
        let dir = tempfile::tempdir().expect("dir");
        let wasm = dir.path().join("app.wasm");
        let body = b"(module) ".repeat(2000);
        std::fs::write(&wasm, &body).expect("write");
        std::fs::write(dir.path().join("notes.txt"), b"not part of a bundle").expect("write");
        assert_eq!(precompress(dir.path()).expect("precompress"), 1);
        assert!(!dir.path().join("notes.txt.br").exists(), "only bundle files");

        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &std::fs::read(with_suffix(&wasm, "br")).expect("br")[..], &mut unbrotli)
            .expect("brotli");
        assert_eq!(unbrotli, body);
        let mut ungzip = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(with_suffix(&wasm, "gz")).expect("gz")[..])
            .read_to_end(&mut ungzip)
            .expect("gzip");
        assert_eq!(ungzip, body);
        assert_eq!(precompress(dir.path()).expect("again"), 0, "up-to-date copies are kept");
    }

    #[tokio::test]
    async fn a_client_that_accepts_brotli_gets_the_precompressed_file() {
        use tower::ServiceExt as _;
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("app.js"), b"console.log('hello');\n".repeat(500)).expect("write");
        precompress(dir.path()).expect("precompress");
        let app: Router = router("/pkg", dir.path());
        let request = |encoding: &'static str| {
            http::Request::get("/pkg/app.js")
                .header(header::ACCEPT_ENCODING, encoding)
                .body(axum::body::Body::empty())
                .expect("request")
        };
        let br = app.clone().oneshot(request("gzip, br")).await.expect("response");
        assert_eq!(br.status(), http::StatusCode::OK);
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(br.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(br.headers()[header::CONTENT_TYPE], "text/javascript");
        let gzip = app.clone().oneshot(request("gzip")).await.expect("response");
        assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = app.oneshot(request("identity")).await.expect("response");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    }
}

//! Files on disk: `DATA_DIR/media/<first two hex digits>/<id>` and `<id>.thumb`, written to a
//! temporary name, flushed, then renamed into place, so a crash never leaves half a file under
//! a real name. Uploads arrive in `DATA_DIR/media/incoming/` ([`Incoming`]), on the same file
//! system, so a document is renamed into place rather than copied. The uploader's file name
//! never reaches the file system.

use shared::media::MediaId;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumb,
}

#[derive(Clone, Debug)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("media") }
    }

    pub fn path(&self, id: &MediaId, variant: Variant) -> PathBuf {
        // MediaId only ever holds 32 hex digits (MediaId::parse), so this stays inside root.
        let dir = self.root.join(&id.0[..2]);
        match variant {
            Variant::Original => dir.join(&id.0),
            Variant::Thumb => dir.join(format!("{}.thumb", id.0)),
        }
    }

    pub async fn write(&self, id: &MediaId, variant: Variant, bytes: Vec<u8>) -> io::Result<()> {
        let path = self.path(id, variant);
        tokio::task::spawn_blocking(move || {
            use std::io::Write as _;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let temp = path.with_extension("part");
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, &path)
        })
        .await
        .map_err(io::Error::other)?
    }

    fn incoming_dir(&self) -> PathBuf {
        self.root.join("incoming")
    }

    /// A new, empty temporary file for an upload to stream into; it is deleted when dropped
    /// unless [`Storage::keep`] moves it into place.
    pub async fn incoming(&self) -> io::Result<Incoming> {
        let dir = self.incoming_dir();
        let (file, path) = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            Ok::<_, io::Error>(tempfile::Builder::new().prefix("upload-").tempfile_in(&dir)?.into_parts())
        })
        .await
        .map_err(io::Error::other)??;
        Ok(Incoming { file: tokio::fs::File::from_std(file), path, len: 0 })
    }

    /// Moves a received upload into place as `id`'s `variant`, flushed to disk first.
    pub async fn keep(&self, id: &MediaId, variant: Variant, received: Received) -> io::Result<()> {
        let path = self.path(id, variant);
        tokio::task::spawn_blocking(move || {
            std::fs::File::open(&received.path)?.sync_all()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            received.path.persist(&path).map_err(|e| e.error)
        })
        .await
        .map_err(io::Error::other)?
    }

    /// Deletes temporary upload files older than `max_age`: what a crash left behind (a
    /// running upload's file is deleted by the upload itself).
    pub async fn sweep_incoming(&self, max_age: Duration) -> io::Result<usize> {
        let dir = self.incoming_dir();
        tokio::task::spawn_blocking(move || {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
                Err(e) => return Err(e),
            };
            let mut removed = 0;
            for entry in entries {
                let entry = entry?;
                let modified = entry.metadata()?.modified()?;
                let old = SystemTime::now().duration_since(modified).is_ok_and(|age| age > max_age);
                if old && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
        .map_err(io::Error::other)?
    }

    /// Removes both variants; missing files are fine (a retried delete).
    pub async fn remove(&self, id: &MediaId) {
        for variant in [Variant::Original, Variant::Thumb] {
            match tokio::fs::remove_file(self.path(id, variant)).await {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(error = %e, media = %id, "removing a media file failed"),
            }
        }
    }
}

/// An upload being streamed to a temporary file.
pub struct Incoming {
    file: tokio::fs::File,
    path: TempPath,
    len: u64,
}

impl Incoming {
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await?;
        self.len += chunk.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flushes and closes the file (giving its descriptor back), keeping it on disk.
    pub async fn finish(mut self) -> io::Result<Received> {
        self.file.flush().await?;
        drop(self.file);
        Ok(Received { path: self.path, len: self.len })
    }
}

/// A complete upload in a temporary file, deleted when dropped unless [`Storage::keep`] moves
/// it into place.
pub struct Received {
    path: TempPath,
    len: u64,
}

impl Received {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads it all: at most 4 MiB, for content sniffing and image decoding.
    pub async fn read(&self) -> io::Result<Vec<u8>> {
        tokio::fs::read(&self.path).await
    }
}

//! Files on disk: `DATA_DIR/media/<first two hex digits>/<id>` and `<id>.thumb`, written to a
//! temporary name, flushed, then renamed into place, so a crash never leaves half a file under
//! a real name. The uploader's file name never reaches the file system.

use shared::media::MediaId;
use std::io;
use std::path::{Path, PathBuf};

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

//! The files `serve` serves: what sourcebook makes (pages, feeds, the search
//! index, built-in theme files) and the small files a build copies, held in
//! memory; and the copied files over 1 MiB (content assets, a theme's own
//! static files) named by their source file, read from disk at each request
//! and streamed (a 1 GB video costs the server no memory). [`Collect`] is
//! the [`Output`] a rebuild renders into.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use axum::body::Bytes;

use crate::output::{Output, confine};

/// One served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// Made by sourcebook: its bytes.
    Made(Bytes),
    /// Copied by a build from this file of the site (absolute): served from
    /// it at each request, read through `input`'s rules (a regular file, a
    /// link only to a file inside the site), never held in memory.
    Copied(PathBuf),
}

impl Served {
    /// The bytes a build writes for this file: read whole from disk for a
    /// copied one (for tests and small files; the server streams those).
    pub fn bytes(&self, root: &Path) -> anyhow::Result<Bytes> {
        match self {
            Served::Made(bytes) => Ok(bytes.clone()),
            Served::Copied(from) => {
                let (file, len) = open(root, from)?;
                read(file, len, from)
            }
        }
    }
}

/// `from`, opened through `input`'s rules under the site's folder `root`,
/// with its length.
fn open(root: &Path, from: &Path) -> anyhow::Result<(std::fs::File, u64)> {
    crate::input::open(root, from)
        .map_err(|unread| anyhow::anyhow!("{}", unread.diagnostic.message))
        .with_context(|| format!("reading {}", from.display()))
}

/// The whole of an opened file of `len` bytes.
fn read(mut file: std::fs::File, len: u64, from: &Path) -> anyhow::Result<Bytes> {
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    std::io::Read::read_to_end(&mut file, &mut bytes).with_context(|| format!("reading {}", from.display()))?;
    Ok(Bytes::from(bytes))
}

/// Copied files up to this size are kept in memory (1 MiB).
pub(super) const KEEP_UP_TO: u64 = 1 << 20;

/// The served files: output path → file.
pub type Files = HashMap<String, Served>;

/// The [`Output`] of a rebuild: written files kept, copied ones named.
pub(super) struct Collect {
    /// The site's folder: a copied file is opened through `input`'s rules
    /// under it (a link out of the site is never read).
    root: PathBuf,
    files: Mutex<Vec<(String, Served)>>,
}

impl Collect {
    pub(super) fn within(root: &Path) -> Collect {
        Collect { root: root.to_path_buf(), files: Mutex::default() }
    }

    pub(super) fn into_files(self) -> impl Iterator<Item = (String, Served)> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter()
    }

    fn put(&self, path: &str, file: Served) -> anyhow::Result<()> {
        let rel = confine(path).with_context(|| format!("refusing to write `{path}`"))?;
        crate::lock(&self.files).push((rel.to_string_lossy().replace('\\', "/"), file));
        Ok(())
    }
}

impl Output for Collect {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.put(path, Served::Made(Bytes::copy_from_slice(bytes)))
    }

    /// Checked as a build's copy opens it (a regular file). A file up to
    /// [`KEEP_UP_TO`] is read and kept, so the last good site stays whole
    /// when a broken edit also removes it (a stylesheet, an image); a larger
    /// one is named, not read, and streamed from disk at each request.
    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()> {
        let (file, len) = open(&self.root, from)?;
        let served =
            if len <= KEEP_UP_TO { Served::Made(read(file, len, from)?) } else { Served::Copied(from.to_path_buf()) };
        self.put(path, served)
    }
}

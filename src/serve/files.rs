//! The files `serve` serves: what sourcebook makes (pages, feeds, the search
//! index, built-in theme files) and the small files a build copies, held in
//! memory; and the copied files over 1 MiB but SVGs (content assets, a
//! theme's own static files) named by their source file, read from disk at each request
//! and streamed (a 1 GB video costs the server no memory). [`Collect`] is
//! the [`Output`] a rebuild renders into.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
///
/// A rebuild changes a few files of thousands, and the server is still
/// serving the version before it: the files are a shared `base` and the
/// files written since, so a new version copies only those (a one-article
/// save at 10,000 articles: a handful, not 20,000 names). When the newer
/// files come to a quarter of the base, they are folded into a new base.
#[derive(Debug, Clone, Default)]
pub struct Files {
    base: Arc<HashMap<String, Served>>,
    /// Written since `base` was made; `None`: removed.
    newer: HashMap<String, Option<Served>>,
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    pub fn get(&self, path: &str) -> Option<&Served> {
        match self.newer.get(path) {
            Some(newer) => newer.as_ref(),
            None => self.base.get(path),
        }
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Every file, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Served)> {
        let older = self.base.iter().filter(|(k, _)| !self.newer.contains_key(*k));
        older.chain(self.newer.iter().filter_map(|(k, v)| v.as_ref().map(|v| (k, v))))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.iter().map(|(k, _)| k)
    }

    /// Remove every file whose path starts with `prefix`.
    pub(super) fn remove_under(&mut self, prefix: &str) {
        self.newer.retain(|k, _| !k.starts_with(prefix));
        for k in self.base.keys().filter(|k| k.starts_with(prefix)) {
            self.newer.insert(k.clone(), None);
        }
    }

    /// These files over the others.
    pub(super) fn extend(&mut self, files: impl IntoIterator<Item = (String, Served)>) {
        self.newer.extend(files.into_iter().map(|(k, v)| (k, Some(v))));
        if self.newer.len() > self.base.len() / 4 {
            let newer = std::mem::take(&mut self.newer);
            let base = Arc::make_mut(&mut self.base);
            for (k, v) in newer {
                match v {
                    Some(v) => base.insert(k, v),
                    None => base.remove(&k),
                };
            }
        }
    }
}

impl FromIterator<(String, Served)> for Files {
    fn from_iter<I: IntoIterator<Item = (String, Served)>>(files: I) -> Files {
        Files { base: Arc::new(files.into_iter().collect()), newer: HashMap::new() }
    }
}

impl std::ops::Index<&str> for Files {
    type Output = Served;

    fn index(&self, path: &str) -> &Served {
        self.get(path).unwrap_or_else(|| panic!("no file `{path}`"))
    }
}

/// The same paths with the same files, however they are layered.
impl PartialEq for Files {
    fn eq(&self, other: &Files) -> bool {
        self.iter().count() == other.iter().count() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Files {}

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
    ///
    /// An SVG is always kept: it was checked whole to draw and do nothing
    /// else, and read again from disk it would be served as it is now,
    /// unchecked, on the preview's origin, while an edit that makes it run
    /// a script keeps the last good site.
    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()> {
        let (file, len) = open(&self.root, from)?;
        let served = if len <= KEEP_UP_TO || crate::content::images::is_svg(path) {
            Served::Made(read(file, len, from)?)
        } else {
            Served::Copied(from.to_path_buf())
        };
        self.put(path, served)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Layered or not, the files are the same: random writes and removals
    /// applied to [`Files`] and to a plain map agree at every step, and so
    /// do the versions published before (the server still serves them).
    #[test]
    fn layered_files_agree_with_a_plain_map_after_every_change() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let path =
            |i: u64| if i.is_multiple_of(3) { format!("search-index/{i}.js") } else { format!("page/{i}/index.html") };
        let mut files: Files = (0..200).map(|i| (path(i), Served::Made(Bytes::from(format!("v0 {i}"))))).collect();
        let mut plain: HashMap<String, Served> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut published = Vec::new();
        for step in 0..400 {
            if next(10) == 0 {
                files.remove_under("search-index/");
                plain.retain(|k, _| !k.starts_with("search-index/"));
            }
            let written: Vec<(String, Served)> =
                (0..next(80)).map(|_| (path(next(300)), Served::Made(Bytes::from(format!("v{step}"))))).collect();
            files.extend(written.clone());
            plain.extend(written);
            published.push((files.clone(), plain.clone()));
            if published.len() > 8 {
                published.remove(0);
            }
            for (f, p) in &published {
                assert_eq!(f.iter().count(), p.len(), "step {step}");
                for (k, v) in p {
                    assert_eq!(f.get(k), Some(v), "step {step}: {k}");
                }
                assert!(f.iter().all(|(k, v)| p.get(k) == Some(v)), "step {step}");
            }
            assert!(!files.contains_key("page/9999/index.html"));
        }
    }
}

//! Where built files go. [`resolve`] says which folder a build replaces
//! (and refuses the site's own folders); [`Staging`] writes the whole build
//! into a folder beside it, under a lock, and swaps it in only when the
//! build succeeded, so a failed build leaves the previous output
//! byte-for-byte intact. [`Memory`] keeps the files in a map (for tests;
//! `serve` has its own, which names copied files instead of reading them).
//!
//! [`Rewrite`] replaces one data file of the site (`review sign`, `source
//! add`) under a lock, through a link that stays inside the site.
//!
//! Every path is checked by [`confine`]: nothing is written outside the
//! output folder, whatever a slug or asset name says.

mod rewrite;
mod staging;
mod target;

#[cfg(test)]
use crate::diagnostics::IoContext as _;
#[cfg(test)]
use anyhow::Context as _;
#[cfg(test)]
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
#[cfg(test)]
use std::sync::Mutex;

pub(crate) use rewrite::Rewrite;
pub(crate) use staging::Staging;
pub(crate) use target::{Refused, resolve};

/// The file that marks a folder as sourcebook's own output.
pub const MARKER: &str = ".sourcebook-output";

/// A sink for built files; implementations are shared across rayon threads.
pub trait Output: Sync {
    /// Write `bytes` at `path` (relative, `/`-separated).
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()>;
    /// Copy the file at `from` to `path`.
    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()>;
}

/// A relative output path, made safe: `None` if it is absolute or climbs out.
pub(crate) fn confine(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.as_os_str().is_empty() { None } else { Some(out) }
}

/// An in-memory site: path → bytes (for unit tests of what is written).
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Memory {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

#[cfg(test)]
impl Memory {
    pub(crate) fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
impl Output for Memory {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let rel = confine(path).with_context(|| format!("refusing to write `{path}`"))?;
        let key = rel.to_string_lossy().replace('\\', "/");
        crate::lock(&self.files).insert(key, bytes.to_vec());
        Ok(())
    }

    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()> {
        let mut bytes = Vec::new();
        crate::input::open_file(from)
            .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
            .io("reading", from)?;
        self.write(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confine_refuses_escapes() {
        assert_eq!(confine("a/b/index.html"), Some(PathBuf::from("a/b/index.html")));
        assert_eq!(confine("./a"), Some(PathBuf::from("a")));
        for bad in ["../x", "a/../../x", "/etc/passwd", "", "a/../b"] {
            assert_eq!(confine(bad), None, "{bad}");
        }
    }
}

//! Where built files go. [`Staging`] writes a whole build into a temporary
//! folder beside the output and swaps it in only when the build succeeded,
//! so a failed build leaves the previous output byte-for-byte intact.
//! [`Memory`] keeps the files in a map (for `serve`).
//!
//! Every path is checked by [`confine`]: nothing is written outside the
//! output folder, whatever a slug or asset name says.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, bail};

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
pub fn confine(path: &str) -> Option<PathBuf> {
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

/// A build being written next to its final place.
pub struct Staging {
    target: PathBuf,
    temp: PathBuf,
}

impl Staging {
    /// Prepare to replace `target`. Refuses a non-empty folder without our marker.
    pub fn new(target: &Path) -> anyhow::Result<Staging> {
        if target.exists() {
            if !target.is_dir() {
                bail!("{} exists and is not a folder", target.display());
            }
            let empty = std::fs::read_dir(target)?.next().is_none();
            if !empty && !target.join(MARKER).is_file() {
                bail!(
                    "refusing to replace {}: it is not empty and was not made by sourcebook (no {MARKER} file). \
                     Choose another --output folder, or empty this one yourself",
                    target.display()
                );
            }
        }
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let temp = parent.join(format!(".{name}.sourcebook-tmp"));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).with_context(|| format!("removing stale {}", temp.display()))?;
        }
        std::fs::create_dir_all(&temp).with_context(|| format!("creating {}", temp.display()))?;
        Ok(Staging { target: target.to_path_buf(), temp })
    }

    /// The folder being written (for steps that read the built pages back, such as search).
    pub fn dir(&self) -> &Path {
        &self.temp
    }

    /// Swap the finished build into place.
    pub fn commit(self) -> anyhow::Result<()> {
        std::fs::write(
            self.temp.join(MARKER),
            "This folder is written by `sourcebook build`; it is replaced on every build.\n",
        )?;
        let old = self.temp.with_file_name(format!(
            "{}.old",
            self.temp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &old).with_context(|| format!("moving {} aside", self.target.display()))?;
        }
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("moving the new build to {}", self.target.display()))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
        }
        Ok(())
    }

    /// Throw the partial build away; the previous output is untouched.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.temp);
    }

    fn place(&self, path: &str) -> anyhow::Result<PathBuf> {
        let rel =
            confine(path).with_context(|| format!("refusing to write `{path}`: it would leave the output folder"))?;
        let full = self.temp.join(rel);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(full)
    }
}

impl Output for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let full = self.place(path)?;
        std::fs::write(&full, bytes).with_context(|| format!("writing {}", full.display()))
    }

    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()> {
        let full = self.place(path)?;
        let context = || format!("copying {} to {}", from.display(), full.display());
        // opened as every input is (a FIFO swapped in since the build looked would block a plain copy)
        let mut source = crate::input::open_file(from).with_context(context)?;
        let mut target = std::fs::File::create(&full).with_context(context)?;
        std::io::copy(&mut source, &mut target).with_context(context)?;
        Ok(())
    }
}

/// An in-memory site: path → bytes.
#[derive(Default)]
pub struct Memory {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Memory {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

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
            .with_context(|| format!("reading {}", from.display()))?;
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

    #[test]
    fn failed_build_leaves_previous_output_and_foreign_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.write("index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&out).unwrap();
        s.write("index.html", b"two").unwrap();
        s.abandon();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");

        let foreign = dir.path().join("home");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        assert!(Staging::new(&foreign).is_err());
        assert!(foreign.join("notes.txt").exists());
    }
}

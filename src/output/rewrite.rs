//! Rewriting a data file of the site in place (`review sign`'s
//! `content/reviews.yaml`, `source add`'s `content/sources.yaml`): under a
//! lock on its folder, taken before the file is read and held until it is
//! replaced, so two commands run at once each keep the other's change (each
//! rewrote the whole file from what it had read, and said it had signed or
//! added while only the last one's was kept). The new text is written
//! beside the file, under a hidden name a build never reads, and renamed
//! over it; a link to a file inside the site is written through, so a
//! shared file stays shared.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// A data file being rewritten: its folder stays locked while this lives.
pub(crate) struct Rewrite {
    /// The file to replace: the path asked for, or where its link leads.
    target: PathBuf,
    _lock: Option<File>,
}

impl Rewrite {
    /// Lock the folder of `rel` (a path under the site folder `root`),
    /// waiting while another command holds it, and find the file `rel`
    /// names (which may not exist yet).
    pub(crate) fn begin(root: &Path, rel: &str) -> anyhow::Result<Rewrite> {
        let path = root.join(rel);
        let folder = path.parent().unwrap_or(root);
        let lock = File::open(folder).with_context(|| format!("opening {}", folder.display()))?;
        // (a file system without locks: the command goes on unlocked)
        let lock = match lock.lock() {
            Ok(()) => Some(lock),
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => None,
            Err(e) => return Err(e).with_context(|| format!("locking {}", folder.display())),
        };
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let target = match is_link {
            false => path,
            true => {
                let real = path.canonicalize().ok();
                let inside = root.canonicalize().ok();
                match real.zip(inside) {
                    Some((real, inside)) if real.starts_with(&inside) && real.is_file() => real,
                    _ => bail!("{rel} is a link that leads outside the site or to no file: replace it with the file"),
                }
            }
        };
        Ok(Rewrite { target, _lock: lock })
    }

    /// Replace the file with `text`.
    pub(crate) fn replace(&self, text: &str) -> anyhow::Result<()> {
        let name = self.target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let tmp = self.target.with_file_name(format!(".{name}.sourcebook-tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.target).with_context(|| format!("replacing {}", self.target.display()))
    }
}

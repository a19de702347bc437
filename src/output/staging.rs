//! [`Staging`]: a build written into a folder beside the output and swapped
//! in only when it succeeded, under a lock, so that the output path always
//! names one whole site.
//!
//! Beside an output folder `public/`:
//!
//! - `.public.sourcebook-lock`: an empty file held with an OS file lock
//!   (`flock` on Unix) from before the site is read until the swap is done.
//!   A second build into the same folder waits for it. The file stays
//!   (removing it would let two builds hold locks on two different files);
//!   the lock goes with the process, however it ends.
//! - `.public.sourcebook-tmp`: the new site while it is written.
//!
//! The swap: on Linux one `renameat2(RENAME_EXCHANGE)`, so there is no
//! moment without a site at the output path. Elsewhere, or on a file system
//! that cannot exchange, two renames (the output aside to
//! `.public.sourcebook-tmp.old`, the new site in), the first undone if the
//! second fails. The previous site is removed only once the new one is in
//! place; if that fails, the new site stays and the user is told.
//!
//! A build that was killed leaves its folders behind. The next one removes
//! them under the lock, after putting the previous site back if the kill
//! came between the two renames; what it cannot remove it reports, and it
//! writes under the next free name (`.public.sourcebook-tmp-2`) instead.
//!
//! Deliberately not done: writing into the output folder in place (a reader
//! would see half a site), or following a symbolic link here ([`resolve`]
//! already did, and gives a real folder).
//!
//! [`resolve`]: super::resolve

use crate::diagnostics::IoContext as _;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{MARKER, Output, Refused, confine};

/// A build being written next to its final place.
pub(crate) struct Staging {
    target: PathBuf,
    temp: PathBuf,
    /// What the user should know that is not an error: leftovers that could
    /// not be removed, a previous site put back.
    notes: Vec<String>,
    /// Folders of the staging that held a file already when another was
    /// placed in them (the search index's, the stylesheets'…): the next
    /// file placed there needs no `mkdir`. A folder made for one page is
    /// not kept, so this stays small on a large site.
    shared_folders: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// Held until the staging is dropped (after [`Drop`] has cleaned up).
    _lock: Option<File>,
}

impl Staging {
    /// Prepare to replace `target`, a real folder as [`super::resolve`]
    /// gives it. Refuses a non-empty folder without our marker, and one
    /// that could not be removed after the swap (read-only), before
    /// writing anything. When another build holds the lock, calls
    /// `waiting` and waits for it.
    pub(crate) fn new(target: &Path, waiting: impl FnOnce()) -> anyhow::Result<Staging> {
        check_replaceable(target)?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(Refused::new(format!(
                "{} cannot be an output folder: it has no folder above it to build in",
                target.display()
            ))
            .into());
        };
        std::fs::create_dir_all(parent).io("creating", parent)?;
        if !writable(parent) {
            let why = "the folder is not writable, and a build writes the new site there before swapping it in";
            return Err(std::io::Error::new(ErrorKind::PermissionDenied, why)).io("building beside", parent);
        }
        let (lock, mut notes) = lock(&sibling(parent, name, ".sourcebook-lock"), waiting)?;
        notes.extend(sweep(target, parent, name));
        // again, now that no other build is at work: it may have made the folder
        check_replaceable(target)?;
        let temp = free_staging_path(parent, name);
        std::fs::create_dir(&temp).io("creating", &temp)?;
        Ok(Staging { target: target.to_path_buf(), temp, notes, shared_folders: Default::default(), _lock: lock })
    }

    /// What the user should be told (as warnings) so far.
    pub(crate) fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Swap the finished build into place, then remove the previous one.
    /// Returns [`Staging::notes`], and a note if the previous site could
    /// not be removed (the new one is in place all the same).
    pub(crate) fn commit(mut self) -> anyhow::Result<Vec<String>> {
        let marker = self.temp.join(MARKER);
        std::fs::write(&marker, "This folder is written by `sourcebook build`; it is replaced on every build.\n")
            .io("writing", &marker)?;
        let aside = with_suffix(&self.temp, ".old");
        let previous = swap(&self.temp, &self.target, &aside).io("moving the new build into place at", &self.target)?;
        let mut notes = std::mem::take(&mut self.notes);
        if let Some(previous) = previous
            && let Err(e) = std::fs::remove_dir_all(&previous)
        {
            notes.push(format!(
                "the new site is in {}, but the previous one could not be removed from {} ({e}); \
                 remove it yourself",
                self.target.display(),
                previous.display()
            ));
        }
        Ok(notes)
    }

    /// Throw the partial build away; the previous output is untouched.
    pub(crate) fn abandon(self) {
        drop(self);
    }

    fn place(&self, path: &str) -> anyhow::Result<PathBuf> {
        let rel =
            confine(path).with_context(|| format!("refusing to write `{path}`: it would leave the output folder"))?;
        let full = self.temp.join(rel);
        let Some(dir) = full.parent().filter(|&d| d != self.temp) else { return Ok(full) };
        if crate::lock(&self.shared_folders).contains(dir) {
            return Ok(full);
        }
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                crate::lock(&self.shared_folders).insert(dir.to_path_buf());
            }
            Err(_) => std::fs::create_dir_all(dir).io("creating", dir)?,
        }
        Ok(full)
    }
}

impl Drop for Staging {
    /// Whatever is at the staging path is not needed: a partial build, or,
    /// after an exchange, the previous site (already removed unless that
    /// failed). Runs before the lock is released.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.temp);
    }
}

impl Output for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let full = self.place(path)?;
        std::fs::write(&full, bytes).io("writing", &full)
    }

    fn copy(&self, path: &str, from: &Path) -> anyhow::Result<()> {
        let full = self.place(path)?;
        // opened as every input is (a FIFO swapped in since the build looked would block a plain copy)
        let mut source = crate::input::open_file(from).io("reading", from)?;
        let mut target = std::fs::File::create(&full).io("creating", &full)?;
        std::io::copy(&mut source, &mut target).io(&format!("copying {} to", from.display()), &full)?;
        Ok(())
    }
}

/// Refuse, before anything is written, a folder a build must not or could
/// not replace: not a folder, someone else's, or read-only (the swap would
/// succeed and removing the previous site would then fail).
fn check_replaceable(target: &Path) -> anyhow::Result<()> {
    let meta = match std::fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).io("reading", target),
    };
    if !meta.is_dir() {
        return Err(Refused::new(format!(
            "{} exists and is not a folder: choose another --output folder",
            target.display()
        ))
        .into());
    }
    let empty = std::fs::read_dir(target).io("reading", target)?.next().is_none();
    if !empty && !target.join(MARKER).is_file() {
        return Err(Refused::new(format!(
            "refusing to replace {}: it is not empty and was not made by sourcebook (no {MARKER} file). \
             Choose another --output folder, or empty this one yourself",
            target.display()
        ))
        .into());
    }
    if !writable(target) {
        let why = "the folder is read-only, and a build removes the previous site once the new one is in place";
        return Err(std::io::Error::new(ErrorKind::PermissionDenied, why)).io("replacing", target);
    }
    Ok(())
}

/// Whether this process may create and remove entries in the folder `path`.
#[cfg(target_os = "linux")]
fn writable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Whether this process may create and remove entries in the folder `path`
/// (the read-only attribute only, where there is no `access`).
#[cfg(not(target_os = "linux"))]
fn writable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// Open and lock the lock file at `path`, waiting (after calling `waiting`)
/// while another build holds it. A file system without locks gets a note,
/// not a refusal.
fn lock(path: &Path, waiting: impl FnOnce()) -> anyhow::Result<(Option<File>, Vec<String>)> {
    let file =
        File::options().create(true).truncate(false).write(true).open(path).io("creating the lock file", path)?;
    let unsupported = |e: std::io::Error| {
        let note = format!(
            "could not lock {} ({e}): two builds into this folder at once would not wait for each other",
            path.display()
        );
        Ok((None, vec![note]))
    };
    match file.try_lock() {
        Ok(()) => Ok((Some(file), Vec::new())),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            match file.lock() {
                Ok(()) => Ok((Some(file), Vec::new())),
                Err(e) => Err(e).io("waiting for the lock on", path),
            }
        }
        Err(std::fs::TryLockError::Error(e)) if e.kind() == ErrorKind::Unsupported => unsupported(e),
        Err(std::fs::TryLockError::Error(e)) => Err(e).io("locking", path),
    }
}

/// Remove what earlier builds into `target` left beside it, after putting
/// the previous site back if one was stopped between the two renames of a
/// swap (no `target`, and an `….old` folder with our marker). Returns what
/// the user should be told.
fn sweep(target: &Path, parent: &Path, name: &OsStr) -> Vec<String> {
    let mut notes = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else { return notes };
    let mut left: Vec<PathBuf> =
        entries.filter_map(Result::ok).filter(|e| is_leftover(name, &e.file_name())).map(|e| e.path()).collect();
    left.sort();
    let missing = std::fs::symlink_metadata(target).is_err_and(|e| e.kind() == ErrorKind::NotFound);
    let previous =
        left.iter().position(|p| p.as_os_str().as_encoded_bytes().ends_with(b".old") && p.join(MARKER).is_file());
    if let (true, Some(i)) = (missing, previous) {
        let previous = left.remove(i);
        notes.push(match std::fs::rename(&previous, target) {
            Ok(()) => format!(
                "put the previous site back in {}: a build stopped in the middle of its swap had left it at {}",
                target.display(),
                previous.display()
            ),
            Err(e) => format!(
                "a build stopped in the middle of its swap left the previous site at {}, and moving it back to {} \
                 failed ({e}); move it back yourself",
                previous.display(),
                target.display()
            ),
        });
    }
    for path in left {
        let removed = match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        if let Err(e) = removed {
            notes.push(format!(
                "could not remove {}, left by an earlier build ({e}); remove it yourself",
                path.display()
            ));
        }
    }
    notes
}

/// Whether `file` is a folder a build into `name` writes beside it:
/// `.<name>.sourcebook-tmp`, `.<name>.sourcebook-tmp-<n>`, each maybe with
/// `.old`.
fn is_leftover(name: &OsStr, file: &OsStr) -> bool {
    let stem = sibling(Path::new(""), name, ".sourcebook-tmp");
    let Some(rest) = file.as_encoded_bytes().strip_prefix(stem.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    let rest = rest.strip_suffix(b".old").unwrap_or(rest);
    rest.is_empty() || rest.strip_prefix(b"-").is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
}

/// The first staging path beside `parent/name` that is free, with its
/// `.old` too: `.<name>.sourcebook-tmp`, then `-2`, `-3` (only when a
/// leftover could not be removed).
fn free_staging_path(parent: &Path, name: &OsStr) -> PathBuf {
    let taken = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    let mut n = 1;
    loop {
        let suffix = if n == 1 { ".sourcebook-tmp".to_string() } else { format!(".sourcebook-tmp-{n}") };
        let path = sibling(parent, name, &suffix);
        if !taken(&path) && !taken(&with_suffix(&path, ".old")) {
            return path;
        }
        n += 1;
    }
}

/// `parent/.<name><suffix>`, for any file name (not only UTF-8 ones).
fn sibling(parent: &Path, name: &OsStr, suffix: &str) -> PathBuf {
    let mut file = OsString::from(".");
    file.push(name);
    file.push(suffix);
    parent.join(file)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut path = path.as_os_str().to_owned();
    path.push(suffix);
    PathBuf::from(path)
}

/// Put `new` at `target`. Returns where the previous `target` now is, if
/// there was one.
fn swap(new: &Path, target: &Path, aside: &Path) -> std::io::Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(target).is_err_and(|e| e.kind() == ErrorKind::NotFound) {
        std::fs::rename(new, target)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::{fs, io::Errno};
        match fs::renameat_with(fs::CWD, new, fs::CWD, target, fs::RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Some(new.to_path_buf())),
            // a file system that cannot exchange: the renames below
            Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP].contains(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    swap_by_renames(new, target, aside, &|from, to| std::fs::rename(from, to))
}

/// The swap where two paths cannot be exchanged at once: `target` aside,
/// `new` in, and `target` back if that fails. A build killed between the
/// two leaves no `target`; the next one puts it back ([`sweep`]).
fn swap_by_renames(
    new: &Path,
    target: &Path,
    aside: &Path,
    rename: &dyn Fn(&Path, &Path) -> std::io::Result<()>,
) -> std::io::Result<Option<PathBuf>> {
    rename(target, aside)?;
    if let Err(e) = rename(new, target) {
        return Err(match rename(aside, target) {
            Ok(()) => e,
            Err(back) => std::io::Error::new(
                e.kind(),
                format!(
                    "{e}; and moving the previous site back from {} failed too ({back}): the next build will try again",
                    aside.display()
                ),
            ),
        });
    }
    Ok(Some(aside.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_build_leaves_previous_output_and_foreign_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out, || {}).unwrap();
        s.write("index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&out, || {}).unwrap();
        s.write("index.html", b"two").unwrap();
        s.abandon();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");

        let foreign = dir.path().join("home");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        assert!(Staging::new(&foreign, || {}).is_err());
        assert!(foreign.join("notes.txt").exists());
    }

    /// The fallback swap, with renames that work, then with a second rename
    /// that fails: the previous site must be back at the output path.
    #[test]
    fn swap_by_renames_puts_the_previous_site_back_when_the_new_one_cannot_go_in() {
        let dir = tempfile::tempdir().unwrap();
        let (target, new, aside) = (dir.path().join("public"), dir.path().join("new"), dir.path().join("aside"));
        for (folder, page) in [(&target, "old"), (&new, "new")] {
            std::fs::create_dir(folder).unwrap();
            std::fs::write(folder.join("index.html"), page).unwrap();
        }
        let real = |from: &Path, to: &Path| std::fs::rename(from, to);
        assert_eq!(swap_by_renames(&new, &target, &aside, &real).unwrap(), Some(aside.clone()));
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(aside.join("index.html")).unwrap(), "old");

        std::fs::remove_dir_all(&aside).unwrap();
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("index.html"), "newer").unwrap();
        let calls = std::cell::Cell::new(0);
        let second_fails = |from: &Path, to: &Path| {
            calls.set(calls.get() + 1);
            match calls.get() {
                2 => Err(std::io::Error::other("disk on fire")),
                _ => std::fs::rename(from, to),
            }
        };
        assert!(swap_by_renames(&new, &target, &aside, &second_fails).is_err());
        assert_eq!(std::fs::read_to_string(target.join("index.html")).unwrap(), "new");
        assert!(!aside.exists());
    }

    #[test]
    fn only_our_own_leftovers_are_swept() {
        let name = OsStr::new("public");
        for (file, ours) in [
            (".public.sourcebook-tmp", true),
            (".public.sourcebook-tmp.old", true),
            (".public.sourcebook-tmp-12", true),
            (".public.sourcebook-tmp-3.old", true),
            (".public.sourcebook-lock", false),
            (".public.sourcebook-tmp-", false),
            (".public.sourcebook-tmp-x", false),
            (".public.sourcebook-tmp.sourcebook-tmp", false),
            ("public", false),
        ] {
            assert_eq!(is_leftover(name, OsStr::new(file)), ours, "{file}");
        }
    }

    /// A kill between the two renames of the fallback swap: no output, the
    /// previous site aside, the new one at the staging path.
    #[test]
    fn the_next_build_puts_back_a_site_left_aside_by_a_killed_swap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out, || {}).unwrap();
        s.write("index.html", b"previous").unwrap();
        s.commit().unwrap();
        std::fs::rename(&out, dir.path().join(".public.sourcebook-tmp.old")).unwrap();
        std::fs::create_dir(dir.path().join(".public.sourcebook-tmp")).unwrap();

        let s = Staging::new(&out, || {}).unwrap();
        assert_eq!(s.notes().len(), 1, "{:?}", s.notes());
        s.abandon();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"previous");
        let mut left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, [".public.sourcebook-lock", "public"].map(OsString::from));
    }
}

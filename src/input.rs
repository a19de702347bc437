//! Reading the site's files: the one way sourcebook opens what it reads
//! (`site.yaml`, every file under `content/`, the theme's templates and
//! static files), so every caller gets the same guarantees:
//!
//! - A symbolic link is followed only to a file inside the site root, and
//!   not to one that is hidden or ignored (`unsafe-path` otherwise), and a folder of the site (`content/`, a
//!   theme) may be a link only to a folder inside the root.
//! - Only regular files are read. A FIFO, a device, a socket or a folder
//!   where a file is expected is an `unreadable-file` diagnostic. Files are
//!   opened without blocking, so a FIFO put in place after the check still
//!   cannot stall the build.
//! - Text is read up to [`MAX_TEXT_FILE`] and must be UTF-8; a byte order
//!   mark at its start is dropped.
//! - Every failure (permission denied, an I/O error) is a diagnostic with a
//!   code, naming the file, with a suggestion: never an `anyhow` error.
//! - Hidden names, editor leftovers and system files ([`ignored`]) are
//!   never read or published.
//!
//! It does not parse what it reads: that is `config`, `content`, `yaml`.

use std::fs::{File, FileType, Metadata};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, Span, relative};

/// Text files (Markdown, YAML, BibTeX, templates, theme CSS and JavaScript)
/// larger than this are refused rather than read (a stray video or dump).
pub(crate) const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub struct Unread {
    /// There is nothing at the path (callers with a better message for
    /// that, such as "no site.yaml", check this).
    pub missing: bool,
    pub diagnostic: Diagnostic,
}

impl From<Unread> for Diagnostic {
    fn from(unread: Unread) -> Diagnostic {
        unread.diagnostic
    }
}

/// The text of the file at `path` (under the site `root`): a regular file of
/// at most [`MAX_TEXT_FILE`] bytes, UTF-8, without a leading byte order mark.
pub(crate) fn text(root: &Path, path: &Path) -> Result<String, Unread> {
    let bytes = bytes(root, path, MAX_TEXT_FILE)?;
    decode(&relative(root, path), bytes).map_err(refused)
}

/// The bytes of the file at `path`: a regular file of at most `limit` bytes.
pub(crate) fn bytes(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Unread> {
    let file = relative(root, path);
    let (handle, len) = open_checked(root, path, &file)?;
    if len > limit {
        return Err(refused(too_large(&file, len, limit)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // a file that grows while it is read stops at the limit all the same
    handle.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| refused(io_problem(&file, &e)))?;
    if bytes.len() as u64 > limit {
        return Err(refused(too_large(&file, bytes.len() as u64, limit)));
    }
    Ok(bytes)
}

/// The first bytes of the file at `path`, at most `limit` (an image's
/// header, for its size): checked as [`bytes`] checks a file, with no
/// limit on the file's own size.
pub(crate) fn head(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Unread> {
    let file = relative(root, path);
    let (handle, len) = open_checked(root, path, &file)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(limit)).unwrap_or(0));
    handle.take(limit).read_to_end(&mut bytes).map_err(|e| refused(io_problem(&file, &e)))?;
    Ok(bytes)
}

/// Whether the file at `path` can be read, as [`bytes`] would read it (for
/// files that are copied, not read, such as images: no size limit).
pub(crate) fn readable(root: &Path, path: &Path) -> Result<(), Unread> {
    open(root, path).map(drop)
}

/// The file at `path`, opened as [`bytes`] would open it (checked again
/// on the open handle), and its length, for a caller that reads it itself
/// (`serve` streams copied files). No size limit.
///
/// The file opened is also checked to be inside the site by its real
/// path: the other checks look at the file's own name, and `serve` opens a
/// copied file long after the build walked its folders, by which time a
/// folder on its way may have become a link out of the site.
pub(crate) fn open(root: &Path, path: &Path) -> Result<(File, u64), Unread> {
    let file = relative(root, path);
    let (handle, len) = open_checked(root, path, &file)?;
    if !opened_inside(root, path, &handle) {
        return Err(refused(
            Diagnostic::error(Code::UnsafePath, "a folder on the way to this file leads outside the site")
                .in_file(file)
                .with_help("replace the symbolic link with the folder it stands for"),
        ));
    }
    Ok((handle, len))
}

/// Whether `handle`, opened at `path`, is the file at `path`'s real path,
/// and that path is inside `root`'s. (The same file by device and inode:
/// a link swapped in between the open and the check is not taken for it.)
fn opened_inside(root: &Path, path: &Path, handle: &File) -> bool {
    let (Ok(real), Ok(root)) = (path.canonicalize(), root.canonicalize()) else { return false };
    if !published_inside(&root, &real) {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let (Ok(there), Ok(opened)) = (std::fs::metadata(&real), handle.metadata()) else { return false };
        there.dev() == opened.dev() && there.ino() == opened.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = handle;
        true
    }
}

/// Open a file that the build has already checked (with [`walk`] or
/// [`readable`]) to copy it: a regular file, opened without blocking.
pub(crate) fn open_file(path: &Path) -> std::io::Result<File> {
    let handle = open_nonblocking(path, Follow::Links)?;
    match kind_problem(handle.metadata()?.file_type()) {
        None => Ok(handle),
        Some(what) => Err(std::io::Error::other(format!("{} is {what}, not a file", path.display()))),
    }
}

/// Whether the folder `dir` of the site is there (`false`: nothing at that
/// path). A link out of the site or anything but a folder is a diagnostic.
pub(crate) fn folder(root: &Path, dir: &Path) -> Result<bool, Diagnostic> {
    let name = relative(root, dir);
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_problem(&name, &e)),
    };
    let meta = match meta.file_type().is_symlink() {
        true => resolve_link(root, dir, &name)?.1,
        false => meta,
    };
    match meta.is_dir() {
        true => Ok(true),
        false => Err(Diagnostic::error(Code::UnreadableFile, "not a folder, where a folder should be")
            .in_file(name)
            .with_help("sourcebook expects a folder here: move the file away")),
    }
}

/// Every file below the site folder `dir`, sorted, as (path relative to
/// `dir` with `/` separators, full path), and the problems found on the
/// way. [`ignored`] names are skipped (folders with all they hold); a link
/// is kept only when it leads to a file inside the site; FIFOs, devices and
/// sockets are diagnostics. `files` are paths relative to `dir` that must be
/// files: a folder there is a diagnostic, and is not entered.
pub(crate) fn walk(root: &Path, dir: &Path, files: &[&str]) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut diags = Vec::new();
    let mut entries = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !ignored(&e.file_name().to_string_lossy()));
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = relative(root, e.path().unwrap_or(dir));
                let why = e.io_error().map_or_else(|| e.to_string(), ToString::to_string);
                diags.push(unreadable(&at, &why, e.io_error().map(std::io::Error::kind)));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type();
        if path.strip_prefix(dir).map_or(true, |rel| rel.to_str().is_none()) {
            // a name becomes part of an address: one that is not text would
            // be published, and looked up again, under another name
            diags.push(
                Diagnostic::error(
                    Code::InvalidEncoding,
                    "this name is not UTF-8 text, so it cannot be part of an address",
                )
                .in_file(relative(root, path))
                .with_help("rename it with letters, digits and `-` (the name shows U+FFFD where it is not text)"),
            );
            if file_type.is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        let rel = relative(dir, path);
        if file_type.is_dir() {
            if files.contains(&rel.as_str()) {
                diags.push(not_a_file(&relative(root, path), "a folder"));
                entries.skip_current_dir();
            }
            continue;
        }
        let problem = match file_type.is_symlink() {
            true => linked_file(root, path, &relative(root, path)).err(),
            false => kind_problem(file_type).map(|what| not_a_file(&relative(root, path), what)),
        };
        match problem {
            Some(d) => diags.push(d),
            None => found.push((rel, path.to_path_buf())),
        }
    }
    (found, diags)
}

/// Names that are never read or published, wherever they are (files and
/// folders, with everything a folder holds): hidden ones (`.git/`,
/// `.DS_Store`, Vim's `.a.md.swp`, Emacs's `.#a.md`), editor leftovers
/// (`a.md~`, Emacs's `#a.md#`, names ending in `.bak`, `.orig`, `.rej`,
/// `.swp` or `.swo`, Vim's `4913`) and system files (`Thumbs.db`,
/// `ehthumbs.db`, `desktop.ini`). Endings and system names in any case.
/// README.md ("A site") lists the same.
pub(crate) fn ignored(name: &str) -> bool {
    let ends = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [".bak", ".orig", ".rej", ".swp", ".swo"].into_iter().any(ends)
        || ["thumbs.db", "ehthumbs.db", "desktop.ini"].iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Open `path` after checking what it is (and where a link leads); checked
/// again on the open file, which may have been replaced in between.
fn open_checked(root: &Path, path: &Path, file: &str) -> Result<(File, u64), Unread> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Unread { missing: true, diagnostic: io_problem(file, &e) },
        _ => refused(io_problem(file, &e)),
    })?;
    let target = match meta.file_type().is_symlink() {
        true => linked_file(root, path, file).map_err(refused)?,
        false => {
            check_kind(file, &meta).map_err(refused)?;
            path.to_path_buf()
        }
    };
    // not through a link: one put here since the check would be followed
    let handle = open_nonblocking(&target, Follow::Not).map_err(|e| refused(io_problem(file, &e)))?;
    let meta = handle.metadata().map_err(|e| refused(io_problem(file, &e)))?;
    check_kind(file, &meta).map_err(refused)?;
    Ok((handle, meta.len()))
}

/// Where the link at `path` leads, when that is inside the site root
/// (`unsafe-path` otherwise): the target and what it is.
fn resolve_link(root: &Path, path: &Path, file: &str) -> Result<(PathBuf, Metadata), Diagnostic> {
    let outside = || {
        Diagnostic::error(Code::UnsafePath, "a link that leads outside the site, or nowhere")
            .in_file(file)
            .with_help("replace the symbolic link with the file or folder it stands for")
    };
    let target = path.canonicalize().map_err(|_| outside())?;
    let root = root.canonicalize().map_err(|e| io_problem(&root.display().to_string(), &e))?;
    if !target.starts_with(&root) {
        return Err(outside());
    }
    if !published_inside(&root, &target) {
        return Err(Diagnostic::error(Code::UnsafePath, "a link to a hidden or ignored file (such as `.git/` or `.env`)")
            .in_file(file)
            .with_help("sourcebook never reads or publishes hidden files: replace the link with a copy of what should be published"));
    }
    let meta = std::fs::metadata(&target).map_err(|e| io_problem(file, &e))?;
    Ok((target, meta))
}

/// Whether the real path `real` is inside the real site root `root` with no
/// [`ignored`] name on the way: a link must not publish what the walk
/// skips (`.git/config`, `.env`, an editor's backup).
fn published_inside(root: &Path, real: &Path) -> bool {
    real.strip_prefix(root).is_ok_and(|rel| rel.components().all(|c| !ignored(&c.as_os_str().to_string_lossy())))
}

/// The file a link leads to: a regular file inside the site root.
fn linked_file(root: &Path, path: &Path, file: &str) -> Result<PathBuf, Diagnostic> {
    let (target, meta) = resolve_link(root, path, file)?;
    if meta.is_dir() {
        // folders are walked by their real path only: a link to one could loop
        return Err(Diagnostic::error(Code::UnsafePath, "a link to a folder")
            .in_file(file)
            .with_help("replace the symbolic link with the folder itself"));
    }
    check_kind(file, &meta)?;
    Ok(target)
}

fn check_kind(file: &str, meta: &Metadata) -> Result<(), Diagnostic> {
    match kind_problem(meta.file_type()) {
        None => Ok(()),
        Some(what) => Err(not_a_file(file, what)),
    }
}

/// What a file type is, when it is not a regular file.
fn kind_problem(file_type: FileType) -> Option<&'static str> {
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
    }
    Some("something other than a regular file")
}

fn not_a_file(file: &str, what: &str) -> Diagnostic {
    Diagnostic::error(Code::UnreadableFile, format!("{what} where a file should be"))
        .in_file(file)
        .with_help("sourcebook reads only regular files: put the file itself here, or remove this")
}

fn io_problem(file: &str, e: &std::io::Error) -> Diagnostic {
    unreadable(file, &e.to_string(), Some(e.kind()))
}

fn unreadable(file: &str, why: &str, kind: Option<std::io::ErrorKind>) -> Diagnostic {
    let help = match kind {
        Some(std::io::ErrorKind::PermissionDenied) => "let your user read it (e.g. `chmod u+r`), or remove it",
        Some(std::io::ErrorKind::NotFound) => "the file was there a moment ago: build again",
        _ => "check the file and the disk it is on",
    };
    Diagnostic::error(Code::UnreadableFile, format!("cannot be read: {why}")).in_file(file).with_help(help)
}

fn too_large(file: &str, len: u64, limit: u64) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("the file is {} MiB; the limit is {} MiB", len.div_ceil(1 << 20), limit >> 20),
    )
    .in_file(file)
    .with_help("sourcebook reads text files up to this size: split it, or move it out of the site")
}

pub(crate) fn refused(diagnostic: Diagnostic) -> Unread {
    Unread { missing: false, diagnostic }
}

/// UTF-8 text without a leading byte order mark.
fn decode(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            Err(Diagnostic::error(Code::InvalidEncoding, "the file is not UTF-8 text")
                .with_span(Span::at(file, &prefix, prefix.len()))
                .with_help("save the file as UTF-8"))
        }
    }
}

/// Whether opening a file may go through a symbolic link at its last step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Follow {
    Links,
    Not,
}

/// Open for reading without waiting: a FIFO opens at once instead of
/// waiting for a writer (regular files ignore the flag), and a terminal
/// never becomes the process's controlling terminal.
#[cfg(unix)]
fn open_nonblocking(path: &Path, follow: Follow) -> std::io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = OFlags::NONBLOCK | OFlags::NOCTTY;
    if follow == Follow::Not {
        flags |= OFlags::NOFOLLOW;
    }
    std::fs::OpenOptions::new().read(true).custom_flags(flags.bits() as i32).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _: Follow) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_names_editor_leftovers_and_system_files_are_ignored() {
        for name in [
            ".git",
            ".DS_Store",
            ".a.md.swp",
            ".#a.md",
            "a.md~",
            "#a.md#",
            "a.md.orig",
            "a.rej",
            "a.bak",
            "a.BAK",
            "a.md.swp",
            "a.swo",
            "4913",
            "Thumbs.db",
            "thumbs.db",
            "ehthumbs.db",
            "desktop.ini",
        ] {
            assert!(ignored(name), "{name}");
        }
        for name in ["a.md", "index.md", "_index.md", "figure.png", "#", "a#b.md", "4914", "bakery.md", "sources.yaml"]
        {
            assert!(!ignored(name), "{name}");
        }
    }

    #[test]
    fn text_drops_a_byte_order_mark_and_refuses_other_encodings() {
        assert_eq!(decode("a.md", b"\xef\xbb\xbftitle: x".to_vec()).unwrap(), "title: x");
        assert_eq!(decode("a.md", b"a\xef\xbb\xbf".to_vec()).unwrap(), "a\u{feff}");
        let d = decode("a.md", b"ok\nbad \xff".to_vec()).unwrap_err();
        assert_eq!((d.code, d.line()), (Code::InvalidEncoding, Some(2)));
    }

    #[test]
    fn files_past_the_limit_folders_and_links_out_are_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("big.txt"), "x".repeat(100)).unwrap();
        let e = bytes(root, &root.join("big.txt"), 10).unwrap_err();
        assert_eq!((e.missing, e.diagnostic.code), (false, Code::InvalidValue));
        assert_eq!(bytes(root, &root.join("big.txt"), 100).unwrap().len(), 100);

        std::fs::create_dir(root.join("folder")).unwrap();
        assert_eq!(text(root, &root.join("folder")).unwrap_err().diagnostic.code, Code::UnreadableFile);
        assert!(text(root, &root.join("absent")).unwrap_err().missing);
        assert_eq!(folder(root, &root.join("big.txt")).unwrap_err().code, Code::UnreadableFile);
        assert!(!folder(root, &root.join("absent")).unwrap());

        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("secret"), "s").unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret"), root.join("out")).unwrap();
            std::os::unix::fs::symlink(outside.path(), root.join("out-folder")).unwrap();
            std::os::unix::fs::symlink("big.txt", root.join("in")).unwrap();
            std::os::unix::fs::symlink("folder", root.join("in-folder")).unwrap();
            assert_eq!(text(root, &root.join("out")).unwrap_err().diagnostic.code, Code::UnsafePath);
            assert_eq!(folder(root, &root.join("out-folder")).unwrap_err().code, Code::UnsafePath);
            assert_eq!(text(root, &root.join("in")).unwrap().len(), 100);
            assert!(folder(root, &root.join("in-folder")).unwrap());
            // inside the root, but hidden: never read or published through a link
            std::fs::create_dir(root.join(".git")).unwrap();
            std::fs::write(root.join(".git/config"), "[remote] url = https://token@host").unwrap();
            std::fs::write(root.join(".env"), "SECRET=1").unwrap();
            std::os::unix::fs::symlink(".git/config", root.join("git-config")).unwrap();
            std::os::unix::fs::symlink(".env", root.join("env")).unwrap();
            let hidden = text(root, &root.join("git-config")).unwrap_err().diagnostic;
            assert_eq!(hidden.code, Code::UnsafePath);
            assert!(hidden.message.contains("hidden or ignored"), "{}", hidden.message);
            assert_eq!(open(root, &root.join("env")).unwrap_err().diagnostic.code, Code::UnsafePath);
            // walked: links in the site to files only; a link to a folder is not followed
            let (files, diags) = walk(root, root, &["big.txt"]);
            let names: Vec<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
            assert_eq!(names, ["big.txt", "in"]);
            let codes: Vec<(&str, Option<&str>)> = diags.iter().map(|d| (d.code.as_str(), d.file.as_deref())).collect();
            assert_eq!(
                codes,
                [
                    ("unsafe-path", Some("env")),
                    ("unsafe-path", Some("git-config")),
                    ("unsafe-path", Some("in-folder")),
                    ("unsafe-path", Some("out")),
                    ("unsafe-path", Some("out-folder"))
                ]
            );
        }
    }
}

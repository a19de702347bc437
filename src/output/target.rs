//! Which folder a build replaces: the output path made absolute, with `.`
//! and `..` resolved and a symbolic link followed to the folder it names
//! (the link itself is left alone), refused when replacing it would harm
//! the site itself. Nothing here writes.

use crate::diagnostics::IoContext as _;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

/// An output folder a build must not replace: a usage error (the CLI exits
/// 2), with what to do instead.
#[derive(Debug)]
pub(crate) struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Refused {
    pub(crate) fn new(why: String) -> Refused {
        Refused(why)
    }
}

/// The real folder that building the site at `root` into `output` replaces.
/// Refused (as [`Refused`]): `/`, the site folder or a folder holding it,
/// a folder inside `content/`, `themes/` or `templates/` (the next build
/// would read the output back as part of the site), and a symbolic link to
/// nothing.
pub(crate) fn resolve(root: &Path, output: &Path) -> anyhow::Result<PathBuf> {
    let absolute = std::path::absolute(output).io("reading the output path", output)?;
    let folder = match (absolute.file_name(), absolute.parent()) {
        (Some(name), Some(parent)) => follow(real(parent)?.join(name), output)?,
        // ends in `..`, or is `/`
        _ => real(&absolute)?,
    };
    refuse_site_folders(root, &folder, output)?;
    Ok(folder)
}

/// `path`, or the folder it links to when it is a symbolic link: a build
/// then replaces that folder, so the link (say, a web server's root) keeps
/// pointing at the newest site.
fn follow(path: PathBuf, output: &Path) -> anyhow::Result<PathBuf> {
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(path);
    }
    match path.canonicalize() {
        Ok(folder) => Ok(folder),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let to = std::fs::read_link(&path).unwrap_or_default();
            Err(Refused(format!(
                "the output folder {} is a symbolic link to {}, which does not exist: \
                 create that folder (empty), or remove the link",
                output.display(),
                to.display()
            ))
            .into())
        }
        Err(e) => Err(e).io("following the symbolic link", output),
    }
}

/// `path` with symbolic links followed and `.` and `..` resolved as far as
/// it exists; the rest, which a build will create, as written.
fn real(path: &Path) -> anyhow::Result<PathBuf> {
    let mut missing = Vec::new();
    let mut existing = path;
    let mut base = loop {
        match existing.canonicalize() {
            Ok(base) => break base,
            Err(e) if e.kind() == ErrorKind::NotFound => match (existing.parent(), existing.components().next_back()) {
                (Some(parent), Some(last)) => {
                    missing.push(last);
                    existing = parent;
                }
                _ => return Err(e).io("reading", path),
            },
            Err(e) => return Err(e).io("reading", path),
        }
    };
    for part in missing.into_iter().rev() {
        match part {
            Component::Normal(name) => base.push(name),
            Component::ParentDir => {
                base.pop();
            }
            _ => {}
        }
    }
    Ok(base)
}

fn refuse_site_folders(root: &Path, folder: &Path, output: &Path) -> anyhow::Result<()> {
    let refuse = |why: String| -> anyhow::Result<()> {
        Err(Refused(format!(
            "refusing to write the site to {}: {why}; choose a folder of its own, such as public/ in the site folder",
            output.display()
        ))
        .into())
    };
    if folder.parent().is_none() {
        return refuse("it is the root of the file system, which a build would replace".into());
    }
    let root = real(root)?;
    if root.starts_with(folder) {
        let what = if root == folder { "is" } else { "contains" };
        return refuse(format!("it {what} the site folder {}, which a build would replace", root.display()));
    }
    for sub in ["content", "themes", "templates"] {
        if folder.starts_with(real(&root.join(sub))?) {
            return refuse(format!(
                "it is inside {sub}/, so the next build would read this one back as part of the site"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_and_missing_folders_kept_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("content")).unwrap();
        for (output, expected) in [
            ("public", "public"),
            ("public/sub/..", "public"),
            ("./out/./site", "out/site"),
            ("content/../public", "public"),
        ] {
            assert_eq!(resolve(&root, &root.join(output)).unwrap(), root.join(expected), "{output}");
        }
    }

    #[test]
    fn the_site_and_its_source_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/a")).unwrap();
        for output in ["", ".", "..", "content", "content/a", "content/new/deeper", "themes/x", "templates", "/"] {
            let error = resolve(&root, &root.join(output)).unwrap_err();
            assert!(error.downcast_ref::<Refused>().is_some(), "{output}: {error:#}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_to_its_folder_and_a_link_to_nothing_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("www/site")).unwrap();
        std::os::unix::fs::symlink(root.join("www/site"), root.join("public")).unwrap();
        assert_eq!(resolve(&root, &root.join("public")).unwrap(), root.join("www/site"));

        std::os::unix::fs::symlink(root.join("content"), root.join("into-content")).unwrap();
        std::fs::create_dir(root.join("content")).unwrap();
        assert!(resolve(&root, &root.join("into-content")).unwrap_err().downcast_ref::<Refused>().is_some());

        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
        assert!(resolve(&root, &root.join("dangling")).unwrap_err().downcast_ref::<Refused>().is_some());
    }
}

//! `sourcebook init [DIR]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Ui;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the new site (default: the --root folder).
    pub dir: Option<PathBuf>,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let dir = args.dir.unwrap_or_else(|| root.to_path_buf());
    let written = match crate::init::init(&dir, jiff::Zoned::now().date())? {
        Ok(written) => written,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    ui.info(&format!("created a new site in {} ({written} files); {}", dir.display(), next_step(&dir)));
    Ok(ExitCode::SUCCESS)
}

/// What to run next: a preview of the new site, from where the user is.
fn next_step(dir: &Path) -> String {
    if dir == Path::new(".") || dir.as_os_str().is_empty() {
        return "preview it with `sourcebook serve`".to_string();
    }
    format!("preview it with `sourcebook serve --root {}`", shell_word(&dir.display().to_string()))
}

/// `text` as one word a POSIX shell reads back unchanged: quoted when it
/// holds anything but letters, digits and `/._-`.
fn shell_word(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(all(test, unix))]
mod tests {
    /// The shell reads each suggested folder back as the folder.
    #[test]
    fn a_suggested_folder_is_one_shell_word() {
        for text in ["/tmp/my-site", "my site", "it's", "$HOME/a;b", "x\"y`z`", "-n", "~/site"] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s' {}", super::shell_word(text)))
                .output()
                .expect("sh runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), text, "{}", super::shell_word(text));
        }
        assert_eq!(super::shell_word("/tmp/my-site"), "/tmp/my-site", "a plain path is left as it is");
    }
}

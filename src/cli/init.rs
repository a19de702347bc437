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
            crate::ui::eprintln(format_args!("error: {message}"));
            return Ok(ExitCode::from(2));
        }
    };
    ui.info(&format!("created a new site in {} ({written} files); {}", dir.display(), next_step(&dir)));
    Ok(ExitCode::SUCCESS)
}

/// What to run next: a preview of the new site, from where the user is.
fn next_step(dir: &Path) -> String {
    format!("preview it with `{}`", super::command_in(dir, "serve"))
}

//! `sourcebook build`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::Ui;
use crate::build::{BuildOptions, build};
use crate::output::Refused;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the site (default: public/ in the site folder).
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Override base_url from site.yaml (e.g. for a preview deploy): an
    /// absolute http(s) URL.
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Leave out the search page and its index, whatever site.yaml says
    /// (a quicker build, e.g. for a preview deploy).
    #[arg(long)]
    pub no_search: bool,
}

/// `--base-url` as `base_url` in site.yaml must be: refused as a usage error.
fn base_url(url: &str) -> Result<String, String> {
    crate::html::check_base_url(url).map(|()| url.to_string())
}

fn say_waiting(output: &Path) {
    crate::ui::eprintln(format_args!("waiting for another build into {} to finish", output.display()));
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let inside = shell_inside(&args.output.clone().unwrap_or_else(|| root.join("public")));
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: args.output,
        base_url: args.base_url,
        drafts: args.drafts,
        text: false,
        no_search: args.no_search,
        on_wait: (!ui.quiet).then_some(say_waiting),
    };
    let report = match build(&options) {
        Ok(report) => report,
        Err(e) => match e.downcast_ref::<Refused>() {
            Some(refused) => {
                crate::ui::eprintln(format_args!("error: {refused}"));
                return Ok(ExitCode::from(2));
            }
            None => return Err(e),
        },
    };
    ui.report_timed(&report.diagnostics, &report.timings);
    for note in &report.notes {
        crate::ui::eprintln(format_args!("warning: {note}"));
    }
    let code = match &report.written {
        Some(dir) => {
            ui.info(&format!(
                "built {} into {} in {} ms",
                super::count(report.pages, "article"),
                dir.display(),
                started.elapsed().as_millis()
            ));
            // the shell is left in the folder the build replaced: it lists nothing
            if let Some(here) = inside {
                ui.info(&format!(
                    "note: this shell is in the old {}, which the build replaced: `cd {}` to see the new files",
                    dir.display(),
                    here.display()
                ));
            }
            ExitCode::SUCCESS
        }
        None => {
            ui.info("the build stopped: nothing was written");
            ExitCode::from(1)
        }
    };
    super::exiting(report);
    Ok(code)
}

/// The shell's folder, when it is the output folder `target` or inside it:
/// a build puts a new folder in the old one's place, and a shell still in
/// the old one sees it empty.
fn shell_inside(target: &Path) -> Option<std::path::PathBuf> {
    let here = std::env::current_dir().ok()?;
    let target = std::fs::canonicalize(target).ok()?;
    std::fs::canonicalize(&here).ok()?.starts_with(&target).then_some(here)
}

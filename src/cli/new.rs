//! `sourcebook new <topic>/<slug> [--title T]`.

use std::path::Path;
use std::process::ExitCode;

use super::Ui;
use crate::config::Config;
use crate::diagnostics::Diagnostics;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the article goes: a topic (listed in site.yaml, or a folder of
    /// content/ with an _index.md), then the file name without `.md`
    /// (`efficacy/how-long-it-lasts`); the file's path
    /// (`content/efficacy/how-long-it-lasts.md`) is read the same.
    #[arg(value_name = "TOPIC/SLUG")]
    pub path: String,
    /// The article's title (default: from the slug).
    #[arg(long)]
    pub title: Option<String>,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let config = match Config::load(root) {
        Ok(config) => config,
        Err(found) => {
            let mut diags = Diagnostics::new();
            diags.extend(found);
            ui.report(&diags.sorted());
            return Ok(ExitCode::from(1));
        }
    };
    let today = jiff::Zoned::now().date();
    match crate::init::new_article(root, &config, &args.path, args.title.as_deref(), today)? {
        Ok(made) => {
            if let Some(page) = &made.topic_page {
                ui.info(&format!("created {page}, the topic's page (give it a `description:`)"));
            }
            ui.info(&format!(
                "created {} as a draft; preview it with `{}`, and remove `draft: true` when it is reviewed",
                made.article,
                super::command_in(root, "serve --drafts")
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            crate::ui::eprintln(format_args!("error: {message}"));
            Ok(ExitCode::from(2))
        }
    }
}

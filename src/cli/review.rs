//! `sourcebook review sign <page> --by <person> --role <role> [--on DATE] [--scope TEXT]`.

use std::path::Path;
use std::process::ExitCode;

use super::Ui;
use crate::config::ReviewRole;
use crate::review::{SignRequest, Signing, sign};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a review of a page, with the fingerprint of what was reviewed,
    /// in content/reviews.yaml.
    Sign(SignArgs),
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The page's Markdown file (`content/safety/side-effects.md`).
    pub page: String,
    /// The reviewer's id in content/people.yaml.
    #[arg(long)]
    pub by: String,
    /// `clinical`, `lay` or `editorial`.
    #[arg(long, value_enum)]
    pub role: Role,
    /// The day of the review (default: today); never in the future.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::content::dates::parse)]
    pub on: Option<jiff::civil::Date>,
    /// What the review covered, when not the whole page.
    #[arg(long)]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Role {
    Clinical,
    Lay,
    Editorial,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let Command::Sign(args) = args.command;
    let today = jiff::Zoned::now().date();
    let role = match args.role {
        Role::Clinical => ReviewRole::Clinical,
        Role::Lay => ReviewRole::Lay,
        Role::Editorial => ReviewRole::Editorial,
    };
    let request =
        SignRequest { page: args.page, by: args.by, role, on: args.on.unwrap_or(today), scope: args.scope, today };
    match sign(root, &request)? {
        Signing::Signed { file, entry, reviewer } => {
            ui.info(&format!(
                "signed {file}: {} review by {reviewer} on {} ({}); commit content/reviews.yaml with the page",
                entry.role.as_str(),
                entry.on,
                &entry.fingerprint[..19]
            ));
            Ok(ExitCode::SUCCESS)
        }
        Signing::Recorded { file } => {
            ui.info(&format!(
                "{file}: this review is already recorded, for this version of the page; nothing was written"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Signing::Refused(diags) => {
            ui.report(&diags);
            // drafts are read (one may be the page signed), so a draft's
            // error refuses a signing that `check` alone passes
            crate::ui::eprintln(
                "error: nothing was signed: fix the errors above first (drafts' too: `sourcebook check --drafts` lists them)",
            );
            Ok(ExitCode::from(1))
        }
        Signing::Usage(message) => {
            crate::ui::eprintln(format_args!("error: {}", crate::diagnostics::visible(&message)));
            Ok(ExitCode::from(2))
        }
    }
}

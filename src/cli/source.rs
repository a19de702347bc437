//! `sourcebook source add <DOI | PMID | PMCID> [--id ID] [--evidence TYPE]`.

use std::path::Path;
use std::process::ExitCode;

use super::Ui;
use crate::diagnostics::{visible, visible_lines};
use crate::sources::add::{AddRequest, Adding, add};
use crate::sources::registry::Registries;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Fetch a work's details from Crossref and PubMed and append its entry
    /// to content/sources.yaml (needs a network; `SOURCEBOOK_CROSSREF_API`
    /// and `SOURCEBOOK_PUBMED_API` name other servers).
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A DOI (`10.1056/NEJMoa2302399`), a doi.org address, a PMID
    /// (`37224232`) or a PMCID (`PMC1234567`).
    pub identifier: String,
    /// The id to cite it by (default: the first author's family name and
    /// the year, e.g. `anand2023`).
    #[arg(long)]
    pub id: Option<String>,
    /// What kind of evidence it is: rct, meta-analysis, review, guideline,
    /// regulator, observational, preclinical, other.
    #[arg(long, value_name = "TYPE")]
    pub evidence: Option<String>,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let Command::Add(args) = args.command;
    let request = AddRequest {
        identifier: args.identifier,
        id: args.id,
        evidence: args.evidence,
        registries: Registries::from_env(None),
    };
    match add(root, &request)? {
        // what a registry wrote is shown, its control characters too,
        // never sent to the terminal as they are (escape sequences)
        Adding::Added { id, entry, reference, notes } => {
            crate::ui::print(visible_lines(&entry));
            crate::ui::println(format_args!("\n{}", visible(&reference)));
            for note in notes {
                crate::ui::eprintln(visible_lines(&note));
            }
            ui.info(&format!("added `{id}` to content/sources.yaml; cite it as [@{id}]"));
            Ok(ExitCode::SUCCESS)
        }
        Adding::Usage(message) => {
            crate::ui::eprintln(format_args!("error: {}", visible_lines(&message)));
            Ok(ExitCode::from(2))
        }
        Adding::Failed(message) => {
            crate::ui::eprintln(format_args!("error: nothing was added: {}", visible_lines(&message)));
            Ok(ExitCode::from(1))
        }
    }
}

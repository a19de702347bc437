//! `sourcebook check`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::Ui;
use crate::check::{CheckOptions, CheckReport, DEFAULT_EXTERNAL_BUDGET, check};
use crate::sources::registry::Registries;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also probe http(s) links (needs a network).
    #[arg(long)]
    pub external: bool,
    /// With `--external`: how long all the probes may take together (default
    /// 30); links not reached by then are counted in one warning.
    #[arg(long, value_name = "SECONDS", requires = "external", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub external_timeout: Option<u64>,
    /// Also ask Crossref and PubMed about every DOI and PMID (retractions,
    /// corrections, expressions of concern, mismatched details) and rewrite
    /// content/sources.lock.yaml (needs a network; `SOURCEBOOK_CROSSREF_API`
    /// and `SOURCEBOOK_PUBMED_API` name other servers).
    #[arg(long)]
    pub sources: bool,
    /// `text` (rustc-style, on stderr) or `json` (an array on stdout).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print a table of every article's reading grade, words and sources,
    /// and the review dashboard (with `--format json`: an object holding
    /// `diagnostics` and `reviews`).
    #[arg(long)]
    pub report: bool,
    /// Check articles marked `draft: true` too.
    #[arg(long)]
    pub drafts: bool,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    let today = jiff::Zoned::now().date();
    let budget = args.external_timeout.map_or(DEFAULT_EXTERNAL_BUDGET, Duration::from_secs);
    let external = args.external.then_some(budget);
    let sources = args.sources.then(|| Registries::from_env(None));
    let options = CheckOptions { root: root.to_path_buf(), drafts: args.drafts, external, today, sources };
    let report = check(&options)?;
    let diags = &report.diagnostics;
    if report.lock_written {
        ui.info("wrote content/sources.lock.yaml: commit it with the bibliography");
    }
    match args.format {
        Format::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = if args.report {
                write!(out, "{{\"diagnostics\":").and_then(|()| diags.write_json(&mut out)).and_then(|()| {
                    let reviews = serde_json::to_string(&report.review_dashboard()).unwrap_or_default();
                    writeln!(out, ",\"reviews\":{reviews}}}")
                })
            } else {
                diags.write_json(&mut out).and_then(|()| writeln!(out))
            };
            written.and_then(|()| out.flush()).context("could not write the report to stdout")?;
        }
        Format::Text => {
            // with --deny-warnings a warning fails the check: --quiet shows it
            let shown = Ui { quiet: ui.quiet && !args.deny_warnings, ..ui };
            shown.report_timed(diags, &report.timings);
            if args.report {
                crate::ui::print(table(&report));
                crate::ui::print(format_args!("\n{}", dashboard(&report)));
            }
            if diags.is_empty() {
                ui.info(&format!("checked {}: no problems found", super::count(report.articles.len(), "article")));
            }
        }
    }
    let fail = diags.has_errors() || (args.deny_warnings && diags.warning_count() > 0);
    super::exiting(report);
    Ok(if fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn table(report: &CheckReport) -> String {
    let mut out =
        String::from("| article | audience | words | grade (FK) | SMOG | sources |\n|---|---|---:|---:|---:|---:|\n");
    for a in &report.articles {
        let audience = match a.audience {
            crate::content::Audience::Patients => "patients",
            crate::content::Audience::Clinicians => "clinicians",
        };
        out.push_str(&format!(
            "| {} | {audience} | {} | {:.1} | {:.1} | {} |\n",
            cell_text(&a.file),
            a.grades.words,
            a.grades.flesch_kincaid,
            a.grades.smog,
            a.sources
        ));
    }
    out
}

/// `text` for one cell of a Markdown table on a terminal: a `|` would end
/// the cell and a line break the row, and control characters are shown as
/// escapes.
fn cell_text(text: &str) -> String {
    crate::diagnostics::visible(text).replace('|', "\\|")
}

/// The review dashboard as a Markdown table, most urgent first.
fn dashboard(report: &CheckReport) -> String {
    use crate::config::ReviewRole;
    let mut out =
        String::from("| article | status | clinical | lay | editorial | next due |\n|---|---|---|---|---|---|\n");
    for line in report.review_dashboard() {
        let cell = |role: ReviewRole| match line.reviews.iter().find(|r| r.role == role) {
            Some(r) => {
                let overdue = if r.overdue { ", overdue" } else { "" };
                let part = r.scope.as_deref().map(|s| format!(" (part: {})", cell_text(s))).unwrap_or_default();
                format!("{} {}{part}{overdue}", r.on, r.state)
            }
            None if line.missing.contains(&role) => "none (required)".into(),
            None => "-".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell_text(&line.file),
            line.status,
            cell(ReviewRole::Clinical),
            cell(ReviewRole::Lay),
            cell(ReviewRole::Editorial),
            line.next_due.map_or_else(|| "-".into(), |d| d.to_string())
        ));
    }
    out
}

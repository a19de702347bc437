//! `sourcebook check`: the whole pipeline without writing (pages are
//! rendered into memory, so template errors and missing crisis information
//! are found), then the medical editor's checks.
//!
//! Differences from `build`: `citation-artifact` is an error; the `check:`
//! block of site.yaml may raise, lower or turn off any severity.

mod editorial;
mod external;
pub mod readability;

use std::path::PathBuf;

use jiff::civil::Date;

use crate::build::{self, BuildOptions};
use crate::config::Level;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::output::Memory;
pub use editorial::ArticleReport;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub drafts: bool,
    /// Probe http(s) links too.
    pub external: bool,
    /// The date reviews are measured against.
    pub today: Date,
}

#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Diagnostics,
    pub articles: Vec<ArticleReport>,
}

pub fn check(options: &CheckOptions) -> anyhow::Result<CheckReport> {
    let build_options =
        BuildOptions { root: options.root.clone(), drafts: options.drafts, text: true, ..BuildOptions::default() };
    let mut diags = Diagnostics::new();
    let Some(loaded) = build::load(&build_options, &mut diags)? else {
        return Ok(CheckReport { diagnostics: diags.sorted(), articles: Vec::new() });
    };
    let memory = Memory::default();
    build::render(&loaded, &options.root, &memory, &mut diags)?;
    let files = memory.into_files();
    let rendered = |path: &str| files.get(path).map(|b| String::from_utf8_lossy(b).into_owned());
    let (found, articles) = editorial::run(&loaded.site, options.today, &rendered);
    diags.extend(found);
    if options.external {
        let links: Vec<_> = loaded
            .site
            .home
            .iter()
            .chain(&loaded.site.articles)
            .flat_map(|p| p.body.external.iter().chain(p.faq.iter().flat_map(|f| f.answer.external.iter())))
            .cloned()
            .collect();
        diags.extend(external::check(&links));
    }
    let severities = &loaded.site.config.check.severity;
    let adjusted = diags.into_iter().filter_map(|mut d| {
        if d.code == Code::CitationArtifact {
            d.severity = Severity::Error;
        }
        match severities.get(d.code.as_str()) {
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Diagnostic { severity: Severity::Error, ..d }),
            Some(Level::Warning) => Some(Diagnostic { severity: Severity::Warning, ..d }),
            None => Some(d),
        }
    });
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(adjusted);
    Ok(CheckReport { diagnostics: diagnostics.sorted(), articles })
}

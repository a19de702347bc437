//! sourcebook: a static site generator for evidence-based health education.
//!
//! The pipeline, as [`build::build`] runs it:
//!
//! 1. [`config`]: `site.yaml` → a validated [`config::Config`].
//! 2. [`content`]: walk `content/`, split and check front matter → articles, topics, assets.
//! 3. [`sources`]: the bibliography, checked key by key, formatted once by a CSL engine.
//! 4. [`site`]: render Markdown ([`markdown`]), resolve links, number citations,
//!    gather the FAQ index and who cites what.
//! 5. [`theme`]: Tera templates turn the site into HTML, sitemap and feeds.
//! 6. [`output`]: written to a staging folder and swapped in only on success.
//! 7. [`search`]: (`build` only) the pages' words, counted as they are rendered, become the index behind `/search/`.
//!
//! Problems with the content are [`diagnostics::Diagnostic`]s, collected and
//! reported all at once; program failures are `anyhow` errors.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod init;
pub mod markdown;
pub mod output;
pub mod search;
pub mod serve;
pub mod site;
pub mod sources;
pub mod theme;
mod yaml;

/// Lock `m`, also after a panic on another thread: the data is plain
/// collected results, and the panic itself is what gets reported.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

//! sourcebook: a static site generator for evidence-based health education.
//!
//! The pipeline, as [`build::build`] runs it:
//!
//! 1. `config`: `site.yaml` → a validated `config::Config`.
//! 2. `content`: walk `content/`, split and check front matter → articles, topics, assets.
//! 3. `sources`: the bibliography, checked key by key, formatted once by a CSL engine.
//! 4. `site`: render Markdown (`markdown`), resolve links, number citations,
//!    gather the FAQ index and who cites what.
//! 5. `theme`: Tera templates turn the site into HTML, sitemap and feeds.
//! 6. `output`: written to a staging folder and swapped in only on success.
//! 7. `search`: (`build` only) the pages' words, counted as they are rendered, become the index behind `/search/`.
//!
//! Every file is read through `input` (links kept inside the site, regular
//! files only, size limits, never blocking). Problems with the content,
//! including a file that cannot be read, are [`diagnostics::Diagnostic`]s,
//! collected and reported all at once; program failures are `anyhow` errors.

// The public API: the commands, their options and reports, and the
// diagnostics they return. Everything else is the crate's own
// (`unreachable_pub` is on: an item is `pub` only if it is reachable).
pub mod build;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod init;
pub mod review;
pub mod serve;

mod config;
mod content;
mod html;
mod input;
mod markdown;
mod output;
mod search;
mod site;
mod sources;
mod text;
mod theme;
mod ui;
mod yaml;

/// Lock `m`, also after a panic on another thread: the data is plain
/// collected results, and the panic itself is what gets reported.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A whole site in memory, left over from a run: millions of small
/// allocations (50 ms to free at 10,000 articles). Freed on a thread of its
/// own when this is dropped, so a library caller does not wait; the CLI
/// does not free it at all (`cli::exiting`): the process ends right after
/// printing, and the system takes the memory back at once.
pub struct Leftover(Option<Box<dyn Send>>);

impl Leftover {
    pub(crate) fn new(value: impl Send + 'static) -> Leftover {
        Leftover(Some(Box::new(value)))
    }

    pub(crate) fn none() -> Leftover {
        Leftover(None)
    }
}

impl Drop for Leftover {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            std::thread::spawn(move || drop(value));
        }
    }
}

impl std::fmt::Debug for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Leftover(..)" } else { "Leftover(none)" })
    }
}

/// Wall time per pipeline step.
#[derive(Debug, Default, Clone)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

impl Timings {
    pub fn start(&mut self) -> std::time::Instant {
        std::time::Instant::now()
    }
    pub fn record(&mut self, step: &'static str, since: std::time::Instant) {
        self.0.push((step, since.elapsed()));
    }
}

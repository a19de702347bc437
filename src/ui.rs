//! How a command talks to the user on the terminal: diagnostics drawn
//! rustc-style, progress lines unless `--quiet`, step times with
//! `--verbose`. Used by `cli` and by `serve`, which prints as it rebuilds.

use crate::Timings;
use crate::diagnostics::Diagnostics;

/// How to talk to the user, from the global flags and the environment.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

impl Ui {
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// Print diagnostics to stderr, rustc-style.
    pub fn report(&self, diags: &Diagnostics) {
        if !diags.is_empty() {
            eprint!("{}", diags.render_text(self.color));
        }
    }

    /// [`Ui::report`]; then, with `--verbose`, the time of each step of
    /// `timings` and of drawing the diagnostics.
    pub fn report_timed(&self, diags: &Diagnostics, timings: &Timings) {
        let at = std::time::Instant::now();
        self.report(diags);
        let drawn = ("draw diagnostics", at.elapsed());
        if self.verbose {
            for (step, took) in timings.0.iter().chain([&drawn]) {
                eprintln!("{step:>32}: {:>8.1} ms", took.as_secs_f64() * 1000.0);
            }
        }
    }
}

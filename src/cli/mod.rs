//! Command-line definitions (clap derive). One Args struct and a `run()`
//! per command; no logic beyond calling the library and printing.

mod build;
mod check;
mod init;
mod new;
mod review;
mod serve;
mod source;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::Timings;
use crate::diagnostics::Diagnostics;

/// sourcebook: build evidence-based health sites from Markdown.
#[derive(Debug, Parser)]
#[command(name = "sourcebook", version, about)]
pub struct Cli {
    /// The folder holding site.yaml.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Print only diagnostics.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print what each step did.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/.
    Build(build::Args),
    /// Check the site as a medical editor would: every build validation plus
    /// review dates, reading grade, safe messaging, balance and structure.
    Check(check::Args),
    /// Build in memory, serve on localhost, rebuild and reload on every save.
    Serve(serve::Args),
    /// Start a new site.
    Init(init::Args),
    /// Scaffold a new article (as a draft) with valid front matter.
    New(new::Args),
    /// Record reviews: `review sign <page> --by <person> --role clinical`.
    Review(review::Args),
    /// Add sources by identifier: `source add 10.1056/NEJMoa2302399`.
    Source(source::Args),
}

/// How to talk to the user, from the global flags and the environment.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

impl Ui {
    fn from(cli: &Cli) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui { quiet: cli.quiet, verbose: cli.verbose, color: !no_color && std::io::stderr().is_terminal() }
    }

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

/// The process exits right after a command has printed its report: what the
/// report holds (a whole site, tens of thousands of diagnostics) is left for
/// the system to take back at once, not freed allocation by allocation on
/// the way out (30 to 50 ms at 10,000 articles).
fn exiting<T>(report: T) {
    std::mem::forget(report);
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ui = Ui::from(&cli);
    match cli.command {
        Command::Build(args) => build::run(&cli.root, args, ui),
        Command::Check(args) => check::run(&cli.root, args, ui),
        Command::Init(args) => init::run(&cli.root, args, ui),
        Command::New(args) => new::run(&cli.root, args, ui),
        Command::Serve(args) => serve::run(&cli.root, args, ui),
        Command::Review(args) => review::run(&cli.root, args, ui),
        Command::Source(args) => source::run(&cli.root, args, ui),
    }
}

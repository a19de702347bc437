//! Command-line definitions (clap derive). One Args struct and a `run()`
//! per command; no logic beyond calling the library and printing.

mod build;
mod check;
mod init;
mod new;
mod review;
mod serve;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::Timings;
use crate::diagnostics::{Diagnostics, IoFailure};

/// sourcebook: build evidence-based health sites from Markdown.
#[derive(Debug, Parser)]
#[command(name = "sourcebook", version, about)]
pub struct Cli {
    /// The folder holding site.yaml.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Print only errors, and a count of the warnings left out.
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

    /// Print diagnostics to stderr, rustc-style. With `--quiet`, only the
    /// errors, then one line counting the warnings left out.
    pub fn report(&self, diags: &Diagnostics) {
        if !self.quiet {
            if !diags.is_empty() {
                eprint!("{}", diags.render_text(self.color));
            }
            return;
        }
        eprint!("{}", quiet_text(diags, self.color));
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

/// What `--quiet` prints of `diags`: each error as usual, then one summary
/// line that counts the errors and the warnings not shown.
fn quiet_text(diags: &Diagnostics, color: bool) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.is_error()) {
        out.push_str(&d.render(color));
        out.push_str("\n\n");
    }
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    let hidden = format!("{} not shown (--quiet); run without --quiet to see them", count(warnings, "warning"));
    match (errors, warnings) {
        (0, 0) => {}
        (0, _) => out.push_str(&format!("{hidden}\n")),
        (_, 0) => out.push_str(&format!("{}\n", count(errors, "error"))),
        _ => out.push_str(&format!("{}; {hidden}\n", count(errors, "error"))),
    }
    out
}

/// `n` and `word`, made plural unless `n` is 1, with thousands separated:
/// "1 article", "3,204 warnings".
pub fn count(n: usize, word: &str) -> String {
    let digits = n.to_string();
    let mut number = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            number.push(',');
        }
        number.push(digit);
    }
    match n {
        1 => format!("{number} {word}"),
        _ => format!("{number} {word}s"),
    }
}

/// The process exits right after a command has printed its report: what the
/// report holds (a whole site, tens of thousands of diagnostics) is left for
/// the system to take back at once, not freed allocation by allocation on
/// the way out (30 to 50 ms at 10,000 articles).
fn exiting<T>(report: T) {
    std::mem::forget(report);
}

/// Run a command. A file that could not be read or written outside the
/// site's own ([`IoFailure`]: the output folder, a file a command writes)
/// is reported as an `io-error` diagnostic, as JSON on stdout when the
/// command prints JSON, and exits 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ui = Ui::from(&cli);
    let json = matches!(&cli.command, Command::Check(args) if args.format == check::Format::Json);
    let result = dispatch(cli, ui);
    let failure = result.as_ref().err().and_then(|e| e.chain().find_map(|c| c.downcast_ref::<IoFailure>()));
    let Some(failure) = failure else { return result };
    let mut diags = Diagnostics::new();
    diags.push(failure.diagnostic());
    if json {
        println!("{}", diags.render_json());
    } else {
        ui.report(&diags);
    }
    Ok(ExitCode::from(2))
}

fn dispatch(cli: Cli, ui: Ui) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(&cli.root, args, ui),
        Command::Check(args) => check::run(&cli.root, args, ui),
        Command::Init(args) => init::run(&cli.root, args, ui),
        Command::New(args) => new::run(&cli.root, args, ui),
        Command::Serve(args) => serve::run(&cli.root, args, ui),
        Command::Review(args) => review::run(&cli.root, args, ui),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_plural_but_for_one_and_grouped_by_thousands() {
        assert_eq!(count(0, "article"), "0 articles");
        assert_eq!(count(1, "article"), "1 article");
        assert_eq!(count(2, "warning"), "2 warnings");
        assert_eq!(count(999, "page"), "999 pages");
        assert_eq!(count(1000, "page"), "1,000 pages");
        assert_eq!(count(3204, "warning"), "3,204 warnings");
        assert_eq!(count(1_234_567, "word"), "1,234,567 words");
    }
}

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

use crate::diagnostics::{Diagnostics, IoFailure};
pub use crate::ui::{Ui, count};

/// sourcebook: build evidence-based health sites from Markdown.
#[derive(Debug, Parser)]
#[command(name = "sourcebook", version, about)]
pub struct Cli {
    /// The folder holding site.yaml (default: the nearest folder holding
    /// one, from this folder up; `init`: this folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
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
    /// Add sources by identifier: `source add 10.1056/NEJMoa2302399`.
    Source(source::Args),
}

/// [`Ui`] from the global flags and the environment (`NO_COLOR`, whether
/// stderr is a terminal).
fn ui(cli: &Cli) -> Ui {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Ui { quiet: cli.quiet, verbose: cli.verbose, color: !no_color && std::io::stderr().is_terminal() }
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
    let ui = ui(&cli);
    let json = matches!(&cli.command, Command::Check(args) if args.format == check::Format::Json);
    let result = dispatch(cli, ui);
    let failure = result.as_ref().err().and_then(|e| e.chain().find_map(|c| c.downcast_ref::<IoFailure>()));
    let Some(failure) = failure else { return result };
    let mut diags = Diagnostics::new();
    diags.push(failure.diagnostic());
    if json {
        crate::ui::println(diags.render_json());
    } else {
        ui.report(&diags);
    }
    Ok(ExitCode::from(2))
}

fn dispatch(cli: Cli, ui: Ui) -> anyhow::Result<ExitCode> {
    let given = cli.root.is_some();
    let root = match (cli.root, &cli.command) {
        (Some(root), _) => root,
        (None, Command::Init(_)) => PathBuf::from("."),
        (None, _) => find_root(),
    };
    if !matches!(cli.command, Command::Init(_))
        && let Some(message) = no_site(&root, given)
    {
        crate::ui::eprintln(format_args!("error: {message}\n  = help: {}", crate::config::NO_SITE_HELP));
        return Ok(ExitCode::from(2));
    }
    match cli.command {
        Command::Build(args) => build::run(&root, args, ui),
        Command::Check(args) => check::run(&root, args, ui),
        Command::Init(args) => init::run(&root, args, ui),
        Command::New(args) => new::run(&root, args, ui),
        Command::Serve(args) => serve::run(&root, args, ui),
        Command::Review(args) => review::run(&root, args, ui),
        Command::Source(args) => source::run(&root, args, ui),
    }
}

/// The site a command run without `--root` works on: the nearest folder
/// holding site.yaml, from the working folder up (as git, cargo and Zola
/// find theirs), written relative to the working folder (`.`, `..`,
/// `../..`) so that every path a command prints still opens from where
/// the user is. `.` when none does: loading it then says so.
fn find_root() -> PathBuf {
    let Ok(here) = std::env::current_dir() else { return PathBuf::from(".") };
    match here.ancestors().position(|folder| folder.join(crate::config::FILE).is_file()) {
        None | Some(0) => PathBuf::from("."),
        Some(up) => std::iter::repeat_n("..", up).collect(),
    }
}

/// Why there is no site at `root` for a command to work on, if there is
/// none: a usage error (exit 2), as a mistyped path is. (`site.yaml`
/// there but unreadable, a FIFO or a folder, is the site's problem, which
/// loading it reports.)
fn no_site(root: &std::path::Path, given: bool) -> Option<String> {
    if given && !root.is_dir() {
        return Some(format!("--root {}: no such folder", root.display()));
    }
    let shown = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    match std::fs::symlink_metadata(root.join(crate::config::FILE)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(match given {
            true => format!("no site.yaml in {}", shown.display()),
            false => format!("no site.yaml in {} or any folder above it", shown.display()),
        }),
        _ => None,
    }
}

/// `command` as the user would type it to run it on the site at `root`:
/// with `--root` unless the site is the working folder.
fn command_in(root: &std::path::Path, command: &str) -> String {
    if root == std::path::Path::new(".") || root.as_os_str().is_empty() {
        return format!("sourcebook {command}");
    }
    format!("sourcebook {command} --root {}", shell_word(&root.display().to_string()))
}

/// `text` as one word a POSIX shell reads back unchanged: quoted when it
/// holds anything but letters, digits and `/._-`.
fn shell_word(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(all(test, unix))]
mod tests {
    /// The shell reads each suggested folder back as the folder.
    #[test]
    fn a_suggested_folder_is_one_shell_word() {
        for text in ["/tmp/my-site", "my site", "it's", "$HOME/a;b", "x\"y`z`", "-n", "~/site"] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s' {}", super::shell_word(text)))
                .output()
                .expect("sh runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), text, "{}", super::shell_word(text));
        }
        assert_eq!(super::shell_word("/tmp/my-site"), "/tmp/my-site", "a plain path is left as it is");
    }
}

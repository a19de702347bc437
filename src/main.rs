//! The `sourcebook` binary: parse the command line, run, map the result to
//! an exit code. The only place that exits.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sourcebook::cli::Cli::parse();
    match sourcebook::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

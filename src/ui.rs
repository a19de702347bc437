//! How a command talks to the user on the terminal: diagnostics drawn
//! rustc-style, progress lines unless `--quiet`, step times with
//! `--verbose`. Used by `cli` and by `serve`, which prints as it rebuilds.

use std::fmt::Display;
use std::io::Write as _;

use crate::Timings;
use crate::diagnostics::Diagnostics;

/// `eprint!`, except that a stderr closed early (`build 2>&1 | head`, a
/// reader gone) is not a panic: there is no one left to tell, and the
/// command's exit code still says how it went. Every command prints through
/// these four, never the macros, which panic on a broken pipe.
pub(crate) fn eprint(text: impl Display) {
    let _ = write!(std::io::stderr().lock(), "{text}");
}

/// [`eprint`] and a newline.
pub(crate) fn eprintln(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// `print!`, with a closed stdout as [`eprint`] takes a closed stderr.
pub(crate) fn print(text: impl Display) {
    let _ = write!(std::io::stdout().lock(), "{text}");
}

/// [`print`] and a newline.
pub(crate) fn println(text: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// How to talk to the user, from the global flags and the environment.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

impl Ui {
    /// A progress line. Its control characters (but line breaks) are
    /// shown as escapes: it may quote what a site's files say (a name in
    /// people.yaml), which must not drive the terminal.
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln(crate::diagnostics::visible_lines(message));
        }
    }

    /// Print diagnostics to stderr, rustc-style. With `--quiet`, only the
    /// errors, then one line counting the warnings left out.
    pub fn report(&self, diags: &Diagnostics) {
        if !self.quiet {
            if !diags.is_empty() {
                let mut err = std::io::BufWriter::new(std::io::stderr().lock());
                // a closed stderr is no reason to fail (see `eprint`)
                let _ = diags.write_text(self.color, &mut err);
            }
            return;
        }
        eprint(quiet_text(diags, self.color));
    }

    /// [`Ui::report`]; then, with `--verbose`, the time of each step of
    /// `timings` and of drawing the diagnostics.
    pub fn report_timed(&self, diags: &Diagnostics, timings: &Timings) {
        let at = std::time::Instant::now();
        self.report(diags);
        let drawn = ("draw diagnostics", at.elapsed());
        if self.verbose {
            for (step, took) in timings.0.iter().chain([&drawn]) {
                eprintln(format_args!("{step:>32}: {:>8.1} ms", took.as_secs_f64() * 1000.0));
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

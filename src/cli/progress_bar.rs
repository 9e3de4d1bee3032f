//! The one way rota's commands draw a progress bar (`apply`, `verify`,
//! `restore`): bytes in decimal units, like every size rota prints, with the
//! same bar characters. Each command words its own line; this module only
//! sets the bar up. It never decides whether a bar is shown: the callers do
//! (a terminal on stderr, a copy worth one).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `length` bytes, drawn by `template` (indicatif's template
/// language: `{bar:40}`, `{decimal_bytes}`, `{eta}`, `{msg}`, ...).
pub fn bytes_bar(length: u64, template: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::new(length);
    bar.set_style(style);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_counts_the_bytes_it_was_given() {
        let bar = bytes_bar(10, "[{bar:40}] {decimal_bytes}/{decimal_total_bytes}");
        bar.inc(4);
        assert_eq!((bar.position(), bar.length()), (4, Some(10)));
        // A template indicatif rejects still gives a bar (its default one).
        assert_eq!(bytes_bar(7, "{unclosed").length(), Some(7));
    }
}

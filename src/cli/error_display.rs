//! Rendering errors and diagnostics for people: the one place that decides how a
//! problem looks on the terminal (miette's graphical report, coloured only on a
//! terminal and never with `--no-color` or `NO_COLOR`).

use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// How output is styled: colour on a terminal unless switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour only when `stream_is_terminal`, `--no-color` is absent and the
    /// NO_COLOR convention (https://no-color.org) is not in force.
    pub fn detect(no_color_flag: bool, stream_is_terminal: bool) -> Style {
        let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: stream_is_terminal && !no_color_flag && !env_says_no,
        }
    }

    pub fn for_stderr(no_color_flag: bool) -> Style {
        Style::detect(no_color_flag, std::io::stderr().is_terminal())
    }

    pub fn for_stdout(no_color_flag: bool) -> Style {
        Style::detect(no_color_flag, std::io::stdout().is_terminal())
    }

    pub fn plain() -> Style {
        Style { color: false }
    }
}

/// Renders one diagnostic as text (with file, line, column and underline).
pub fn render_diagnostic(diagnostic: &dyn Diagnostic, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("error: {diagnostic}\n");
    }
    out
}

//! The media report as one self-contained HTML page (tera template
//! `templates/report.html`, embedded), made to print on Letter and A4. Cells
//! wrap at spaces only; a path may also wrap after a `/` (the
//! `path_breaks` filter), never inside a word. Pure.

use super::MediaReport;

const TEMPLATE: &str = include_str!("../../templates/report.html");

pub fn render(report: &MediaReport) -> Result<String, String> {
    let context = tera::Context::from_serialize(report).map_err(|e| e.to_string())?;
    let mut tera = tera::Tera::new();
    tera.register_filter("path_breaks", path_breaks);
    tera.add_raw_template("report.html", TEMPLATE)
        .map_err(|e| e.to_string())?;
    tera.render("report.html", &context)
        .map_err(|e| format!("cannot render the media report: {e}"))
}

/// Tera filter: the text HTML-escaped, with a line-break opportunity
/// (`<wbr>`) after each `/`, for long paths in narrow cells. Use with `safe`.
fn path_breaks(text: &str, _: tera::Kwargs, _: &tera::State) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '/' => out.push_str("/<wbr>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_may_break_after_a_slash_and_stay_escaped() {
        let context = tera::Context::new();
        let state = tera::State::new(&context);
        let out = super::path_breaks(
            "/Users/Shared/R&D <x>/a.zip",
            tera::Kwargs::default(),
            &state,
        );
        assert_eq!(
            out,
            "/<wbr>Users/<wbr>Shared/<wbr>R&amp;D &lt;x&gt;/<wbr>a.zip"
        );
    }
}

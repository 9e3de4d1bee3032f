//! The sheet templates: embedded in the binary from `templates/`, each of which
//! an office may replace with its own file of the same name (the CLI reads the
//! `--templates` folder and passes the texts in; nothing here touches a file).
//!
//! Tera 2 treats an undefined variable as an error, so a typo in a custom
//! template fails loudly with the template's name instead of printing a sheet
//! with a blank where the disk label should be.

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, TeraResult};

/// Every template name rota knows, with its embedded text. The style sheet and
/// the fit-to-page script come first: the HTML templates include them, and
/// tera checks includes as each template is added.
pub const EMBEDDED: [(&str, &str); 8] = [
    ("sheet.css", include_str!("../../../templates/sheet.css")),
    ("sheet.js", include_str!("../../../templates/sheet.js")),
    ("week.html", include_str!("../../../templates/week.html")),
    ("week.txt", include_str!("../../../templates/week.txt")),
    ("week.md", include_str!("../../../templates/week.md")),
    ("year.html", include_str!("../../../templates/year.html")),
    ("year.txt", include_str!("../../../templates/year.txt")),
    ("year.md", include_str!("../../../templates/year.md")),
];

/// The names an office can override, for messages.
pub fn names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(name, _)| *name).collect()
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Text,
    Markdown,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Text => "txt",
            Format::Markdown => "md",
        }
    }

    /// The weekly template's name: "week.html".
    pub fn week_template(self) -> String {
        format!("week.{}", self.extension())
    }

    /// The year template's name: "year.html".
    pub fn year_template(self) -> String {
        format!("year.{}", self.extension())
    }
}

/// Why a sheet could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template {name} has an error:\n{message}")]
    Invalid { name: String, message: String },
    #[error("the template {name} could not be rendered:\n{message}")]
    Render { name: String, message: String },
}

/// A set of templates ready to render.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The embedded templates, with `overrides` (name, text) in place of the
    /// embedded ones of the same name.
    pub fn new(overrides: &[(String, String)]) -> Result<Templates, TemplateError> {
        let mut tera = Tera::new();
        tera.register_filter("md", markdown_cell);
        tera.register_filter("wrap", wrap);
        for (name, embedded) in EMBEDDED {
            let text = overrides
                .iter()
                .find(|(overridden, _)| overridden == name)
                .map_or(embedded, |(_, text)| text.as_str());
            tera.add_raw_template(name, text)
                .map_err(|error| TemplateError::Invalid {
                    name: name.to_string(),
                    message: error.to_string(),
                })?;
        }
        Ok(Templates { tera })
    }

    /// The embedded templates only.
    pub fn embedded() -> Templates {
        Templates::new(&[]).expect("the embedded templates are valid")
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, TemplateError> {
        let context = Context::from_serialize(context).map_err(|error| TemplateError::Render {
            name: name.to_string(),
            message: error.to_string(),
        })?;
        self.tera
            .render(name, &context)
            .map_err(|error| TemplateError::Render {
                name: name.to_string(),
                message: error.to_string(),
            })
    }
}

/// `{{ text | md }}`: text safe inside a Markdown table cell (pipes escaped,
/// line breaks as spaces).
fn markdown_cell(text: &str, _: Kwargs, _: &State) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// `{{ text | wrap(width=76) }}`: text broken into lines of at most `width`
/// characters at spaces (a longer word gets a line of its own). Combine with
/// tera's `indent` to indent the lines after the first.
fn wrap(text: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let width = kwargs.get::<usize>("width")?.unwrap_or(76).clamp(8, 1000);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_filters_wrap_and_escape() {
        let mut tera = Tera::new();
        tera.register_filter("md", markdown_cell);
        tera.register_filter("wrap", wrap);
        tera.add_raw_template(
            "t.txt",
            "{{ long | wrap(width=12) | indent(width=2) }}|{{ cell | md }}",
        )
        .unwrap();
        let mut context = Context::new();
        context.insert("long", "take MON off the server: extraordinarily");
        context.insert("cell", "a|b\nc");
        assert_eq!(
            tera.render("t.txt", &context).unwrap(),
            "take MON off\n  the server:\n  extraordinarily|a\\|b c"
        );
    }
}

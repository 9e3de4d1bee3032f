//! The contingency plan as one self-contained, black-and-white HTML page
//! (tera template `templates/contingency.html`, embedded) that prints on
//! Letter or A4 in a few pages, each section a `data-section` block. Pure.

use super::ContingencyPlan;

const TEMPLATE: &str = include_str!("../../templates/contingency.html");

/// The paper the page is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Letter,
    A4,
}

impl Paper {
    /// CSS `@page` size.
    fn css(self) -> &'static str {
        match self {
            Paper::Letter => "letter",
            Paper::A4 => "A4",
        }
    }
}

pub fn render(plan: &ContingencyPlan, paper: Paper) -> Result<String, String> {
    let mut context = tera::Context::from_serialize(plan).map_err(|e| e.to_string())?;
    context.insert("page_size", paper.css());
    let mut tera = tera::Tera::new();
    tera.add_raw_template("contingency.html", TEMPLATE)
        .map_err(|e| e.to_string())?;
    tera.render("contingency.html", &context)
        .map_err(|e| format!("cannot render the contingency plan: {e}"))
}

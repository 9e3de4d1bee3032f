//! The media report as one self-contained HTML page (tera template
//! `templates/report.html`, embedded), made to print on one or a few pages.
//! Pure.

use super::MediaReport;

const TEMPLATE: &str = include_str!("../../templates/report.html");

pub fn render(report: &MediaReport) -> Result<String, String> {
    let context = tera::Context::from_serialize(report).map_err(|e| e.to_string())?;
    let mut tera = tera::Tera::new();
    tera.add_raw_template("report.html", TEMPLATE)
        .map_err(|e| e.to_string())?;
    tera.render("report.html", &context)
        .map_err(|e| format!("cannot render the media report: {e}"))
}

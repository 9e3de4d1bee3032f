//! `--templates DIR`: the office's own templates. Reads the files named like
//! rota's templates (week.html, sheet.css, ...) and hands their texts to the
//! pure renderer; other files are reported and left alone.

use std::path::Path;

use crate::cli::CliError;
use crate::render::sheet::templates;

/// (name, text) of every template found in `dir`.
pub fn read_overrides(dir: &Path) -> Result<Vec<(String, String)>, CliError> {
    let known = templates::names();
    let entries = std::fs::read_dir(dir).map_err(|error| {
        CliError::io(
            format!("cannot read the templates folder {}", dir.display()),
            &error,
        )
    })?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !known.contains(&name.as_str()) {
            eprintln!(
                "note: {} is not one of rota's template names ({}); it is not used",
                entry.path().display(),
                known.join(", ")
            );
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|error| {
            CliError::io(
                format!("cannot read the template {}", entry.path().display()),
                &error,
            )
        })?;
        found.push((name, text));
    }
    if found.is_empty() {
        return Err(CliError::failed_with_help(
            format!("{} holds none of rota's templates", dir.display()),
            format!(
                "put files with these names in it (any you leave out stay rota's own): {}",
                known.join(", ")
            ),
        ));
    }
    found.sort();
    Ok(found)
}

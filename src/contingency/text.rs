//! The contingency plan as plain text (`--format text`): headings
//! underlined, paragraphs wrapped, facts as an aligned list, tables in
//! aligned columns, numbered steps with their commands indented beneath,
//! blanks as lines to fill in with the policy key that would fill them.
//! Pure.

use std::fmt::Write as _;

use super::document::{Block, ContingencyPlan, Fact, Section, Step, Value};

/// Paragraphs wrap at this width.
const WIDTH: usize = 88;
/// A blank to fill in.
const LINE: &str = "______________________________";

pub fn render(plan: &ContingencyPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", plan.office);
    let _ = writeln!(out, "BACKUP CONTINGENCY PLAN");
    let _ = writeln!(
        out,
        "Made {} by rota {} from {}.",
        plan.made, plan.rota_version, plan.policy_file
    );
    if let Some(current) = plan.revisions.last() {
        let _ = writeln!(
            out,
            "Revision {} of {} (content {}).",
            current.number, current.date, current.hash
        );
    }
    out.push('\n');
    heading(&mut out, "WHAT THIS PLAN COVERS", '=');
    for paragraph in &plan.scope {
        wrap_into(&mut out, paragraph, "", "");
        out.push('\n');
    }
    for section in &plan.sections {
        render_section(&mut out, section);
        if section.id == "testing" {
            revisions(&mut out, plan);
        }
    }
    heading(&mut out, "SIGN-OFF", '=');
    signature(&mut out, &plan.signoff);
    out
}

fn heading(out: &mut String, text: &str, underline: char) {
    separate(out);
    let _ = writeln!(out, "{text}");
    let _ = writeln!(
        out,
        "{}",
        underline.to_string().repeat(text.chars().count())
    );
}

fn render_section(out: &mut String, section: &Section) {
    separate(out);
    out.push('\n');
    heading(
        out,
        &format!(
            "{}. {} ({})",
            section.number,
            section.title.to_uppercase(),
            section.cites
        ),
        '=',
    );
    for block in &section.blocks {
        render_block(out, block);
    }
}

fn render_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading { text } => heading(out, text, '-'),
        Block::Paragraph { text } => {
            wrap_into(out, text, "", "");
            out.push('\n');
        }
        Block::Facts { facts: list } => {
            facts(out, list);
            out.push('\n');
        }
        Block::Table {
            headers,
            rows,
            empty,
        } => {
            if rows.is_empty() {
                wrap_into(out, empty, "", "");
            } else {
                table(out, headers, rows);
            }
            out.push('\n');
        }
        Block::Steps { steps } => {
            for (i, step) in steps.iter().enumerate() {
                render_step(out, i + 1, step);
            }
            out.push('\n');
        }
        Block::List { items } => {
            for item in items {
                wrap_into(out, item, "  - ", "    ");
            }
            out.push('\n');
        }
        Block::Signature { labels } => {
            signature(out, labels);
            out.push('\n');
        }
    }
}

fn render_step(out: &mut String, number: usize, step: &Step) {
    let first = format!("{number:>3}. ");
    wrap_into(out, &step.text, &first, "     ");
    for command in &step.commands {
        let _ = writeln!(out, "         {command}");
    }
}

/// A value as text: blanks are lines, with the key that fills them.
pub fn value(value: &Value) -> String {
    match value {
        Value::Text { text } => text.clone(),
        Value::Blank { key: Some(key) } => format!("{LINE} (fill in; policy key {key})"),
        Value::Blank { key: None } => LINE.to_string(),
    }
}

fn signature(out: &mut String, labels: &[String]) {
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for label in labels {
        let _ = writeln!(out, "  {label:<width$}  {LINE}");
    }
}

fn facts(out: &mut String, list: &[Fact]) {
    let width = list
        .iter()
        .map(|fact| fact.label.chars().count())
        .max()
        .unwrap_or(0);
    for fact in list {
        let label = format!("  {:<width$}  ", fact.label);
        let indent = " ".repeat(label.chars().count());
        wrap_into(out, &value(&fact.value), &label, &indent);
    }
}

fn table(out: &mut String, headers: &[String], rows: &[Vec<Value>]) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(cell).collect())
        .collect();
    let natural: Vec<usize> = (0..headers.len())
        .map(|column| {
            cells
                .iter()
                .filter_map(|row| row.get(column))
                .chain(std::iter::once(&headers[column]))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    // A column is never narrower than its longest word (up to a limit):
    // a backup's name cut in two is harder to read than a long line.
    let longest_word: Vec<usize> = (0..headers.len())
        .map(|column| {
            cells
                .iter()
                .filter_map(|row| row.get(column))
                .chain(std::iter::once(&headers[column]))
                .flat_map(|cell| cell.split_whitespace())
                .map(|word| word.chars().count().min(40))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = fit(
        &natural,
        &longest_word,
        WIDTH - 2 - 2 * headers.len().saturating_sub(1),
    );
    let print_row = |out: &mut String, row: &[String]| {
        let wrapped: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|(text, width)| wrap_cell(text, *width))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let padded: Vec<String> = wrapped
                .iter()
                .zip(&widths)
                .map(|(lines, width)| {
                    format!(
                        "{:<width$}",
                        lines.get(line).map(String::as_str).unwrap_or("")
                    )
                })
                .collect();
            let _ = writeln!(out, "{}", format!("  {}", padded.join("  ")).trim_end());
        }
    };
    print_row(out, headers);
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    print_row(out, &rule);
    for row in &cells {
        print_row(out, row);
    }
    let blanks: Vec<&str> = rows
        .iter()
        .flatten()
        .filter_map(|value| match value {
            Value::Blank { key: Some(key) } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    if !blanks.is_empty() {
        wrap_into(
            out,
            &format!("(Blanks to fill in; policy keys: {}.)", blanks.join(", ")),
            "  ",
            "   ",
        );
    }
}

/// A table cell: a blank is a short line (its key is named under the table).
fn cell(value: &Value) -> String {
    match value {
        Value::Text { text } => text.clone(),
        Value::Blank { .. } => String::from("____________"),
    }
}

/// Column widths that fit `budget`: columns narrower than a fair share
/// keep their width, the wider ones share what is left (never below their
/// `floor`, so the line may come out longer than the budget).
fn fit(natural: &[usize], floor: &[usize], budget: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= budget {
        return natural.to_vec();
    }
    let mut widths = vec![0; natural.len()];
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&column| natural[column]);
    let mut left = budget;
    for (placed, &column) in order.iter().enumerate() {
        let fair = left / (natural.len() - placed);
        let width = natural[column].min(fair).max(floor[column]);
        widths[column] = width;
        left = left.saturating_sub(width);
    }
    widths
}

/// `text` in lines of at most `width` characters (a longer word is cut).
fn wrap_cell(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn revisions(out: &mut String, plan: &ContingencyPlan) {
    if plan.revisions.is_empty() {
        wrap_into(
            out,
            "This version is not saved yet: rota contingency saves it in state_dir.",
            "",
            "",
        );
        out.push('\n');
        return;
    }
    let (headers, rows) = plan.revision_table();
    table(out, &headers, &rows);
    out.push('\n');
}

/// Ends `out` with exactly one empty line (none at the very start).
fn separate(out: &mut String) {
    if out.is_empty() {
        return;
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
}

/// Appends `text` wrapped at [`WIDTH`]: the first line after `first`, the
/// others after `rest`.
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= WIDTH;
        if !empty && !fits {
            let _ = writeln!(out, "{}", line.trim_end());
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

//! The contingency plan as Markdown (`--format markdown`), for an office
//! that keeps its documents in a wiki or a shared folder: the same blocks as
//! the text form, as headings, bullet lists, pipe tables, numbered steps and
//! fenced commands. Blanks are underscores with the policy key. Pure.

use std::fmt::Write as _;

use super::document::{Block, ContingencyPlan, Fact, Section, Value};

pub fn render(plan: &ContingencyPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: backup contingency plan\n", escape(&plan.office));
    let _ = write!(
        out,
        "Made {} by rota {} from `{}`.",
        plan.made, plan.rota_version, plan.policy_file
    );
    if let Some(current) = plan.revisions.last() {
        let _ = write!(
            out,
            " Revision {} of {} (content `{}`).",
            current.number, current.date, current.hash
        );
    }
    out.push_str("\n\n## What this plan covers\n\n");
    for paragraph in &plan.scope {
        let _ = writeln!(out, "{}\n", escape(paragraph));
    }
    for section in &plan.sections {
        render_section(&mut out, section);
        if section.id == "testing" {
            revisions(&mut out, plan);
        }
    }
    out.push_str("## Sign-off\n\n");
    signature(&mut out, &plan.signoff);
    out
}

fn render_section(out: &mut String, section: &Section) {
    let _ = writeln!(
        out,
        "## {}. {}\n\n*{}*\n",
        section.number, section.title, section.cites
    );
    for block in &section.blocks {
        match block {
            Block::Heading { text } => {
                let _ = writeln!(out, "### {}\n", escape(text));
            }
            Block::Paragraph { text } => {
                let _ = writeln!(out, "{}\n", escape(text));
            }
            Block::Facts { facts: list } => facts(out, list),
            Block::Table {
                headers,
                rows,
                empty,
            } => {
                if rows.is_empty() {
                    let _ = writeln!(out, "{}\n", escape(empty));
                } else {
                    table(out, headers, rows);
                }
            }
            Block::Steps { steps } => {
                for (i, step) in steps.iter().enumerate() {
                    let _ = writeln!(out, "{}. {}", i + 1, escape(&step.text));
                    if !step.commands.is_empty() {
                        out.push_str("\n   ```sh\n");
                        for command in &step.commands {
                            let _ = writeln!(out, "   {command}");
                        }
                        out.push_str("   ```\n");
                    }
                }
                out.push('\n');
            }
            Block::List { items } => {
                for item in items {
                    let _ = writeln!(out, "- {}", escape(item));
                }
                out.push('\n');
            }
            Block::Signature { labels } => signature(out, labels),
        }
    }
}

fn value(value: &Value) -> String {
    match value {
        Value::Text { text } => escape(text),
        Value::Blank { key: Some(key) } => {
            format!("\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ *(fill in: `{key}`)*")
        }
        Value::Blank { key: None } => {
            String::from("\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_")
        }
    }
}

fn signature(out: &mut String, labels: &[String]) {
    for label in labels {
        let _ = writeln!(out, "- **{}:** {}", escape(label), value(&Value::by_hand()));
    }
    out.push('\n');
}

fn facts(out: &mut String, list: &[Fact]) {
    for fact in list {
        let _ = writeln!(out, "- **{}:** {}", escape(&fact.label), value(&fact.value));
    }
    out.push('\n');
}

fn table(out: &mut String, headers: &[String], rows: &[Vec<Value>]) {
    let cell = |text: String| text.replace('|', "\\|");
    let header: Vec<String> = headers.iter().map(|h| cell(escape(h))).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(headers.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| cell(value(v))).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn revisions(out: &mut String, plan: &ContingencyPlan) {
    if plan.revisions.is_empty() {
        out.push_str("This version is not saved yet: rota contingency saves it in state_dir.\n\n");
        return;
    }
    let (headers, rows) = plan.revision_table();
    table(out, &headers, &rows);
}

/// Text with Markdown's own characters made literal (`*`, `_`, `` ` ``, `<`).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '_' | '`' | '<' | '[' | ']' | '#' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

//! The contingency plan as data: a header, the honest statement of what it
//! covers, six numbered sections made of a few kinds of blocks (headings,
//! paragraphs, label/value facts, tables, numbered steps with commands,
//! lists), the list of its saved revisions and a sign-off block. The text,
//! Markdown and HTML renderers all walk this one value, so the three forms
//! never say different things.
//!
//! A value the office has not given yet is a [`Value::Blank`], printed as a
//! line to fill in and named by its policy key. The plan's identity is the
//! hash of what it says ([`ContingencyPlan::content_hash`]): when it was made
//! and its revision list are left out, so making it again unchanged gives the
//! same hash. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

/// A value in the plan: text, or a blank to fill in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Value {
    Text {
        text: String,
    },
    /// Nothing given: a line to fill in. `key` is the policy key that would
    /// fill it (none for signatures and dates, which are written by hand).
    Blank {
        key: Option<String>,
    },
}

impl Value {
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text { text: text.into() }
    }

    /// A blank the policy key `key` fills.
    pub fn blank(key: impl Into<String>) -> Value {
        Value::Blank {
            key: Some(key.into()),
        }
    }

    /// A blank for a signature or a date.
    pub fn by_hand() -> Value {
        Value::Blank { key: None }
    }

    /// The text, or the blank filled by `key` when there is none.
    pub fn or_blank(text: Option<impl Into<String>>, key: &str) -> Value {
        match text {
            Some(text) => Value::text(text),
            None => Value::blank(key),
        }
    }
}

/// A label and its value ("Recovery time objective: 8 hours").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: Value,
}

/// One numbered step: what to do, and the exact commands to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub text: String,
    pub commands: Vec<String>,
}

impl Step {
    pub fn new(text: impl Into<String>) -> Step {
        Step {
            text: text.into(),
            commands: Vec::new(),
        }
    }

    pub fn command(mut self, command: impl Into<String>) -> Step {
        self.commands.push(command.into());
        self
    }
}

/// A part of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    Facts {
        facts: Vec<Fact>,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<Value>>,
        /// Said instead of the table when it has no rows.
        empty: String,
    },
    Steps {
        steps: Vec<Step>,
    },
    List {
        items: Vec<String>,
    },
    /// Lines to sign and date by hand.
    Signature {
        labels: Vec<String>,
    },
}

impl Block {
    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading { text: text.into() }
    }

    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::Paragraph { text: text.into() }
    }

    pub fn facts(facts: impl IntoIterator<Item = (&'static str, Value)>) -> Block {
        Block::Facts {
            facts: facts
                .into_iter()
                .map(|(label, value)| Fact {
                    label: label.to_string(),
                    value,
                })
                .collect(),
        }
    }

    pub fn table(headers: &[&str], rows: Vec<Vec<Value>>, empty: impl Into<String>) -> Block {
        Block::Table {
            headers: headers.iter().map(ToString::to_string).collect(),
            rows,
            empty: empty.into(),
        }
    }

    pub fn signature(labels: &[&str]) -> Block {
        Block::Signature {
            labels: labels.iter().map(ToString::to_string).collect(),
        }
    }

    pub fn list(items: impl IntoIterator<Item = String>) -> Block {
        Block::List {
            items: items.into_iter().collect(),
        }
    }

    /// Every value the block holds.
    fn values(&self) -> Vec<&Value> {
        match self {
            Block::Facts { facts } => facts.iter().map(|fact| &fact.value).collect(),
            Block::Table { rows, .. } => rows.iter().flatten().collect(),
            _ => Vec::new(),
        }
    }
}

/// One of the six sections, with its `data-section` id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `backup-plan`, `disaster-recovery`, `emergency-mode`, `testing`,
    /// `criticality`, `media-controls`.
    pub id: &'static str,
    pub number: usize,
    pub title: &'static str,
    /// The regulation it answers, e.g. "45 CFR 164.308(a)(7)(ii)(A)".
    pub cites: &'static str,
    pub blocks: Vec<Block>,
}

/// One saved version of the plan, as the revision list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub number: usize,
    pub date: String,
    /// The first 12 hex digits of its content hash.
    pub hash: String,
    /// The saved file's name in `state_dir/contingency/`.
    pub file: String,
    /// What changed since the revision before, in words.
    pub changes: String,
}

impl ContingencyPlan {
    /// The revision list as a table (headers, rows) for the text and
    /// Markdown renderings: a first row counts the earlier revisions left
    /// out, then the latest ones.
    pub fn revision_table(&self) -> ([String; 4], Vec<Vec<Value>>) {
        let headers = ["Revision", "Saved", "Content", "What changed"].map(String::from);
        let earlier = self.earlier_revisions;
        let earlier = (earlier > 0).then(|| {
            vec![
                Value::text("..."),
                Value::text(format!("and {earlier} earlier")),
                Value::text(""),
                Value::text("rota contingency --history lists them all"),
            ]
        });
        let rows = earlier
            .into_iter()
            .chain(self.revisions.iter().map(|revision| {
                vec![
                    Value::text(revision.number.to_string()),
                    Value::text(&revision.date),
                    Value::text(&revision.hash),
                    Value::text(&revision.changes),
                ]
            }))
            .collect();
        (headers, rows)
    }
}

/// The whole plan, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContingencyPlan {
    pub office: String,
    /// When it was made, in office time (left out of the content hash).
    pub made: String,
    /// The policy file it was made from, as the commands name it.
    pub policy_file: String,
    pub rota_version: String,
    /// What the plan covers and what it does not.
    pub scope: Vec<String>,
    pub sections: Vec<Section>,
    /// Its saved revisions, oldest first (filled in by the command that
    /// saves them; left out of the content hash).
    pub revisions: Vec<Revision>,
    /// Saved revisions older than those listed (counted, not listed).
    pub earlier_revisions: usize,
    /// The sign-off lines, written by hand.
    pub signoff: Vec<String>,
}

impl ContingencyPlan {
    /// The hash of what the plan says: the office, its scope and sections
    /// (not when it was made, by which rota, or its revision list).
    pub fn content_hash(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.office.as_bytes());
        hasher.update(b"\0");
        for line in &self.scope {
            hasher.update(line.as_bytes());
            hasher.update(b"\0");
        }
        for (id, hash) in self.section_hashes() {
            hasher.update(id.as_bytes());
            hasher.update(hash.as_bytes());
        }
        hasher.finalize().to_hex().to_string()
    }

    /// Each section's own hash, by id: which parts changed between versions.
    pub fn section_hashes(&self) -> BTreeMap<String, String> {
        self.sections
            .iter()
            .map(|section| {
                let json = serde_json::to_vec(section).expect("a section serializes");
                (
                    section.id.to_string(),
                    blake3::hash(&json).to_hex().to_string(),
                )
            })
            .collect()
    }

    /// The policy keys whose values print as blanks, each once, in order.
    pub fn blank_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let values = self
            .sections
            .iter()
            .flat_map(|section| &section.blocks)
            .flat_map(Block::values);
        for value in values {
            if let Value::Blank { key: Some(key) } = value
                && !keys.contains(key)
            {
                keys.push(key.clone());
            }
        }
        keys
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|section| section.id == id)
    }
}

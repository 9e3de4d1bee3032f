//! Policy problems as data, and their miette form.
//!
//! The validator records [`Problem`]s against key paths; [`Problem::locate`] turns
//! each into a [`PolicyDiagnostic`] that carries the file, the underlined span, a
//! stable kebab-case code (`policy::unknown-key`), a label and a one-line help.
//! Wording lives with the code that finds the problem; rendering lives in miette.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

use super::code::PolicyCode;
use super::source_map::{ByteSpan, KeyPath, SourceMap};

/// Which part of a `key: value` entry to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Key,
    Value,
    /// An explicit byte range (syntax errors, parts of a value).
    Span(ByteSpan),
    /// A sub-range of the value's text (e.g. one specifier in a pattern).
    WithinValue {
        offset: usize,
        len: usize,
    },
}

/// A problem found in a policy, before it is placed in the source.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: PolicyCode,
    pub severity: Severity,
    pub message: String,
    pub path: KeyPath,
    pub target: Target,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(code: PolicyCode, path: KeyPath, message: impl Into<String>) -> Problem {
        Problem {
            code,
            severity: Severity::Error,
            message: message.into(),
            path,
            target: Target::Value,
            label: String::from("here"),
            help: None,
        }
    }

    pub fn warning(code: PolicyCode, path: KeyPath, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, path, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    pub fn at_key(mut self) -> Problem {
        self.target = Target::Key;
        self
    }

    pub fn at(mut self, target: Target) -> Problem {
        self.target = target;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Places the problem in the source text.
    pub fn locate(self, map: &SourceMap, source: &Arc<NamedSource<String>>) -> PolicyDiagnostic {
        let span = match self.target {
            Target::Key => map.key(&self.path),
            Target::Value => map.value(&self.path),
            Target::Span(span) => span,
            Target::WithinValue { offset, len } => {
                let value = map.value(&self.path);
                let text = source.inner();
                // Skip an opening quote so the offset counts within the value text.
                let quoted = matches!(text.as_bytes().get(value.offset), Some(b'"' | b'\''));
                let start = value.offset + usize::from(quoted) + offset;
                if start + len <= value.offset + value.len {
                    ByteSpan { offset: start, len }
                } else {
                    value
                }
            }
        };
        PolicyDiagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message,
            span,
            label: self.label,
            help: self.help,
            source: Some(Arc::clone(source)),
        }
    }
}

/// One diagnostic about a policy file, ready for miette to render.
#[derive(Debug, Clone)]
pub struct PolicyDiagnostic {
    pub code: PolicyCode,
    pub severity: Severity,
    pub message: String,
    pub span: ByteSpan,
    pub label: String,
    pub help: Option<String>,
    /// The policy text (absent when the file could not be read at all).
    pub source: Option<Arc<NamedSource<String>>>,
}

impl PolicyDiagnostic {
    /// A problem with the file as a whole (unreadable, not text), with no span.
    pub fn file_level(
        code: PolicyCode,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> PolicyDiagnostic {
        PolicyDiagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: ByteSpan { offset: 0, len: 0 },
            label: String::new(),
            help: Some(help.into()),
            source: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column of the span's start, for plain-text output.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        let text = self.source.as_ref()?.inner();
        let before = text.get(..self.span.offset)?;
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, column))
    }
}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyDiagnostic {}

impl Diagnostic for PolicyDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("policy::{}", self.code)))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_ref()
            .map(|source| source.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let label = LabeledSpan::new_primary_with_span(
            Some(self.label.clone()),
            (self.span.offset, self.span.len),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// A policy that could not be loaded: every problem found, errors and warnings.
#[derive(Debug, Clone)]
pub struct PolicyErrors {
    pub diagnostics: Vec<PolicyDiagnostic>,
}

impl PolicyErrors {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.error_count();
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "the policy has {count} problem{plural}")
    }
}

impl std::error::Error for PolicyErrors {}

//! A plan warning: a typed code (stable, kebab-case, as the README documents
//! it) with a message written for the office manager and their IT person.

use serde::Serialize;

use crate::plan::code::WarningCode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Warning {
        Warning {
            code,
            message: message.into(),
        }
    }
}

//! Validation of `contingency:`: raw text → [`Contingency`], recording a
//! [`Problem`] against the exact value for a recovery time that is not a
//! duration, a contact with neither role nor name, a phone number without
//! digits, an e-mail address that is not one, an unknown criticality
//! priority, and a private key pasted where the plan wants the *place* the
//! key is kept. Empty text counts as not given: the plan prints a blank.
//! Hooked from `mod.rs`; it only reports problems.

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::contingency::{Contact, Contingency, CriticalSystem, Priority};
use crate::policy::diagnostic::Problem;
use crate::policy::duration::Span;
use crate::policy::raw::Text;
use crate::policy::raw::contingency::{RawContact, RawContingency, RawCritical};
use crate::policy::source_map::KeyPath;
use crate::policy::suggest::closest;

/// What a pasted secret starts with: an age identity, a PEM private key.
const SECRET_MARKERS: [&str; 2] = ["AGE-SECRET-KEY-", "PRIVATE KEY-----"];

impl Validator {
    pub(super) fn contingency(
        &mut self,
        raw: Option<&RawContingency>,
        path: &KeyPath,
    ) -> Contingency {
        let Some(raw) = raw else {
            return Contingency::default();
        };
        let rto = raw
            .rto
            .as_ref()
            .and_then(|text| self.rto(text, &path.key("rto")));
        let key_custody = self.plan_text(raw.key_custody.as_ref(), &path.key("key_custody"));
        let contacts = raw
            .contacts
            .iter()
            .enumerate()
            .map(|(i, contact)| self.contact(contact, &path.key("contacts").index(i)))
            .collect();
        let emergency_mode =
            self.plan_text(raw.emergency_mode.as_ref(), &path.key("emergency_mode"));
        let criticality = raw
            .criticality
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| self.critical(entry, &path.key("criticality").index(i)))
            .collect();
        Contingency {
            given: true,
            rto,
            key_custody,
            contacts,
            emergency_mode,
            criticality,
        }
    }

    fn rto(&mut self, text: &Text, path: &KeyPath) -> Option<Span> {
        let problem = match Span::parse(text.as_str()) {
            Ok(span) if span.as_secs() > 0 => return Some(span),
            Ok(_) => Problem::error(
                PolicyCode::BadDuration,
                path.clone(),
                "a recovery time objective of 0 can never be met",
            )
            .label("zero"),
            Err(reason) => Problem::error(PolicyCode::BadDuration, path.clone(), reason)
                .label("not a duration"),
        };
        self.push(problem.help(
            "write how long the practice can be without its data, e.g. rto: 8h, rto: 4h30m or rto: 2d",
        ));
        None
    }

    /// Text the plan prints as written; empty counts as not given.
    fn plan_text(&mut self, text: Option<&Text>, path: &KeyPath) -> Option<String> {
        let written = text?.as_str().trim();
        if written.is_empty() {
            return None;
        }
        if SECRET_MARKERS
            .iter()
            .any(|marker| written.to_ascii_uppercase().contains(marker))
        {
            self.push(
                Problem::error(
                    PolicyCode::SecretInPolicy,
                    path.clone(),
                    "this looks like a private key: the policy and the printed plan are no place for it",
                )
                .label("a secret")
                .help("write where the key is kept (e.g. \"USB key in the bank safe-deposit box\"), never the key itself; make a new key if this one was shared"),
            );
            return None;
        }
        Some(written.to_string())
    }

    fn contact(&mut self, raw: &RawContact, path: &KeyPath) -> Contact {
        let role = self.plan_text(raw.role.as_ref(), &path.key("role"));
        let name = self.plan_text(raw.name.as_ref(), &path.key("name"));
        if role.is_none() && name.is_none() && !self.has_secret_problem(path) {
            self.push(
                Problem::error(
                    PolicyCode::ContactWithoutName,
                    path.clone(),
                    "a contact with neither a role nor a name",
                )
                .label("who is this?")
                .help("write at least the role or the name, e.g. { role: IT support, name: Sam Okafor, phone: 555-0142 }"),
            );
        }
        let phone = self
            .plan_text(raw.phone.as_ref(), &path.key("phone"))
            .filter(|phone| self.phone(phone, &path.key("phone")));
        let email = match raw.email.as_ref().filter(|t| !t.as_str().trim().is_empty()) {
            Some(text) => super::unattended::address(text, &path.key("email"), &mut self.problems),
            None => None,
        };
        Contact {
            role,
            name,
            phone,
            email,
        }
    }

    /// Whether a secret was already reported inside `path` (one message is enough).
    fn has_secret_problem(&self, path: &KeyPath) -> bool {
        self.problems
            .iter()
            .any(|p| p.code == PolicyCode::SecretInPolicy && p.path.0.starts_with(&path.0))
    }

    fn phone(&mut self, phone: &str, path: &KeyPath) -> bool {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if digits >= 3 {
            return true;
        }
        self.push(
            Problem::error(
                PolicyCode::BadPhone,
                path.clone(),
                format!("`{phone}` is not a phone number"),
            )
            .label("no number here")
            .help(
                "write the number to dial, e.g. phone: \"555-0142\" or \"+1 212 555 0142 ext. 12\"",
            ),
        );
        false
    }

    fn critical(&mut self, raw: &RawCritical, path: &KeyPath) -> Option<CriticalSystem> {
        let raw = &raw.0;
        let name = self.plan_text(raw.name.as_ref(), &path.key("name"));
        let priority = raw
            .priority
            .as_ref()
            .and_then(|text| self.priority(text, &path.key("priority")));
        let notes = self.plan_text(raw.notes.as_ref(), &path.key("notes"));
        if name.is_none() && !self.has_secret_problem(path) {
            self.push(
                Problem::error(
                    PolicyCode::EmptyCriticalityEntry,
                    path.clone(),
                    "a criticality entry without a name",
                )
                .label("empty")
                .help("name the system or data, e.g. - { name: Digital X-ray images, priority: high }"),
            );
        }
        Some(CriticalSystem {
            name: name?,
            priority,
            notes,
        })
    }

    fn priority(&mut self, text: &Text, path: &KeyPath) -> Option<Priority> {
        let word = text.as_str().trim().to_ascii_lowercase();
        if let Some(priority) = Priority::from_key(&word) {
            return Some(priority);
        }
        let known = Priority::ALL.map(Priority::key);
        let help = match closest(&word, known) {
            Some(suggestion) => format!(
                "did you mean `{suggestion}`? priorities are critical, high, medium and low"
            ),
            None => String::from("priorities are critical, high, medium and low"),
        };
        self.push(
            Problem::error(
                PolicyCode::UnknownPriority,
                path.clone(),
                format!("`{}` is not a priority", text.as_str()),
            )
            .label("unknown priority")
            .help(help),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::policy::{PolicyCode, load_str};

    const BASE: &str = include_str!("../../../policies/vendor-guide.yaml");

    /// The vendor policy without its own `contingency:` and with `section` instead.
    fn with_contingency(section: &str) -> String {
        let base = BASE.split("\ncontingency:").next().unwrap();
        format!("{}\n{section}", base.trim_end())
    }

    fn codes(text: &str) -> Vec<PolicyCode> {
        match load_str(text, Path::new("/office/rota.yaml")) {
            Ok(loaded) => loaded.warnings.iter().map(|w| w.code).collect(),
            Err(errors) => errors.diagnostics.iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn the_keys_are_read() {
        let text = with_contingency(
            "contingency:\n  rto: 1h30m\n  key_custody: \" USB key in the safe \"\n  contacts:\n    - { role: IT support, name: Sam, phone: 555-0142, email: sam@example.com }\n    - { name: Dr. Rivera }\n  emergency_mode: |\n    Work on paper.\n  criticality:\n    - Digital X-ray images\n    - { name: E-mail, priority: Low, notes: hosted }\n",
        );
        let policy = load_str(&text, Path::new("/office/rota.yaml"))
            .unwrap()
            .policy;
        let c = &policy.contingency;
        assert!(c.given);
        assert_eq!(c.rto.unwrap().as_secs(), 5400);
        assert_eq!(c.key_custody.as_deref(), Some("USB key in the safe"));
        assert_eq!(c.contacts.len(), 2);
        assert_eq!(c.contacts[1].role, None);
        assert_eq!(c.emergency_mode.as_deref(), Some("Work on paper."));
        assert_eq!(c.criticality[0].name, "Digital X-ray images");
        assert_eq!(
            c.criticality[1].priority,
            Some(crate::policy::Priority::Low)
        );
        assert_eq!(
            c.blank_keys(),
            [
                "contingency.contacts[1].role",
                "contingency.contacts[1].phone",
                "contingency.contacts[1].email"
            ]
        );
    }

    #[test]
    fn without_the_section_everything_is_blank() {
        let policy = load_str(&with_contingency(""), Path::new("/office/rota.yaml"))
            .unwrap()
            .policy;
        assert!(!policy.contingency.given);
        assert_eq!(policy.contingency.blank_keys().len(), 3);
    }

    #[test]
    fn bad_values_are_named() {
        let case = |section: &str| codes(&with_contingency(&format!("contingency:\n{section}")));
        assert_eq!(case("  rto: soon\n"), [PolicyCode::BadDuration]);
        assert_eq!(case("  rto: 0\n"), [PolicyCode::BadDuration]);
        assert_eq!(
            case("  key_custody: AGE-SECRET-KEY-1QQQ\n"),
            [PolicyCode::SecretInPolicy]
        );
        assert_eq!(
            case("  contacts: [{ phone: 555-0100 }]\n"),
            [PolicyCode::ContactWithoutName]
        );
        assert_eq!(
            case("  contacts: [{ role: IT, phone: call Sam }]\n"),
            [PolicyCode::BadPhone]
        );
        assert_eq!(
            case("  contacts: [{ role: IT, email: sam.example.com }]\n"),
            [PolicyCode::BadEmailAddress]
        );
        assert_eq!(
            case("  criticality: [{ name: X-rays, priority: hihg }]\n"),
            [PolicyCode::UnknownPriority]
        );
        assert_eq!(
            case("  criticality: [\"  \"]\n"),
            [PolicyCode::EmptyCriticalityEntry]
        );
        assert_eq!(case("  contatcs: []\n"), [PolicyCode::UnknownKey]);
        assert_eq!(case("  rto: 8h\n  contacts: {}\n"), [PolicyCode::WrongType]);
    }
}

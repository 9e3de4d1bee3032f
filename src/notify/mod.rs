//! Telling people how a night went, through the channels `notify:` names:
//! a healthchecks.io-style check (`URL/start` when a run begins, `URL` when
//! it ends well, `URL/fail` when it fails: the check's own schedule then
//! also catches a night that never ran), a webhook (the run record POSTed
//! as JSON), an ntfy topic (a title and the summary) and e-mail over SMTP;
//! and the digest (`notify.digest`) through the last three.
//!
//! Every send has a short timeout and reports its result as data
//! ([`NotifyResult`]); nothing here returns an error or panics, because a
//! dead monitoring server must never fail or stall the backup work.

mod email;
mod http;

use std::time::Duration;

use serde_json::Value;

use crate::nightly::digest::Digest;
use crate::nightly::{NotifyResult, RunOutcome, RunRecord};
use crate::plan::Severity;
use crate::policy::{Notify, NotifyEvent};

/// The longest any one notification may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// [`TIMEOUT`], or `ROTA_NOTIFY_TIMEOUT_SECS` when set (tests use a short one
/// so a server that never answers does not slow them down).
pub fn timeout() -> Duration {
    std::env::var("ROTA_NOTIFY_TIMEOUT_SECS")
        .ok()
        .and_then(|text| text.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(TIMEOUT)
}

/// What to send: the event, a one-line title, the text body and, for the
/// webhook, a JSON document.
#[derive(Debug, Clone)]
pub struct Message {
    /// `start`, `success`, `warning`, `failure`, `digest` or `test`.
    pub event: &'static str,
    pub title: String,
    pub body: String,
    pub json: Value,
    /// How bad the night was, on the one severity scale (`None` for a good
    /// night, a digest or a test): it sets ntfy's priority and tags, the
    /// e-mail's subject prefix and healthchecks' `/fail`.
    pub severity: Option<Severity>,
}

impl Message {
    /// Whether the night failed (healthchecks pings `/fail`).
    pub fn failed(&self) -> bool {
        self.severity == Some(Severity::Failure)
    }
}

/// Which event a finished run is.
pub fn event_of(outcome: RunOutcome) -> NotifyEvent {
    match outcome {
        RunOutcome::Ok => NotifyEvent::Success,
        RunOutcome::Warning => NotifyEvent::Warning,
        RunOutcome::Failed => NotifyEvent::Failure,
    }
}

/// The healthchecks start ping, sent when a run begins (whatever `on` says).
pub fn started(notify: &Notify, office: &str) -> Vec<NotifyResult> {
    let Some(url) = &notify.healthchecks else {
        return Vec::new();
    };
    let body = format!("rota apply started at {office}\n");
    vec![http::healthchecks(&format!("{url}/start"), "start", &body)]
}

/// The run's outcome through every channel: the healthchecks check always
/// (it must hear each night to notice a missing one), the others when
/// `notify.on` names the event.
pub fn finished(notify: &Notify, office: &str, record: &RunRecord) -> Vec<NotifyResult> {
    let event = event_of(record.outcome);
    let message = run_message(office, record, event);
    let mut results = Vec::new();
    if let Some(url) = &notify.healthchecks {
        let target = if message.failed() {
            format!("{url}/fail")
        } else {
            url.clone()
        };
        results.push(http::healthchecks(&target, message.event, &message.body));
    }
    if notify.sends(event) {
        results.extend(others(notify, &message));
    }
    results
}

/// The digest through the webhook, ntfy and e-mail (whatever `on` says: it
/// is asked for by `notify.digest`). The healthchecks check is not pinged:
/// it hears of nights, and a digest is none.
pub fn digest(notify: &Notify, digest: &Digest) -> Vec<NotifyResult> {
    let title = digest.title();
    let mut json = serde_json::to_value(digest).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut json {
        map.insert("event".into(), Value::from("digest"));
        map.insert("title".into(), Value::from(title.clone()));
    }
    let message = Message {
        event: "digest",
        body: digest.render(),
        title,
        json,
        severity: None,
    };
    others(notify, &message)
}

/// `rota notify test`: one test message through every configured channel.
pub fn test(notify: &Notify, office: &str) -> Vec<NotifyResult> {
    let title = format!("rota test notification from {office}");
    let body = format!(
        "{title}\nIf you can read this, rota can reach you: failed nights will be reported here.\n"
    );
    let message = Message {
        event: "test",
        json: serde_json::json!({ "event": "test", "office": office, "summary": title }),
        title,
        body,
        severity: None,
    };
    let mut results = Vec::new();
    if let Some(url) = &notify.healthchecks {
        results.push(http::healthchecks(url, "test", &message.body));
    }
    results.extend(others(notify, &message));
    results
}

fn others(notify: &Notify, message: &Message) -> Vec<NotifyResult> {
    let mut results = Vec::new();
    if let Some(url) = &notify.webhook {
        results.push(http::webhook(url, message));
    }
    if let Some(url) = &notify.ntfy {
        results.push(http::ntfy(url, message));
    }
    if let Some(email) = &notify.email {
        results.push(email::send(email, message));
    }
    results
}

fn run_message(office: &str, record: &RunRecord, event: NotifyEvent) -> Message {
    let title = crate::nightly::headline::title(record, office);
    let mut json = serde_json::to_value(record).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut json {
        map.insert("event".into(), Value::from(event.key()));
        map.insert("office".into(), Value::from(office));
        map.insert("title".into(), Value::from(title.clone()));
        map.insert("summary".into(), Value::from(record.summary(office)));
    }
    Message {
        event: event.key(),
        body: record.body(office),
        title,
        json,
        severity: record.outcome.severity(),
    }
}

fn result(channel: &str, event: &str, outcome: Result<(), String>) -> NotifyResult {
    NotifyResult {
        channel: channel.to_string(),
        event: event.to_string(),
        ok: outcome.is_ok(),
        error: outcome.err(),
    }
}

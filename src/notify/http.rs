//! The HTTP channels (healthchecks, webhook, ntfy) over one small blocking
//! client with a global timeout. An HTTP status of 400 or more is a failure,
//! reported with the status and the first line the server sent back.

use std::time::Duration;

use ureq::Agent;

use super::{Message, result, timeout};
use crate::nightly::NotifyResult;
use crate::plan::Severity;

fn agent() -> Agent {
    Agent::config_builder()
        .timeout_global(Some(timeout()))
        .timeout_connect(Some(timeout().min(Duration::from_secs(5))))
        .http_status_as_error(false)
        .user_agent(concat!("rota/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A healthchecks.io-style ping: POST the summary to the ping URL.
pub fn healthchecks(url: &str, event: &str, body: &str) -> NotifyResult {
    let sent = agent()
        .post(url)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(body);
    result("healthchecks", event, checked(sent))
}

/// The run record as JSON.
pub fn webhook(url: &str, message: &Message) -> NotifyResult {
    let body = serde_json::to_string(&message.json).unwrap_or_default();
    let sent = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.as_str());
    result("webhook", message.event, checked(sent))
}

/// An ntfy message: the title in its header, the details as the body.
pub fn ntfy(url: &str, message: &Message) -> NotifyResult {
    let (priority, tags) = priority_and_tags(message);
    // Header values must be one line of visible ASCII-safe text.
    let title: String = message
        .title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let sent = agent()
        .post(url)
        .header("Title", title.as_str())
        .header("Priority", priority)
        .header("Tags", tags)
        .send(message.body.as_str());
    result("ntfy", message.event, checked(sent))
}

/// ntfy's priority and tags follow how bad the news is: a failed night
/// rings (urgent), one that needs attention is high, a digest is low.
pub fn priority_and_tags(message: &Message) -> (&'static str, &'static str) {
    match (message.severity, message.event) {
        (Some(Severity::Failure), _) => ("urgent", "rotating_light"),
        (Some(Severity::Attention), _) => ("high", "warning"),
        (_, "digest") => ("low", "calendar"),
        (_, "success") => ("default", "white_check_mark"),
        _ => ("default", "floppy_disk"),
    }
}

fn checked(sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<(), String> {
    let mut response = sent.map_err(|error| error.to_string())?;
    let status = response.status();
    if status.as_u16() < 400 {
        return Ok(());
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(4096)
        .read_to_string()
        .unwrap_or_default();
    let first = text.lines().next().unwrap_or("").trim();
    Err(if first.is_empty() {
        format!("the server answered HTTP {status}")
    } else {
        format!("the server answered HTTP {status}: {first}")
    })
}

//! The validated `schedule:` and `notify:` sections: when the platform's
//! scheduler runs `rota apply`, and which channels hear how a night went.
//! Plain data; the scheduler files are rendered in `crate::schedule`, the
//! messages sent by `crate::notify`.

use std::time::Duration;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::words::key::serde_keys;

/// `schedule: { at: "23:45", wait: 2h }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Local office time the job starts, every open day.
    pub at: NaiveTime,
    /// How long `apply --wait` waits for tonight's backup to appear and settle.
    pub wait: Option<Duration>,
}

impl Schedule {
    /// `wait` as `apply --wait` takes it (`2h`, `90m`, `45s`).
    pub fn wait_text(&self) -> Option<String> {
        self.wait.map(duration_text)
    }
}

/// A duration in the largest unit that writes it exactly: `2h`, `90m`, `45s`.
pub fn duration_text(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds > 0 && seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds > 0 && seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// What happened on a night, as `notify.on` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyEvent {
    Failure,
    Warning,
    Success,
}

serde_keys!(NotifyEvent);

impl NotifyEvent {
    pub const ALL: [NotifyEvent; 3] = [
        NotifyEvent::Failure,
        NotifyEvent::Warning,
        NotifyEvent::Success,
    ];
}

/// How often the digest is sent (`notify.digest`): a summary of the
/// period's nights, disks and standing advice, sent even when all is well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestEvery {
    /// Each open day's night.
    Daily,
    /// Each ISO week (Monday to Sunday).
    Weekly,
}

serde_keys!(DigestEvery);

impl DigestEvery {
    pub const ALL: [DigestEvery; 2] = [DigestEvery::Daily, DigestEvery::Weekly];
}

/// The `notify:` section; `Notify::default()` sends nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notify {
    /// The events that are sent (the healthchecks start ping and the
    /// success ping that closes a check are sent whatever this says: the
    /// convention needs them to notice a night that never ran).
    pub on: Vec<NotifyEvent>,
    /// The digest, if the policy asks for one.
    pub digest: Option<DigestEvery>,
    pub healthchecks: Option<String>,
    pub webhook: Option<String>,
    pub ntfy: Option<String>,
    pub email: Option<Email>,
}

/// Events sent when `notify.on` is not given.
pub const DEFAULT_NOTIFY_ON: [NotifyEvent; 2] = [NotifyEvent::Failure, NotifyEvent::Warning];

impl Notify {
    pub fn is_empty(&self) -> bool {
        self.healthchecks.is_none()
            && self.webhook.is_none()
            && self.ntfy.is_none()
            && self.email.is_none()
    }

    pub fn sends(&self, event: NotifyEvent) -> bool {
        self.on.contains(&event)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: Vec<String>,
    pub from: String,
    pub host: String,
    pub port: u16,
    /// Upgrade the connection with STARTTLS (default); port 465 means TLS
    /// from the first byte instead; false sends in the clear (a local relay).
    pub starttls: bool,
    pub username: Option<String>,
    /// The environment variable holding the SMTP password.
    pub password_env: Option<String>,
}

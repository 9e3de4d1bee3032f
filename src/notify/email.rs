//! E-mail through the office's SMTP server (lettre): STARTTLS by default,
//! TLS from the start on port 465, in the clear only when the policy says
//! `starttls: false` (a relay on the server itself). The password is read
//! from the environment variable the policy names, at send time.

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};

use super::{Message, result, timeout};
use crate::nightly::NotifyResult;
use crate::plan::Severity;
use crate::policy::Email;

pub fn send(email: &Email, message: &Message) -> NotifyResult {
    result("email", message.event, deliver(email, message))
}

fn deliver(email: &Email, message: &Message) -> Result<(), String> {
    let mail = compose(email, message)?;
    let mut builder = if email.port == 465 {
        SmtpTransport::relay(&email.host).map_err(|e| e.to_string())?
    } else if email.starttls {
        SmtpTransport::starttls_relay(&email.host).map_err(|e| e.to_string())?
    } else {
        SmtpTransport::builder_dangerous(&email.host)
    };
    builder = builder.port(email.port).timeout(Some(timeout()));
    if let Some(username) = &email.username {
        let password = password(email)?;
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    builder
        .build()
        .send(&mail)
        .map(|_| ())
        .map_err(|error| format!("{}:{}: {error}", email.host, email.port))
}

fn compose(email: &Email, message: &Message) -> Result<lettre::Message, String> {
    let bad = |what: &str, error: lettre::address::AddressError| format!("{what}: {error}");
    let mut builder = lettre::Message::builder()
        .from(email.from.parse().map_err(|e| bad(&email.from, e))?)
        .subject(subject(message))
        .header(ContentType::TEXT_PLAIN);
    for to in &email.to {
        builder = builder.to(to.parse().map_err(|e| bad(to, e))?);
    }
    builder
        .body(message.body.clone())
        .map_err(|error| error.to_string())
}

/// The title behind a prefix that says how bad it is, so a mail rule (or a
/// glance at the inbox) can tell a failed night from a digest.
pub fn subject(message: &Message) -> String {
    let prefix = match (message.severity, message.event) {
        (Some(Severity::Failure), _) => "[rota FAILED]",
        (Some(Severity::Attention), _) => "[rota: needs attention]",
        (_, "digest") => "[rota digest]",
        (_, "test") => "[rota test]",
        _ => "[rota ok]",
    };
    format!("{prefix} {}", message.title)
}

fn password(email: &Email) -> Result<String, String> {
    let Some(name) = &email.password_env else {
        return Err("no password_env is set for the SMTP username".to_string());
    };
    std::env::var(name).map_err(|_| {
        format!("the environment variable {name} (notify.email.password_env) is not set")
    })
}

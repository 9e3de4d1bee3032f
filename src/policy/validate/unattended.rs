//! Validation of `schedule:` and `notify:`: raw text → [`Schedule`] and
//! [`Notify`], recording a [`Problem`] for every value that cannot be used
//! (a time that is not a time, a URL that is not http(s), an e-mail section
//! that could never send). Like the rest of the validator it collects every
//! problem and never looks at the network or the environment.

use std::time::Duration;

use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::duration::Span;
use crate::policy::raw::unattended::{RawEmail, RawNotify, RawSchedule};
use crate::policy::raw::{RawPolicy, Text};
use crate::policy::source_map::KeyPath;
use crate::policy::suggest::closest;
use crate::policy::unattended::*;
use crate::policy::values::parse_time_of_day;

/// A wait longer than this would run into the next night's job.
const MAX_WAIT: Duration = Duration::from_secs(12 * 3600);

/// The validated `schedule:` and `notify:` sections of `raw`.
pub(super) fn unattended(
    raw: &RawPolicy,
    problems: &mut Vec<Problem>,
) -> (Option<Schedule>, Notify) {
    let root = KeyPath::root();
    let schedule = raw
        .schedule
        .as_ref()
        .map(|raw| schedule(raw, &root.key("schedule"), problems));
    let notify = raw
        .notify
        .as_ref()
        .map(|raw| notify(raw, &root.key("notify"), problems))
        .unwrap_or_default();
    (schedule, notify)
}

fn schedule(raw: &RawSchedule, path: &KeyPath, problems: &mut Vec<Problem>) -> Schedule {
    let at = parse_time_of_day(raw.at.as_str()).unwrap_or_else(|reason| {
        problems.push(
            Problem::error(PolicyCode::BadTime, path.key("at"), reason)
                .label("not a time")
                .help("write the office time the nightly run starts, 24-hour, in quotes: at: \"23:45\""),
        );
        chrono::NaiveTime::MIN
    });
    let wait = raw
        .wait
        .as_ref()
        .and_then(|text| wait(text, &path.key("wait"), problems));
    Schedule { at, wait }
}

fn wait(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<Duration> {
    match Span::parse(text.as_str()).map(|span| span.0) {
        Ok(duration) if duration > MAX_WAIT => {
            problems.push(
                Problem::error(
                    PolicyCode::WaitTooLong,
                    path.clone(),
                    format!("a wait of {} would run into the next night", text.as_str()),
                )
                .label("longer than 12h")
                .help("wait at most a few hours for the practice software's backup, e.g. wait: 2h"),
            );
            None
        }
        Ok(duration) => Some(duration),
        Err(reason) => {
            problems.push(
                Problem::error(PolicyCode::BadDuration, path.clone(), reason)
                    .label("not a duration")
                    .help("write a number and a unit: 90m, 2h, 1h30m (s, m, h)"),
            );
            None
        }
    }
}

fn notify(raw: &RawNotify, path: &KeyPath, problems: &mut Vec<Problem>) -> Notify {
    let on = match &raw.on {
        None => DEFAULT_NOTIFY_ON.to_vec(),
        Some(texts) => events(texts, &path.key("on"), problems),
    };
    let digest = raw
        .digest
        .as_ref()
        .and_then(|text| digest(text, &path.key("digest"), problems));
    let mut url = |text: &Option<Text>, key: &str| {
        text.as_ref()
            .and_then(|text| http_url(text, &path.key(key), problems))
    };
    let healthchecks = url(&raw.healthchecks, "healthchecks");
    let webhook = url(&raw.webhook, "webhook");
    let ntfy = url(&raw.ntfy, "ntfy");
    let email = raw
        .email
        .as_ref()
        .and_then(|raw| email(raw, &path.key("email"), problems));
    let notify = Notify {
        on,
        digest,
        healthchecks,
        webhook,
        ntfy,
        email,
    };
    let all_given_are_valid = raw.healthchecks.is_some() == notify.healthchecks.is_some()
        && raw.webhook.is_some() == notify.webhook.is_some()
        && raw.ntfy.is_some() == notify.ntfy.is_some()
        && raw.email.is_some() == notify.email.is_some();
    if notify.is_empty() && all_given_are_valid {
        problems.push(
            Problem::warning(PolicyCode::NotifyNoChannel, path.clone(), "`notify` names no channel, so no one hears of a failed night")
                .at_key()
                .label("no healthchecks, webhook, ntfy or email")
                .help("add one, e.g. healthchecks: https://hc-ping.com/<uuid>; `rota notify test POLICY` tries them"),
        );
    }
    notify
}

fn events(texts: &[Text], path: &KeyPath, problems: &mut Vec<Problem>) -> Vec<NotifyEvent> {
    let mut events = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let word = text.as_str().trim().to_ascii_lowercase();
        match NotifyEvent::from_key(&word) {
            Some(event) if !events.contains(&event) => events.push(event),
            Some(_) => {}
            None => {
                let known = NotifyEvent::ALL.map(NotifyEvent::key);
                let help = match closest(&word, known) {
                    Some(suggestion) => format!(
                        "did you mean `{suggestion}`? known events are failure, warning, success"
                    ),
                    None => "known events are failure, warning, success".to_string(),
                };
                problems.push(
                    Problem::error(
                        PolicyCode::UnknownNotifyEvent,
                        path.index(index),
                        format!("`{}` is not a notification event", text.as_str()),
                    )
                    .label("unknown event")
                    .help(help),
                );
            }
        }
    }
    if texts.is_empty() {
        problems.push(
            Problem::warning(
                PolicyCode::NotifyNever,
                path.clone(),
                "`notify.on` is empty, so nothing is ever sent",
            )
            .label("no events")
            .help("the default is [failure, warning]; add success to hear of good nights too"),
        );
    }
    events.sort();
    events
}

fn digest(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<DigestEvery> {
    let word = text.as_str().trim().to_ascii_lowercase();
    if let Some(every) = DigestEvery::from_key(&word) {
        return Some(every);
    }
    let known = DigestEvery::ALL.map(DigestEvery::key);
    let help = match closest(&word, known) {
        Some(suggestion) => {
            format!("did you mean `{suggestion}`? write digest: daily or digest: weekly")
        }
        None => String::from(
            "write digest: daily or digest: weekly (a summary sent even when all is well)",
        ),
    };
    problems.push(
        Problem::error(
            PolicyCode::UnknownDigest,
            path.clone(),
            format!("`{}` is not how often a digest is sent", text.as_str()),
        )
        .label("not daily or weekly")
        .help(help),
    );
    None
}

fn http_url(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<String> {
    let url = text.as_str().trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => {
            Some(url.trim_end_matches('/').to_string())
        }
        _ => {
            problems.push(
                Problem::error(
                    PolicyCode::BadUrl,
                    path.clone(),
                    format!("`{url}` is not an http:// or https:// address"),
                )
                .label("not a web address")
                .help("write the full address, e.g. https://hc-ping.com/<uuid>"),
            );
            None
        }
    }
}

fn email(raw: &RawEmail, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<Email> {
    let before = problems.iter().filter(|p| p.is_error()).count();
    if raw.to.addresses.is_empty() {
        problems.push(
            Problem::error(
                PolicyCode::EmailNoRecipient,
                path.key("to"),
                "the e-mail has no recipient",
            )
            .label("empty")
            .help("write to: [it@example.com]"),
        );
    }
    let to: Vec<String> = raw
        .to
        .addresses
        .iter()
        .enumerate()
        .filter_map(|(i, text)| {
            let at = if raw.to.list {
                path.key("to").index(i)
            } else {
                path.key("to")
            };
            address(text, &at, problems)
        })
        .collect();
    let from = address(&raw.from, &path.key("from"), problems);
    let server = smtp_address(&raw.smtp, &path.key("smtp"), problems);
    let starttls = match raw
        .starttls
        .as_ref()
        .map(|t| t.as_str().trim().to_ascii_lowercase())
    {
        None => true,
        Some(word) if word == "true" || word == "yes" => true,
        Some(word) if word == "false" || word == "no" => false,
        Some(word) => {
            problems.push(
                Problem::error(PolicyCode::NotYesOrNo, path.key("starttls"), format!("`{word}` is not true or false"))
                    .label("not true or false")
                    .help("write starttls: true (the default) unless the mail server is a local relay without TLS"),
            );
            true
        }
    };
    let username = raw.username.as_ref().map(|t| t.as_str().trim().to_string());
    let password_env = raw
        .password_env
        .as_ref()
        .and_then(|text| env_name(text, &path.key("password_env"), problems));
    if username.is_some() && raw.password_env.is_none() {
        problems.push(
            Problem::error(PolicyCode::SmtpPasswordMissing, path.key("username"), "a username is given but no password_env")
                .at_key()
                .label("no password for this user")
                .help("add password_env: NAME and set the password in that environment variable (never in the policy file)"),
        );
    }
    if problems.iter().filter(|p| p.is_error()).count() > before {
        return None;
    }
    let (host, port) = server?;
    Some(Email {
        to,
        from: from?,
        host,
        port,
        starttls,
        username,
        password_env,
    })
}

pub(super) fn address(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<String> {
    let address = text.as_str().trim();
    let plain = address
        .rsplit_once('<')
        .map(|(_, rest)| rest.trim_end_matches('>'))
        .unwrap_or(address);
    match plain.split_once('@') {
        Some((user, domain))
            if !user.is_empty() && domain.contains('.') || domain_is_local(plain) =>
        {
            Some(address.to_string())
        }
        _ => {
            problems.push(
                Problem::error(
                    PolicyCode::BadEmailAddress,
                    path.clone(),
                    format!("`{address}` is not an e-mail address"),
                )
                .label("not an address")
                .help("write it as it@example.com or \"Front desk <desk@example.com>\""),
            );
            None
        }
    }
}

/// `user@localhost` is a fine address for a relay on the server itself.
fn domain_is_local(address: &str) -> bool {
    address
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain == "localhost")
}

fn smtp_address(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<(String, u16)> {
    let written = text.as_str().trim();
    let parsed = written
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host.trim_matches(['[', ']']), port.parse::<u16>().ok()?)))
        .filter(|(host, port)| !host.is_empty() && *port > 0);
    if parsed.is_none() {
        problems.push(
            Problem::error(
                PolicyCode::BadSmtpAddress,
                path.clone(),
                format!("`{written}` is not host:port"),
            )
            .label("not host:port")
            .help("write the mail server and its port, e.g. smtp: \"smtp.example.com:587\""),
        );
    }
    parsed.map(|(host, port)| (host.to_string(), port))
}

fn env_name(text: &Text, path: &KeyPath, problems: &mut Vec<Problem>) -> Option<String> {
    let name = text.as_str().trim();
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Some(name.to_string());
    }
    problems.push(
        Problem::error(
            PolicyCode::BadEnvName,
            path.clone(),
            format!("`{name}` is not an environment variable name"),
        )
        .label("not a variable name")
        .help("name the variable that holds the password, e.g. password_env: ROTA_SMTP_PASSWORD"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let parse = |text: &str| Span::parse(text).map(|span| span.0);
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse("0m"), Ok(Duration::ZERO));
        for bad in ["", "2", "h", "2x", "two hours", "1.5h", "-2h"] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(duration_text(Duration::from_secs(7200)), "2h");
        assert_eq!(duration_text(Duration::from_secs(5400)), "90m");
        assert_eq!(duration_text(Duration::from_secs(45)), "45s");
    }
}

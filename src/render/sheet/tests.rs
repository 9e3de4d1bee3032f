//! Sheet contexts and the embedded templates, without the binary.

use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::placement::nightly::iso_week;
use crate::policy;

fn load(text: &str) -> Policy {
    policy::load_str(text, Path::new("/o/rota.yaml"))
        .unwrap()
        .policy
}

fn vendor() -> Policy {
    load(crate::test_support::VENDOR_GUIDE)
}

fn facts(today: &str) -> SheetFacts {
    SheetFacts {
        today: today.parse().unwrap(),
        last_restore_test: None,
        sightings: Ok(Sightings::default()),
        policy_file: String::from("rota.yaml"),
        paper: Paper::Letter,
    }
}

fn week_html(policy: &Policy, year: i32, week: u32) -> String {
    let nights = iso_week(policy, year, week).unwrap();
    let context = weeks_context(policy, &[nights], &facts("2026-03-30"));
    Templates::embedded().render("week.html", &context).unwrap()
}

#[test]
fn every_embedded_template_renders() {
    let policy = vendor();
    let templates = Templates::embedded();
    let nights = iso_week(&policy, 2026, 14).unwrap();
    let weeks = weeks_context(&policy, &[nights.clone(), nights], &facts("2026-03-30"));
    let year = year_context(&policy, 2026, &facts("2026-03-30"));
    for format in [Format::Html, Format::Text, Format::Markdown] {
        let week = templates.render(&format.week_template(), &weeks).unwrap();
        assert!(week.contains("Lakeside Family Dental"), "{format:?}");
        let year = templates.render(&format.year_template(), &year).unwrap();
        assert!(
            year.to_lowercase().contains("2026 at a glance"),
            "{format:?}"
        );
    }
}

#[test]
fn rows_carry_the_data_attributes_of_the_spec() {
    let html = week_html(&vendor(), 2026, 14);
    assert!(html.contains(
        r#"data-date="2026-03-31" data-connect="TUE" data-store="MON" data-flags="month-end quarter-end""#
    ));
    assert!(
        html.contains(
            r#"data-date="2026-04-04" data-connect="" data-store="" data-flags="closed""#
        )
    );
    // carry: previous: each night's disk comes back from off-site for it,
    // and the month-end disk is told it stays in the rotation.
    assert!(html.contains(r#"data-flags="month-end quarter-end" data-bring-back="TUE""#));
    assert!(html.contains("Office manager brings TUE back from"));
    assert!(html.contains(
        "<strong>LONG-TERM:</strong> this disk now holds the month-end and quarter-end backup: it stays in the rotation"
    ));
    assert!(!html.contains("do not reuse"));
}

#[test]
fn paper_follows_the_office_time_zone() {
    assert_eq!(Paper::for_timezone("America/New_York"), Paper::Letter);
    assert_eq!(Paper::for_timezone("Asia/Manila"), Paper::Letter);
    assert_eq!(Paper::for_timezone("Australia/Sydney"), Paper::A4);
    assert_eq!(Paper::for_timezone("Europe/London"), Paper::A4);
}

#[test]
fn an_unreadable_catalog_is_said_on_the_sheet() {
    let policy = vendor();
    let mut facts = facts("2026-03-30");
    facts.sightings = Err(String::from("the catalog is damaged"));
    let nights = iso_week(&policy, 2026, 14).unwrap();
    let context = weeks_context(&policy, &[nights], &facts);
    assert!(!context.not_seen.checked);
    assert!(context.not_seen.text.contains("the catalog is damaged"));
}

#[test]
fn a_custom_template_replaces_the_embedded_one_and_typos_fail_loudly() {
    let policy = vendor();
    let nights = iso_week(&policy, 2026, 14).unwrap();
    let context = weeks_context(&policy, &[nights], &facts("2026-03-30"));
    let custom = Templates::new(&[(
        String::from("week.txt"),
        String::from("{% for w in weeks %}{% for d in w.days %}{{ d.date }}={{ d.connect_text }};{% endfor %}{% endfor %}"),
    )])
    .unwrap();
    let text = custom.render("week.txt", &context).unwrap();
    assert!(text.starts_with("2026-03-30=MON;2026-03-31=TUE;"), "{text}");
    let typo = Templates::new(&[(
        String::from("week.txt"),
        String::from("{{ weeks[0].dayz }}"),
    )])
    .unwrap();
    let error = typo.render("week.txt", &context).unwrap_err();
    assert!(error.to_string().contains("week.txt"), "{error}");
    let broken = Templates::new(&[(String::from("week.html"), String::from("{% for %}"))]);
    assert!(matches!(broken, Err(TemplateError::Invalid { .. })));
}

#[test]
fn the_year_grid_puts_each_day_under_its_weekday() {
    let year = year::year_sheet(&vendor(), 2026);
    let january = &year.months[0];
    // 1 January 2026 is a Thursday.
    assert!(january.weeks[0][..3].iter().all(|cell| cell.blank));
    assert_eq!(january.weeks[0][3].date, "2026-01-01");
    assert_eq!(january.weeks[0][3].holiday, "New Year's Day");
    assert_eq!(january.weeks[0][4].connect_text, "FRI");
    let march_31 = year.months[2]
        .weeks
        .iter()
        .flatten()
        .find(|cell| cell.date == "2026-03-31")
        .unwrap();
    assert_eq!(march_31.mark, "Q");
    let dec_31 = year.long_term.last().unwrap();
    assert_eq!(dec_31.date, "2026-12-31");
    assert_eq!(dec_31.mark, "Y");
    assert_eq!(year.months.len(), 12);
    let _ = NaiveDate::MIN;
}

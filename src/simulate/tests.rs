//! Simulations of the shipped policies: years of nights with mishaps and no
//! broken invariant, disks and a server too small reported on the right day,
//! and the reports themselves.

use std::path::Path;
use std::sync::OnceLock;

use super::*;
use crate::policy::{self, Policy};
use crate::test_support::date;

const GB: u64 = 1_000_000_000;

fn policy(file: &str) -> Policy {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    policy::load_str(&text, Path::new("/office/rota.yaml"))
        .unwrap()
        .policy
}

fn assumptions(from: &str, to: &str) -> Assumptions {
    Assumptions {
        from: date(from),
        to: date(to),
        backup_size: 6 * GB,
        growth: Growth::none(),
        missed_days: 0.0,
        wrong_disk: 0.0,
        disk_size: 2_000 * GB,
        server_size: None,
        seed: 1,
    }
}

/// The vendor guide's office over three years, with growth and mishaps (run
/// once, shared by the tests that read it).
fn three_years() -> &'static Simulation {
    static SIMULATION: OnceLock<Simulation> = OnceLock::new();
    SIMULATION.get_or_init(|| {
        let a = Assumptions {
            growth: Growth::parse("2%/month").unwrap(),
            missed_days: 0.02,
            wrong_disk: 0.03,
            ..assumptions("2026-01-01", "2028-12-31")
        };
        simulate(&policy("policies/vendor-guide.yaml"), &a)
    })
}

#[test]
fn three_years_of_the_vendor_guide_break_no_invariant_and_five_2tb_disks_are_enough() {
    let sim = three_years();
    assert!(sim.bug.is_none(), "{}", text::render(sim));
    assert_eq!(sim.nights.len(), 1096);
    assert!(sim.is_enough(), "{}", text::render(sim));
    let totals = sim.totals();
    assert!(totals.missed > 0 && totals.wrong_disk > 0, "{totals:?}");
    assert_eq!(totals.backups_made + totals.missed, totals.open_nights);
    // Every fiscal-year-end survives: 2026 and 2027 are complete years.
    for name in [
        "MacPractice_2026-12-31_2330.mpbackup",
        "MacPractice_2027-12-31_2330.mpbackup",
    ] {
        let kept = sim.kept.iter().find(|b| b.name == name);
        assert!(
            kept.is_some_and(|b| b.tiers.iter().any(|t| t == "fiscal_year_ends")),
            "{name}: {kept:?}"
        );
    }
    // The disks fill a little as long-term backups accumulate and grow.
    let (fullest, used, _) = sim.fullest_disk().unwrap();
    assert!(fullest.share(used).unwrap() < 0.5);
    assert!(used > 30 * GB);
}

#[test]
fn the_three_year_summary_snapshot() {
    let sim = three_years();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("simulate_vendor_three_years", text::render(sim));
    });
}

/// A disk with room for five 6 GB backups above its reserve. FRI must keep its
/// newest four Fridays plus the month-ends of January (Fri 30th) and February
/// (Fri 27th): on Friday March 27th that is six, and the sixth does not fit.
/// No other disk needs six before then (March's month-end is on TUE, the 31st).
#[test]
fn a_too_small_disk_runs_out_of_room_on_the_right_day() {
    let a = Assumptions {
        disk_size: 34 * GB,
        ..assumptions("2026-01-05", "2026-06-30")
    };
    let sim = simulate(&policy("policies/vendor-guide.yaml"), &a);
    assert!(sim.bug.is_none(), "{}", text::render(&sim));
    let (track, first) = sim.first_out_of_room().expect("a disk runs out of room");
    assert_eq!(track.label, "FRI");
    assert_eq!(first.date, date("2026-03-27"));
    assert_eq!(first.bytes, 6 * GB);
    assert!(!sim.is_enough());
    let friday = sim.disks.iter().find(|t| t.label == "FRI").unwrap();
    let before = sim
        .nights
        .iter()
        .position(|n| n.date == date("2026-03-26"))
        .unwrap();
    assert!(friday.used[before] <= 30 * GB);
    assert!(text::answer(&sim).starts_with("not enough. Disk FRI ran out of room on 2026-03-27"));
}

/// keep_last is 3: with 18 GB usable the fourth backup has no room the night
/// it is made if tonight's disk is never connected to take the older ones.
#[test]
fn a_small_server_is_full_on_the_night_its_backup_does_not_fit() {
    let mut policy = policy("policies/vendor-guide.yaml");
    policy.disks.rotation.retain(|disk| disk.label == "MON");
    policy.disks.rotation[0].days = vec![chrono::Weekday::Sun];
    let a = Assumptions {
        server_size: Some(20 * GB),
        ..assumptions("2026-03-02", "2026-03-13")
    };
    let sim = simulate(&policy, &a);
    assert!(sim.bug.is_none(), "{}", text::render(&sim));
    let first = sim
        .server
        .first_out_of_room
        .as_ref()
        .expect("the server fills");
    // Mon 2nd, Tue 3rd, Wed 4th fit (18 GB of 18 usable); Thursday's does not.
    assert_eq!(first.date, date("2026-03-05"));
    assert!(sim.nights.iter().any(|n| n.server_full));
}

#[test]
fn the_same_seed_replays_the_same_mishaps() {
    let policy = policy("policies/six-day-after-midnight.yaml");
    let a = Assumptions {
        missed_days: 0.1,
        wrong_disk: 0.2,
        ..assumptions("2026-01-01", "2026-06-30")
    };
    let first = simulate(&policy, &a);
    let again = simulate(&policy, &a);
    assert!(first.bug.is_none(), "{}", text::render(&first));
    assert_eq!(text::render(&first), text::render(&again));
    let other = simulate(&policy, &Assumptions { seed: 2, ..a });
    assert_ne!(
        first.nights.iter().map(|n| n.missed).collect::<Vec<_>>(),
        other.nights.iter().map(|n| n.missed).collect::<Vec<_>>()
    );
}

#[test]
fn an_archive_office_keeps_its_invariants_for_two_years() {
    let a = Assumptions {
        wrong_disk: 0.05,
        missed_days: 0.03,
        ..assumptions("2026-01-01", "2027-12-31")
    };
    let sim = simulate(&policy("policies/four-day-june-fiscal-year.yaml"), &a);
    assert!(sim.bug.is_none(), "{}", text::render(&sim));
    let archive = sim.disks.iter().find(|t| t.label == "ARCHIVE-A").unwrap();
    assert!(
        archive.used.last().copied().unwrap_or(0) > 0,
        "the archive disk was used"
    );
}

#[test]
fn the_html_report_has_the_charts_and_the_calendar() {
    let a = assumptions("2026-01-01", "2026-12-31");
    let sim = simulate(&policy("policies/vendor-guide.yaml"), &a);
    let page = html::render(&sim).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        page.matches("<polyline").count(),
        5 + 1,
        "five disks and the server"
    );
    assert!(page.contains("Answer: enough."));
    // March 31st's backup is a quarter-end, kept on TUE.
    assert!(
        page.contains("<title>2026-03-31: MacPractice_2026-03-31_2330.mpbackup kept on TUE"),
        "{page}"
    );
    assert!(page.contains("class=\"closed\""));
    assert!(!page.contains("{{") && !page.contains("{%"));
}

/// The x-axis labels of each chart on the page (`<text x=.. y=..
/// text-anchor="middle">2027-01</text>`), chart by chart: a chart's labels
/// run left to right, so a label left of the one before starts the next chart.
fn axis_labels(page: &str) -> Vec<Vec<(f64, String)>> {
    let mut charts: Vec<Vec<(f64, String)>> = Vec::new();
    for piece in page.split("<text x=\"").skip(1) {
        let (x, rest) = piece.split_once('"').unwrap();
        let Some(rest) = rest.strip_prefix(" y=\"") else {
            continue;
        };
        let (_, rest) = rest.split_once('"').unwrap();
        let Some(rest) = rest.strip_prefix(" text-anchor=\"middle\">") else {
            continue;
        };
        let label = rest.split('<').next().unwrap();
        if label.len() < 4 || !label.starts_with("20") {
            continue; // the calendar's day numbers
        }
        let x: f64 = x.parse().unwrap();
        match charts.last_mut() {
            Some(chart) if chart.last().is_some_and(|(before, _)| *before < x) => {
                chart.push((x, label.to_string()))
            }
            _ => charts.push(vec![(x, label.to_string())]),
        }
    }
    charts
}

#[test]
fn the_charts_date_labels_never_overlap() {
    // The period starts four nights before a new year (and a new quarter):
    // its first night's label would sit on top of the year's.
    let a = assumptions("2026-12-28", "2027-04-30");
    let sim = simulate(&policy("policies/vendor-guide.yaml"), &a);
    let page = html::render(&sim).unwrap();
    let rows = axis_labels(&page);
    assert!(rows.len() >= 2, "the usage and written charts: {rows:?}");
    for labels in &rows {
        assert!(labels.iter().any(|(_, l)| l == "2027-01"), "{labels:?}");
        assert!(!labels.iter().any(|(_, l)| l == "2026-12"), "{labels:?}");
        for pair in labels.windows(2) {
            let ((x1, l1), (x2, l2)) = (&pair[0], &pair[1]);
            let room = (charts::label_width(l1) + charts::label_width(l2)) / 2.0;
            assert!(x2 - x1 >= room, "{l1} at {x1} and {l2} at {x2} overlap");
        }
    }
    // A period that starts well before the first boundary keeps its first label.
    let a = assumptions("2026-11-02", "2027-04-30");
    let page = html::render(&simulate(&policy("policies/vendor-guide.yaml"), &a)).unwrap();
    for labels in &axis_labels(&page) {
        assert_eq!(labels[0].1, "2026-11", "{labels:?}");
    }
}

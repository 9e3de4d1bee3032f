//! `rota simulate` of ten years, nightly, for the vendor guide's policy: how
//! long it takes, next to the bare planner loop it is built on (one plan and
//! one simulated apply a night, no invariant checks, no second plan), so the
//! cost of checking every invariant every night shows as a ratio.
//!
//! Run with `cargo bench --bench simulate` (a plain release harness).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime, Utc};
use rota::placement::nightly;
use rota::plan::make_plan;
use rota::policy::{self, Policy};
use rota::simulate::synthetic::SyntheticOffice;
use rota::simulate::{Assumptions, Growth, simulate};

const GB: u64 = 1_000_000_000;
const ROUNDS: usize = 3;

fn vendor_policy() -> Policy {
    let text = include_str!("../policies/vendor-guide.yaml");
    policy::load_str(text, Path::new("/office/rota.yaml"))
        .expect("the vendor policy loads")
        .policy
}

fn ten_years() -> Assumptions {
    Assumptions {
        from: "2026-01-01".parse().unwrap(),
        to: "2035-12-31".parse().unwrap(),
        backup_size: 6 * GB,
        growth: Growth::parse("2%/month").unwrap(),
        missed_days: 0.02,
        wrong_disk: 0.03,
        disk_size: 2_000 * GB,
        server_size: None,
        seed: 1,
    }
}

/// The planner loop alone: tonight's backup, tonight's disk, plan, apply.
fn bare_loop(policy: &Policy, from: NaiveDate, to: NaiveDate) -> usize {
    let mut office = SyntheticOffice::new(policy, 2_000 * GB);
    let mut actions = 0;
    let backup_time = NaiveTime::from_hms_opt(23, 30, 0).unwrap();
    let apply_time = NaiveTime::from_hms_opt(23, 55, 0).unwrap();
    for date in from.iter_days().take_while(|day| *day <= to) {
        let night = nightly::night(policy, date);
        if night.open {
            office.add_backup(policy, date.and_time(backup_time), 6 * GB);
            let at = policy.office.calendar.instant_of(date.and_time(apply_time));
            let labels: Vec<&str> = night.connect.iter().map(String::as_str).collect();
            office.connect_only(&labels, at.with_timezone(&Utc));
        }
        let at = policy.office.calendar.instant_of(date.and_time(apply_time));
        office.last_restore_test = Some(date);
        let plan = make_plan(policy, &office.inventory(policy), at);
        actions += plan.actions.len();
        office
            .apply(&plan, at.with_timezone(&Utc))
            .expect("the plan applies");
    }
    actions
}

fn best_of(rounds: usize, mut run: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .expect("at least one round")
}

fn main() {
    let policy = vendor_policy();
    let assumptions = ten_years();
    let nights = (assumptions.to - assumptions.from).num_days() + 1;
    let mut summary = None;
    let simulated = best_of(ROUNDS, || summary = Some(simulate(&policy, &assumptions)));
    let simulation = summary.expect("simulated");
    assert!(simulation.bug.is_none(), "ten years break no invariant");
    let bare = best_of(ROUNDS, || {
        std::hint::black_box(bare_loop(&policy, assumptions.from, assumptions.to));
    });
    println!(
        "rota simulate, vendor guide, {} to {} ({nights} nights, {} copies): {:.2} s ({:.0} µs a night)",
        assumptions.from,
        assumptions.to,
        simulation.totals().copies,
        simulated.as_secs_f64(),
        simulated.as_secs_f64() * 1e6 / nights as f64
    );
    println!(
        "bare planner loop (one plan + apply a night, no checks): {:.2} s; simulate / bare = {:.2}",
        bare.as_secs_f64(),
        simulated.as_secs_f64() / bare.as_secs_f64()
    );
}

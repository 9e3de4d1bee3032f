//! Where `rota plan`'s time goes on a large office: scan, plan, JSON. Run with
//! `cargo bench --bench plan_stages -- WORKDIR` after
//! `benches/plan_vs_rotate_backups.sh` has built the 100,000-backup office in
//! WORKDIR (default /tmp/rota-bench).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// The system allocator, counting allocations (how many, not how big): small
/// allocations by the hundred thousand are a cost of their own on a large plan.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use chrono::{TimeZone, Utc};

fn main() {
    let work = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/rota-bench"));
    let policy = rota::policy::load(&work.join("policy.yaml"))
        .expect("run benches/plan_vs_rotate_backups.sh first")
        .policy;
    let at = policy
        .office
        .calendar
        .timezone
        .with_ymd_and_hms(2026, 5, 29, 12, 0, 0)
        .unwrap();
    for round in 1..=3 {
        let start = Instant::now();
        let before_scan = ALLOCATIONS.load(Relaxed);
        let inventory = rota::inventory::scan(&policy, Utc::now()).unwrap();
        let scanned = start.elapsed();
        let after_scan_allocs = ALLOCATIONS.load(Relaxed);
        let after_scan = peak_kb();
        let plan = rota::plan::make_plan(&policy, &inventory, at);
        let planned = start.elapsed();
        let after_plan_allocs = ALLOCATIONS.load(Relaxed);
        let after_plan = peak_kb();
        // As `rota plan --format json` writes it: in chunks, never held whole.
        let mut json = ByteCount(0);
        rota::plan::json::write_plan(&plan, &mut json).unwrap();
        let rendered = start.elapsed();
        let after_json_allocs = ALLOCATIONS.load(Relaxed);
        println!(
            "round {round}: scan {:>6.0} ms, plan {:>6.0} ms, json {:>6.0} ms ({} backups, {} actions, {} KB of JSON)",
            scanned.as_secs_f64() * 1e3,
            (planned - scanned).as_secs_f64() * 1e3,
            (rendered - planned).as_secs_f64() * 1e3,
            plan.backups.len(),
            plan.actions.len(),
            json.0 / 1024
        );
        println!(
            "         peak memory: {} MB after scan, {} MB after plan, {} MB after JSON",
            after_scan / 1024,
            after_plan / 1024,
            peak_kb() / 1024
        );
        println!(
            "         allocations: {}k in scan, {}k in plan, {}k in JSON",
            (after_scan_allocs - before_scan) / 1000,
            (after_plan_allocs - after_scan_allocs) / 1000,
            (after_json_allocs - after_plan_allocs) / 1000
        );
    }
}

/// A writer that only counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process's peak resident memory so far (Linux; 0 elsewhere).
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

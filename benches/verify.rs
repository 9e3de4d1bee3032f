//! `rota verify`'s reading speed: re-hashing a 512 MiB copy through
//! `hygiene::verify` next to plainly reading the same file with the same 1 MiB
//! buffer (the ceiling any verifier can reach). Both read from the page cache
//! after a warm-up, so the ratio is the cost of hashing and bookkeeping, not of
//! the disk. Run with `cargo bench --bench verify`.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use rota::content_hash::{BUFFER_SIZE, hash_file};
use rota::hygiene::verify::{Folder, verify_folder};
use rota::inventory::{CopyRecord, EntryKind, Manifest};

const SIZE: usize = 512 << 20;
const ROUNDS: usize = 5;
const NAME: &str = "MacPractice_2026-03-31_2330.mpbackup";

fn plain_read(path: &Path) -> u64 {
    let mut file = std::fs::File::open(path).unwrap();
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut total = 0u64;
    loop {
        match file.read(&mut buffer).unwrap() {
            0 => return total,
            read => total += std::hint::black_box(read) as u64,
        }
    }
}

fn best_of(mut run: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(NAME);
    let data: Vec<u8> = (0..SIZE)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &data).unwrap();
    drop(data);
    let mut manifest = Manifest::new("bench", "MON");
    manifest.record(CopyRecord {
        name: NAME.into(),
        size: SIZE as u64,
        kind: EntryKind::File,
        hash: hash_file(&path).unwrap(),
        copied_at: Utc::now(),
        verified_at: Some(Utc::now()),
        ciphertext_hash: None,
        fingerprint: None,
    });
    manifest.save(dir.path()).unwrap();
    let folder = Folder {
        location: "MON",
        path: dir.path().to_path_buf(),
        disk_id: Some("bench"),
        strays: &[],
    };
    plain_read(&path);
    let read = best_of(|| {
        plain_read(&path);
    });
    let verified = best_of(|| {
        let report = verify_folder(&folder, Utc::now(), &mut |_| {});
        assert!(!report.has_rot());
    });
    let mb = SIZE as f64 / 1e6;
    println!(
        "plain read of 512 MiB (1 MiB buffer): {:.0} MB/s",
        mb / read.as_secs_f64()
    );
    println!(
        "rota verify of the same copy: {:.0} MB/s; verify / plain read = {:.2}",
        mb / verified.as_secs_f64(),
        verified.as_secs_f64() / read.as_secs_f64()
    );
}

//! The measuring half of `benches/copy_throughput.sh`: rota's own copy and
//! read-back, timed from inside so cargo's start-up is not counted.
//!
//! ```text
//! copy_throughput copy SOURCE TARGET   copy + inline BLAKE3 hash + fsync (no read-back)
//! copy_throughput verify FILE HASH     read-back as apply does it (cached pages dropped)
//! copy_throughput read FILE            hash through the page cache (warm-cache read speed)
//! ```
//!
//! Each prints `<what> <bytes> <seconds> <MiB/s>` on one line. Run through
//! `cargo bench --bench copy_throughput -- ARGS` or the script.

use std::path::Path;
use std::time::Instant;

use rota::execute::Silent;
use rota::execute::copy::{Written, verify, write_hashed};
use rota::execute::filesystem::Fs;
use rota::inventory::EntryKind;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let fs = Fs::default();
    match args.as_slice() {
        ["copy", source, target] => {
            let started = Instant::now();
            let written = write_hashed(
                &fs,
                Path::new(source),
                EntryKind::File,
                Path::new(target),
                &mut Silent,
            )
            .unwrap_or_else(|e| panic!("copy failed: {e:?}"));
            report("copy", written.bytes, started);
            println!("hash {}", written.hash);
        }
        ["verify", file, hash] => {
            let bytes = std::fs::metadata(file).expect("the file exists").len();
            let written = Written {
                hash: hash.to_string(),
                bytes,
                files: 1,
                source: None,
            };
            let started = Instant::now();
            verify(&fs, Path::new(file), &written, &mut Silent)
                .unwrap_or_else(|e| panic!("verify failed: {e:?}"));
            report("verify", bytes, started);
        }
        ["read", file] => {
            let bytes = std::fs::metadata(file).expect("the file exists").len();
            let started = Instant::now();
            rota::content_hash::hash_path(Path::new(file)).expect("readable");
            report("read", bytes, started);
        }
        _ => {
            eprintln!("usage: copy_throughput copy SOURCE TARGET | verify FILE HASH | read FILE");
            std::process::exit(2);
        }
    }
}

fn report(what: &str, bytes: u64, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    let mib = bytes as f64 / 1_048_576.0 / seconds;
    println!("{what} {bytes} {seconds:.3} {mib:.0}");
}

//! The measuring half of `benches/bundle_read.sh`: three ways to read and
//! hash a bundle of many small files, each giving the bundle's hash
//! (`content_hash`), timed from inside:
//!
//! ```text
//! bundle_read sequential DIR   one file after the other, no hints
//! bundle_read hints DIR        one thread, files opened 16 ahead with POSIX_FADV_WILLNEED
//! bundle_read threads DIR N    N reader threads read whole files ahead; hashed in order
//! bundle_read rota DIR         rota's own `content_hash::hash_bundle`
//! ```
//!
//! Each prints `<mode> <files> <bytes> <seconds> <hash>`. The hash format
//! feeds every file's bytes, in order, into one BLAKE3 stream, so files
//! cannot be hashed apart; "in parallel" can only mean reading them in
//! parallel while one thread hashes.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use rota::content_hash::{self, BundleHasher, Listed, ListedKind, list_bundle, open_listed};

/// How many files the reader threads may be ahead of the hasher.
const AHEAD: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let (mode, dir, hash) = match args.as_slice() {
        ["sequential", dir] => ("sequential", dir, sequential(Path::new(dir))),
        ["hints", dir] => ("hints", dir, hints(Path::new(dir))),
        ["rota", dir] => (
            "rota",
            dir,
            content_hash::hash_bundle(Path::new(dir)).unwrap(),
        ),
        ["threads", dir, n] => (
            "threads",
            dir,
            threads(Path::new(dir), n.parse().expect("N")),
        ),
        _ => {
            eprintln!("usage: bundle_read (sequential DIR | hints DIR | threads DIR N | rota DIR)");
            std::process::exit(2);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let (mut files, mut bytes) = (0u64, 0u64);
    for entry in content_hash::bundle_entries(Path::new(dir)).unwrap() {
        if let content_hash::BundleEntryKind::File { len } = entry.kind {
            files += 1;
            bytes += len;
        }
    }
    println!("{mode} {files} {bytes} {seconds:.3} {hash}");
}

fn read_whole(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    open_listed(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
}

/// Hashes a listing, each file's bytes given by `next_file` in order.
fn hash_listing(dir: &Path, listing: &[Listed], next_file: &mut dyn FnMut() -> Vec<u8>) -> String {
    let mut hasher = BundleHasher::new();
    for entry in listing {
        match entry.kind {
            ListedKind::Directory => hasher.directory(&entry.key),
            ListedKind::Symlink => {
                let target = std::fs::read_link(dir.join(&entry.relative)).unwrap();
                hasher.symlink(
                    &entry.key,
                    &content_hash::listing::os_bytes(target.as_os_str()),
                );
            }
            ListedKind::File => {
                let data = next_file();
                hasher.begin_file(&entry.key, data.len() as u64).unwrap();
                hasher.file_data(&data);
            }
        }
    }
    hasher.finish().unwrap()
}

fn regular_files(dir: &Path, listing: &[Listed]) -> Vec<std::path::PathBuf> {
    listing
        .iter()
        .filter(|entry| entry.kind == ListedKind::File)
        .map(|entry| dir.join(&entry.relative))
        .collect()
}

fn sequential(dir: &Path) -> String {
    let listing = list_bundle(dir).unwrap();
    let mut paths = regular_files(dir, &listing).into_iter();
    hash_listing(dir, &listing, &mut || read_whole(&paths.next().unwrap()))
}

fn hints(dir: &Path) -> String {
    const WINDOW: usize = 16;
    let listing = list_bundle(dir).unwrap();
    let paths = regular_files(dir, &listing);
    let mut opened = std::collections::VecDeque::new();
    let mut next = 0;
    hash_listing(dir, &listing, &mut || {
        while opened.len() < WINDOW && next < paths.len() {
            let file = open_listed(&paths[next]).unwrap();
            rota::page_cache::prefetch(&file);
            opened.push_back(file);
            next += 1;
        }
        let mut bytes = Vec::new();
        opened.pop_front().unwrap().read_to_end(&mut bytes).unwrap();
        bytes
    })
}

fn threads(dir: &Path, readers: usize) -> String {
    let listing = list_bundle(dir).unwrap();
    let paths = regular_files(dir, &listing);
    let next = AtomicUsize::new(0);
    let hashed = AtomicUsize::new(0);
    let (send, receive) = mpsc::sync_channel::<(usize, Vec<u8>)>(AHEAD);
    std::thread::scope(|scope| {
        for _ in 0..readers {
            let send = send.clone();
            let (paths, next, hashed) = (&paths, &next, &hashed);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= paths.len() {
                        return;
                    }
                    // Stay at most AHEAD files in front of the hasher.
                    while i > hashed.load(Ordering::SeqCst) + AHEAD {
                        std::thread::yield_now();
                    }
                    if send.send((i, read_whole(&paths[i]))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        let mut waiting: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut turn = 0usize;
        hash_listing(dir, &listing, &mut || {
            loop {
                if let Some(data) = waiting.remove(&turn) {
                    turn += 1;
                    hashed.store(turn, Ordering::SeqCst);
                    return data;
                }
                let (i, data) = receive.recv().expect("a reader sends every file");
                waiting.insert(i, data);
            }
        })
    })
}

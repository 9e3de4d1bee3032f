//! Opening a copy for its read-back check so that the disk is really read, not
//! the memory that still holds what was just written:
//!
//! - Linux (and other systems with `posix_fadvise`): the file's cached pages
//!   are dropped (`POSIX_FADV_DONTNEED`) after it was flushed to the disk;
//! - macOS: caching is switched off for the descriptor (`F_NOCACHE`);
//! - elsewhere: nothing can be done portably, and the read may come from
//!   memory (the copy was still written and flushed from the same bytes).
//!
//! Best effort by design: a platform that refuses the hint still gets a
//! read-back, so failures are ignored. Never writes.

use std::fs::File;
use std::io;
use std::path::Path;

/// Opens `path` for reading with its cached pages dropped where possible.
pub fn open_uncached(path: &Path) -> io::Result<File> {
    let file = File::open(path)?;
    drop_cached_pages(&file);
    Ok(file)
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn drop_cached_pages(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor; the call only advises the kernel.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
    }
}

#[cfg(target_os = "macos")]
fn drop_cached_pages(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor; F_NOCACHE only changes caching for it.
    unsafe {
        libc::fcntl(file.as_raw_fd(), libc::F_NOCACHE, 1);
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "macos"
)))]
fn drop_cached_pages(_file: &File) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_uncached_file_reads_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy");
        std::fs::write(&path, b"written and flushed").unwrap();
        File::open(&path).unwrap().sync_all().unwrap();
        let mut text = String::new();
        open_uncached(&path)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "written and flushed");
        assert!(open_uncached(&dir.path().join("absent")).is_err());
    }
}

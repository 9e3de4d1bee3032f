//! Hints to the operating system's page cache, so that copies are checked
//! against the disk and large copies stream:
//!
//! - a copy's read-back must read the disk, not the memory that still holds
//!   what was just written: on Linux (and other systems with `posix_fadvise`)
//!   the file's cached pages are dropped (`POSIX_FADV_DONTNEED`) after it was
//!   flushed; on macOS caching is switched off for the descriptor
//!   (`F_NOCACHE`); elsewhere nothing can be done portably and the read may
//!   come from memory (the copy was still written and flushed from the same
//!   bytes);
//! - sources and read-backs are read sequentially (`POSIX_FADV_SEQUENTIAL`);
//! - on Linux a copy's written ranges are queued for writing to the disk as
//!   they are written (`sync_file_range`), so the final flush is short.
//!
//! Best effort by design: a platform that refuses a hint still gets a correct
//! copy and a read-back, so failures are ignored. Never writes data.

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

/// Tells the OS the file will be read from start to end (larger read-ahead).
pub fn read_sequentially(file: &File) {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid descriptor; the call only advises the kernel.
        unsafe {
            libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_SEQUENTIAL);
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let _ = file;
}

/// Starts writing a just-written range to the disk without waiting (Linux), so
/// the final flush of a large copy has little left to do. Elsewhere the final
/// flush does it all.
pub fn start_writeback(file: &File, offset: u64, len: usize) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        // SAFETY: a valid descriptor; SYNC_FILE_RANGE_WRITE only queues writeback.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (file, offset, len);
}

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

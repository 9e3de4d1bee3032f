//! Hints to the operating system's page cache, so that copies are checked
//! against the disk and copies of big files and of many small files stream:
//!
//! - a copy's read-back must read the disk, not the memory that still holds
//!   what was just written ([`evict`], once the copy is flushed):
//!   - Linux (and other systems with `posix_fadvise`): the file's cached
//!     pages are dropped (`POSIX_FADV_DONTNEED`; flushed pages are clean, so
//!     all of them go);
//!   - macOS: copies are written and read with caching off for the
//!     descriptor ([`no_cache`], `F_NOCACHE`), which does not evict pages
//!     already cached, so after the flush the file is mapped and its pages
//!     invalidated (`msync(MS_INVALIDATE)`);
//!   - elsewhere nothing can be done portably and the read may come from
//!     memory (the copy was still written and flushed from the same bytes);
//! - files about to be read are announced ([`prefetch`],
//!   `POSIX_FADV_WILLNEED`) so the disk reads several small files at once,
//!   and big ones are read sequentially ([`read_sequentially`]);
//! - on Linux a copy's written ranges are queued for writing to the disk as
//!   they are written ([`start_writeback`], `sync_file_range`), so the final
//!   flush is short.
//!
//! Best effort by design: a platform that refuses a hint still gets a correct
//! copy and a read-back, so failures are ignored. Never writes data.
//! [`resident_pages`] (Linux `mincore`) lets tests prove the eviction.

use std::fs::File;
use std::path::Path;

/// How much of a file [`prefetch`] asks for: all of a small file, the start
/// of a big one (whose sequential read-ahead then takes over).
const PREFETCH_BYTES: i64 = 1 << 20;

/// Readies a file just opened for a read-back from the disk: its cached
/// pages dropped, caching off (macOS), read-ahead asked for.
pub fn prepare_read_back(file: &File) {
    evict(file);
    no_cache(file);
    read_sequentially(file);
    prefetch(file);
}

/// Drops a flushed file's pages from memory, so the next read comes from
/// the disk. The file must have been flushed: dirty pages cannot go.
pub fn evict(file: &File) {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    advise(file, 0, 0, libc::POSIX_FADV_DONTNEED);
    #[cfg(target_os = "macos")]
    invalidate_mapped(file);
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "macos"
    )))]
    let _ = file;
}

/// Drops the cached pages of the file at `path` ([`evict`]); a file that
/// cannot be opened is left alone (its read-back will fail loudly).
pub fn evict_path(path: &Path) {
    if let Ok(file) = File::open(path) {
        evict(&file);
    }
}

/// macOS: maps the file and invalidates its cached pages, so they are read
/// again from the disk (`F_NOCACHE` alone keeps pages already cached).
#[cfg(target_os = "macos")]
fn invalidate_mapped(file: &File) {
    use std::os::fd::AsRawFd;
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
    let Ok(len) = usize::try_from(len) else {
        return;
    };
    if len == 0 {
        return;
    }
    // SAFETY: a read-only shared mapping of a file we hold open, unmapped
    // before returning; nothing reads through it.
    unsafe {
        let map = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        );
        if map == libc::MAP_FAILED {
            return;
        }
        libc::msync(map, len, libc::MS_INVALIDATE);
        libc::munmap(map, len);
    }
}

/// Turns caching off for this descriptor's reads and writes (macOS
/// `F_NOCACHE`); elsewhere a no-op ([`evict`] does the work there).
pub fn no_cache(file: &File) {
    #[cfg(target_os = "macos")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid descriptor; F_NOCACHE only changes caching for it.
        unsafe {
            libc::fcntl(file.as_raw_fd(), libc::F_NOCACHE, 1);
        }
    }
    #[cfg(not(target_os = "macos"))]
    let _ = file;
}

/// Tells the OS the file will be read from start to end (larger read-ahead).
pub fn read_sequentially(file: &File) {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    advise(file, 0, 0, libc::POSIX_FADV_SEQUENTIAL);
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let _ = file;
}

/// Tells the OS the file will be read soon: its start (all of a small file)
/// is read in the background, alongside the reads of other files.
pub fn prefetch(file: &File) {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    advise(file, 0, PREFETCH_BYTES, libc::POSIX_FADV_WILLNEED);
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let _ = (file, PREFETCH_BYTES);
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn advise(file: &File, offset: i64, len: i64, advice: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor; the call only advises the kernel.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), offset, len, advice);
    }
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

/// How many of the file's pages are in memory now (Linux `mincore`); `None`
/// where that cannot be asked.
pub fn resident_pages(path: &Path) -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let file = File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len == 0 {
            return Some(0);
        }
        // SAFETY: sysconf has no memory effects.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
        let mut vector = vec![0u8; len.div_ceil(page)];
        // SAFETY: a read-only mapping of an open file, never read through,
        // unmapped before returning; `vector` has one byte per page.
        unsafe {
            let map = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            );
            if map == libc::MAP_FAILED {
                return None;
            }
            let status = libc::mincore(map, len, vector.as_mut_ptr());
            libc::munmap(map, len);
            if status != 0 {
                return None;
            }
        }
        Some(vector.iter().filter(|page| *page & 1 == 1).count())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_file_readied_for_read_back_reads_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy");
        std::fs::write(&path, b"written and flushed").unwrap();
        crate::flush::file(&File::open(&path).unwrap()).unwrap();
        let mut file = File::open(&path).unwrap();
        prepare_read_back(&file);
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert_eq!(text, "written and flushed");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_flushed_file_is_evicted_from_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy");
        std::fs::write(&path, vec![7u8; 64 << 10]).unwrap();
        let file = File::open(&path).unwrap();
        crate::flush::file(&file).unwrap();
        assert!(
            resident_pages(&path).unwrap() > 0,
            "just written: in memory"
        );
        evict_path(&path);
        assert_eq!(resident_pages(&path), Some(0));
    }
}

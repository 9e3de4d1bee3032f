//! Flushing a bundle copy as one unit, and getting its pages out of memory
//! before it is read back. One flush per file costs a wait on the drive per
//! file (on Linux a journal commit each, on macOS `F_FULLFSYNC` empties the
//! whole drive cache each time): 20,000 small files made that minutes.
//!
//! - **Linux**: each file's writeback starts as soon as it is written
//!   (`sync_file_range`), so the disk works while the next files are read;
//!   [`WINDOW`] files later it is waited for and its (now clean) pages are
//!   dropped. At the end one `syncfs` puts every file, folder and name of
//!   the copy on the disk (with one journal commit), reporting any write
//!   error since the copy's folder was opened; then the last files' pages
//!   are dropped. When the read-back starts no page of the copy is in
//!   memory (`copy_tests` proves it with `mincore`).
//! - **macOS**: each file is written through to the drive (`fsync`, which
//!   there stops at the drive's cache) as it is finished, each folder at the
//!   end, then one `F_FULLFSYNC` empties the drive's cache for all of them
//!   (`crate::flush` falls back to `fsync` on volumes without it). Copies
//!   are written with caching off (`F_NOCACHE`), and the read-back
//!   invalidates any page left before it reads a file.
//! - **Elsewhere**: each file and folder is fully flushed.
//!
//! Every flush is announced through the fault seam. This module writes
//! nothing but flushes.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::effects::Fs;
#[cfg(any(target_os = "linux", target_os = "android"))]
use crate::page_cache;

/// How many written files are left to the disk's writeback before the copy
/// waits for the oldest (Linux).
pub const WINDOW: usize = 64;

/// A bundle copy's files written and not yet known to be on the disk.
pub(super) struct Unflushed {
    /// The copy's folder, opened before anything was written in it.
    root: File,
    /// The files written most recently, still open.
    recent: VecDeque<(PathBuf, File)>,
}

impl Unflushed {
    /// Starts a copy into the (new, empty) folder `temp`.
    pub fn new(temp: &Path) -> io::Result<Unflushed> {
        Ok(Unflushed {
            root: File::open(temp)?,
            recent: VecDeque::with_capacity(WINDOW + 1),
        })
    }

    /// A file of the copy has been written in full.
    pub fn written(&mut self, fs: &Fs, path: &Path, file: File) -> io::Result<()> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let _ = fs;
            page_cache::start_writeback(&file, 0, 0);
            self.recent.push_back((path.to_path_buf(), file));
            if self.recent.len() > WINDOW
                && let Some((_, oldest)) = self.recent.pop_front()
            {
                page_cache::finish_writeback(&oldest);
                page_cache::evict(&oldest);
            }
            Ok(())
        }
        #[cfg(target_vendor = "apple")]
        {
            fs.sync_to_drive(&file, path)?;
            // The last file stays open: the final drive flush goes through it.
            self.recent.clear();
            self.recent.push_back((path.to_path_buf(), file));
            Ok(())
        }
        #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
        {
            fs.sync_file(&file, path)?;
            let _ = &self.recent;
            Ok(())
        }
    }

    /// Flushes the whole copy, rooted at `temp`, whose folders (`temp`
    /// included) are `folders`, and drops its pages from memory.
    pub fn flush(self, fs: &Fs, temp: &Path, folders: &[&Path]) -> io::Result<()> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let _ = folders;
            fs.sync_tree(&self.root, temp)?;
            for (_, file) in &self.recent {
                page_cache::evict(file);
            }
            Ok(())
        }
        #[cfg(target_vendor = "apple")]
        {
            for folder in folders {
                fs.sync_folder_to_drive(folder)?;
            }
            let last = self.recent.back().map_or(&self.root, |(_, file)| file);
            fs.sync_tree(last, temp)
        }
        #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
        {
            let _ = &self.root;
            let _ = temp;
            for folder in folders {
                fs.sync_dir(folder)?;
            }
            Ok(())
        }
    }
}

//! Handing `state_dir` to the account the job runs as, at install: the job
//! must write its catalog, journal, lock and logs there, and the same person
//! running `rota apply` by hand must be able to take the lock. Only rota's
//! own folder is touched; symlinks are changed themselves (lchown), never
//! followed, and entries already the account's are left alone. Needs root
//! (it runs under `sudo rota schedule install`).

use std::io;
use std::path::Path;

/// Makes everything in `dir` (and `dir`) belong to `uid`:`gid`. Returns how
/// many entries changed hands.
#[cfg(unix)]
pub fn hand_over(dir: &Path, uid: u32, gid: u32) -> io::Result<usize> {
    use std::os::unix::fs::MetadataExt;
    let mut changed = 0;
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        let metadata = entry.path().symlink_metadata()?;
        if metadata.uid() == uid && metadata.gid() == gid {
            continue;
        }
        std::os::unix::fs::lchown(entry.path(), Some(uid), Some(gid))?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(not(unix))]
pub fn hand_over(_dir: &Path, _uid: u32, _gid: u32) -> io::Result<usize> {
    Ok(0)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn the_folder_and_everything_in_it_change_hands_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "not rota's").unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir_all(state.join("logs")).unwrap();
        std::fs::write(state.join("catalog.json"), "{}").unwrap();
        std::os::unix::fs::symlink(&outside, state.join("link")).unwrap();
        let before = std::fs::metadata(&outside).unwrap();
        // SAFETY: getuid has no preconditions and cannot fail.
        let me = unsafe { libc::getuid() };
        // Root hands the folder to nobody; anyone else to themselves.
        let (uid, gid) = if me == 0 {
            (65534, 65534)
        } else {
            (me, before.gid())
        };
        let changed = hand_over(&state, uid, gid).unwrap();
        for path in [&state, &state.join("logs"), &state.join("catalog.json")] {
            let metadata = path.symlink_metadata().unwrap();
            assert_eq!(
                (metadata.uid(), metadata.gid()),
                (uid, gid),
                "{}",
                path.display()
            );
        }
        let after = std::fs::metadata(&outside).unwrap();
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        if me == 0 {
            assert_eq!(changed, 4, "the folder, logs, catalog and the link itself");
        }
        assert_eq!(
            hand_over(&state, uid, gid).unwrap(),
            0,
            "a second time: nothing"
        );
    }
}

//! Who is running rota, for records a person may be asked about later (a
//! restore test, a restore, a confirmed change): the login name from `USER`
//! (then `LOGNAME`, `USERNAME`), else, on Unix, the name the system's user
//! database gives the real uid (`getpwuid_r`), else the uid itself. Never
//! "unknown": a record that cannot say who acted is no evidence.
//!
//! Reads the environment and the user database only; the name is worked out
//! by [`name_from`], a plain function tested with every combination.

/// The person running this process, by name.
pub fn real_user() -> String {
    let variable = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok());
    name_from(variable, account_name, real_uid())
}

/// The first usable of: the environment's name, the account's name for the
/// uid, "uid N"; `unnamed user` where there is no uid either (not Unix).
pub fn name_from(
    variable: Option<String>,
    account: impl FnOnce(u32) -> Option<String>,
    uid: Option<u32>,
) -> String {
    let usable = |name: String| {
        let name = name.trim().to_string();
        (!name.is_empty()).then_some(name)
    };
    if let Some(name) = variable.and_then(usable) {
        return name;
    }
    match uid {
        Some(uid) => account(uid)
            .and_then(usable)
            .unwrap_or_else(|| format!("uid {uid}")),
        None => String::from("unnamed user"),
    }
}

#[cfg(unix)]
fn real_uid() -> Option<u32> {
    // SAFETY: getuid takes no arguments and cannot fail.
    Some(unsafe { libc::getuid() })
}

#[cfg(not(unix))]
fn real_uid() -> Option<u32> {
    None
}

/// The user database's name for `uid`, read with the re-entrant call.
#[cfg(unix)]
fn account_name(uid: u32) -> Option<String> {
    let mut buffer = vec![0u8; 1024];
    loop {
        // SAFETY: an all-zero passwd is a valid value for getpwuid_r to fill.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call; the buffer's length is
        // passed with it, and getpwuid_r writes only inside it.
        let status = unsafe {
            libc::getpwuid_r(
                uid,
                &mut entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &mut found,
            )
        };
        if status == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if status != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points at a NUL-terminated string inside `buffer`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

#[cfg(not(unix))]
fn account_name(_uid: u32) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_comes_first_then_the_account_then_the_uid() {
        let account = |uid: u32| (uid == 501).then(|| String::from("jordan"));
        assert_eq!(name_from(Some("sam".into()), account, Some(501)), "sam");
        assert_eq!(name_from(None, account, Some(501)), "jordan");
        assert_eq!(name_from(Some("  ".into()), account, Some(501)), "jordan");
        assert_eq!(name_from(None, account, Some(502)), "uid 502");
        assert_eq!(name_from(None, |_| Some(String::new()), Some(0)), "uid 0");
        assert_eq!(name_from(None, account, None), "unnamed user");
    }

    #[cfg(unix)]
    #[test]
    fn this_process_has_a_name() {
        let name = name_from(None, account_name, real_uid());
        assert!(!name.is_empty());
        assert_ne!(name, "unknown");
        assert_ne!(name, "unnamed user");
    }
}

//! Who is running rota, for the records that name a person (a restore in
//! the audit log, `rota report`): `$USER` when it is set, else the name the
//! system's user database gives the process's user id (a job started by
//! launchd or cron as root has no `$USER`), else `uid N`. Never "unknown":
//! an access to patient data must name an account. Run through `sudo`, the
//! person who ran sudo is named too.
//!
//! A leaf: reads the environment and the user database, nothing else.

/// The account running this process, as the records name it.
pub fn current_user() -> String {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let account = env("USER")
        .or_else(account_of_uid)
        .or_else(|| env("LOGNAME"))
        .or_else(|| env("USERNAME"))
        .unwrap_or_else(uid_words);
    match env("SUDO_USER") {
        Some(person) if person != account => format!("{account} (sudo by {person})"),
        _ => account,
    }
}

/// The user database's name for the effective user id (getpwuid_r).
#[cfg(unix)]
fn account_of_uid() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    passwd_entry(
        // SAFETY: every pointer is valid for the call and the buffer's
        // length is passed with it.
        |entry, buffer, found| unsafe {
            libc::getpwuid_r(uid, entry, buffer.as_mut_ptr().cast(), buffer.len(), found)
        },
        |entry| {
            let name = c_text(entry.pw_name)?;
            (!name.is_empty()).then_some(name)
        },
    )
}

/// One reentrant user-database lookup (`getpwuid_r`, `getpwnam_r`), with a
/// buffer that grows while the C library answers ERANGE (up to 1 MiB), and
/// what `read` takes from the entry it found. `None`: no such account, or
/// the database could not answer.
#[cfg(unix)]
pub(crate) fn passwd_entry<T>(
    lookup: impl Fn(&mut libc::passwd, &mut [u8], &mut *mut libc::passwd) -> libc::c_int,
    read: impl FnOnce(&libc::passwd) -> Option<T>,
) -> Option<T> {
    let mut size = 1024;
    while size <= 1 << 20 {
        let mut buffer = vec![0u8; size];
        // SAFETY: a zeroed passwd is a valid out-parameter (plain C data).
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let status = lookup(&mut entry, &mut buffer, &mut found);
        if status == libc::ERANGE {
            size *= 4;
            continue;
        }
        if status != 0 || found.is_null() {
            return None;
        }
        // The strings `entry` points at live in `buffer`, alive until here.
        return read(&entry);
    }
    None
}

/// A C string of a passwd entry, as text (`None` for a null pointer).
#[cfg(unix)]
pub(crate) fn c_text(pointer: *const libc::c_char) -> Option<String> {
    if pointer.is_null() {
        return None;
    }
    // SAFETY: a passwd entry's non-null strings are NUL-terminated, inside
    // the buffer `passwd_entry` keeps alive while `read` runs.
    let text = unsafe { std::ffi::CStr::from_ptr(pointer) };
    Some(text.to_string_lossy().into_owned())
}

#[cfg(not(unix))]
fn account_of_uid() -> Option<String> {
    None
}

#[cfg(unix)]
fn uid_words() -> String {
    // SAFETY: geteuid has no preconditions and cannot fail.
    format!("uid {}", unsafe { libc::geteuid() })
}

#[cfg(not(unix))]
fn uid_words() -> String {
    String::from("this computer's signed-in user")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_uid_has_a_name_in_the_user_database() {
        // Whoever runs the tests has an account (root on CI).
        let name = account_of_uid().expect("the test user has an account name");
        assert!(!name.is_empty() && name != "unknown", "{name}");
    }
}

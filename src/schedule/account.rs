//! Whom the nightly job runs as, chosen deliberately: `--user NAME` when
//! given, else the person who ran `sudo rota schedule install` (`SUDO_USER`),
//! else root. The job then runs with that account's `HOME` (so `~/` in the
//! policy and rclone's config resolve as they do for that person), and
//! `state_dir` belongs to it, so the same person's own `rota apply` can take
//! the lock. The choice is a plain function; [`lookup`] asks the user
//! database (getpwnam_r) for the account's ids and home folder.

use std::path::PathBuf;

/// A user account the job can run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

/// Why this account was chosen (said when installing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// `--user NAME`.
    Asked,
    /// The person who ran `sudo` (`SUDO_USER`).
    Sudo,
    /// The job file already installed names it (status, remove).
    Installed,
    /// Neither: the job runs as root.
    Root,
}

impl Why {
    pub fn words(self) -> &'static str {
        match self {
            Why::Asked => "as --user asked",
            Why::Sudo => "the person who ran sudo; `--user NAME` chooses another",
            Why::Installed => "as the installed job says",
            Why::Root => {
                "neither --user was given nor was rota run with sudo; `--user NAME` chooses \
                 another"
            }
        }
    }
}

/// The account name to run the job as, and why: `--user`, else the job file
/// already installed (for status and remove), else `SUDO_USER` (unless it is
/// root or empty), else root.
pub fn choose(
    asked: Option<&str>,
    installed: Option<&str>,
    sudo_user: Option<&str>,
) -> (String, Why) {
    let given = |name: Option<&str>| {
        name.map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
    };
    if let Some(name) = given(asked) {
        return (name, Why::Asked);
    }
    if let Some(name) = given(installed) {
        return (name, Why::Installed);
    }
    match given(sudo_user) {
        Some(name) if name != "root" => (name, Why::Sudo),
        _ => (String::from("root"), Why::Root),
    }
}

/// The account an installed job file runs as: a plist's `UserName`, a
/// systemd unit's `User=` (`None`: it names none, as rota's files before
/// this one did).
pub fn named_in(job_file: &str) -> Option<String> {
    if let Some(rest) = job_file.split("<key>UserName</key>").nth(1) {
        let value = rest.trim_start().strip_prefix("<string>")?;
        let value = &value[..value.find("</string>")?];
        return Some(
            value
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        );
    }
    job_file
        .lines()
        .find_map(|line| line.trim().strip_prefix("User="))
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
}

/// The account named `name` in the user database.
#[cfg(unix)]
pub fn lookup(name: &str) -> Option<Account> {
    let c_name = std::ffi::CString::new(name).ok()?;
    crate::user::passwd_entry(
        // SAFETY: every pointer is valid for the call and the buffer's
        // length is passed with it.
        |entry, buffer, found| unsafe {
            libc::getpwnam_r(
                c_name.as_ptr(),
                entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                found,
            )
        },
        |entry| {
            Some(Account {
                name: name.to_string(),
                uid: entry.pw_uid,
                gid: entry.pw_gid,
                home: PathBuf::from(crate::user::c_text(entry.pw_dir)?),
            })
        },
    )
}

/// Without a user database: the account as named, at this user's home
/// (the files can still be printed for review; installing needs a Mac or Linux).
#[cfg(not(unix))]
pub fn lookup(name: &str) -> Option<Account> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(Account {
        name: name.to_string(),
        uid: 0,
        gid: 0,
        home: PathBuf::from(home),
    })
}

/// Every group `account` belongs to (its own first), as `initgroups` would
/// give a process running as it (launchd's `InitGroups`).
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub fn groups_of(account: &Account) -> Vec<u32> {
    let Ok(name) = std::ffi::CString::new(account.name.as_str()) else {
        return vec![account.gid];
    };
    let mut count: libc::c_int = 64;
    loop {
        let mut groups = vec![0; usize::try_from(count).unwrap_or(64)];
        let mut found = count;
        // SAFETY: `name` is NUL-terminated; `groups` has room for `found`
        // entries, and getgrouplist writes no more than that.
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        let status = unsafe {
            libc::getgrouplist(
                name.as_ptr(),
                account.gid as _,
                groups.as_mut_ptr(),
                &mut found,
            )
        };
        if status >= 0 {
            groups.truncate(usize::try_from(found).unwrap_or(0));
            #[allow(clippy::unnecessary_cast)]
            return groups.into_iter().map(|gid| gid as u32).collect();
        }
        if count >= 65_536 {
            return vec![account.gid];
        }
        count = found.max(count * 2);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn groups_of(account: &Account) -> Vec<u32> {
    vec![account.gid]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_is_asked_for_then_installed_then_sudo_then_root() {
        assert_eq!(
            choose(Some("anna"), Some("sam"), Some("sam")),
            ("anna".into(), Why::Asked)
        );
        assert_eq!(
            choose(None, Some("sam"), Some("anna")),
            ("sam".into(), Why::Installed)
        );
        assert_eq!(choose(None, None, Some("anna")), ("anna".into(), Why::Sudo));
        // `sudo -s` as root, an empty variable, nothing: root.
        assert_eq!(choose(None, None, Some("root")), ("root".into(), Why::Root));
        assert_eq!(
            choose(Some(" "), None, Some("")),
            ("root".into(), Why::Root)
        );
        assert_eq!(choose(None, None, None), ("root".into(), Why::Root));
    }

    #[test]
    fn the_installed_user_is_read_from_a_plist_or_a_unit() {
        let plist = "<dict>\n\t<key>Label</key>\n\t<string>org.rota.x</string>\n\t<key>UserName</key>\n\t<string>anna</string>\n";
        assert_eq!(named_in(plist), Some("anna".into()));
        let unit = "[Service]\nType=oneshot\nUser=sam\nEnvironment=HOME=/home/sam\n";
        assert_eq!(named_in(unit), Some("sam".into()));
        assert_eq!(named_in("[Service]\nType=oneshot\n"), None);
    }

    #[cfg(unix)]
    #[test]
    fn root_is_in_the_user_database_and_a_made_up_name_is_not() {
        let root = lookup("root").expect("root has an account");
        assert_eq!((root.uid, root.gid), (0, 0));
        assert!(root.home.is_absolute(), "{}", root.home.display());
        assert_eq!(lookup("no-such-user-rota-29"), None);
        assert!(groups_of(&root).contains(&0));
    }
}

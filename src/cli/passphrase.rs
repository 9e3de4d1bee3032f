//! Getting the passphrase of a protected age identity file: from
//! `ROTA_AGE_PASSPHRASE` when set (scripts, scheduled restore tests), else by
//! asking on the terminal without echoing what is typed. Without either, there
//! is none, and the command says how to give one.

use std::io::{self, BufRead, IsTerminal, Write};

use age::secrecy::SecretString;

/// The environment variable a passphrase may come from.
pub const PASSPHRASE_VAR: &str = "ROTA_AGE_PASSPHRASE";

/// The passphrase for `what`, from the environment or the terminal.
pub fn passphrase_for(what: &str) -> Option<SecretString> {
    if let Some(value) = std::env::var_os(PASSPHRASE_VAR) {
        return Some(SecretString::from(value.to_string_lossy().into_owned()));
    }
    if !io::stdin().is_terminal() {
        return None;
    }
    let line = read_hidden(&format!("Passphrase for {what}: ")).ok()?;
    Some(SecretString::from(line))
}

#[cfg(unix)]
fn read_hidden(prompt: &str) -> io::Result<String> {
    use std::os::fd::AsRawFd;
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: `fd` is an open terminal and `saved` is written by tcgetattr
    // before it is read.
    let saved = unsafe {
        if libc::tcgetattr(fd, saved.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        saved.assume_init()
    };
    let mut quiet = saved;
    quiet.c_lflag &= !libc::ECHO;
    quiet.c_lflag |= libc::ECHONL;
    // SAFETY: `quiet` is a valid termios copied from the terminal's own.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    let mut writer = &tty;
    let _ = write!(writer, "{prompt}");
    let _ = writer.flush();
    let mut line = String::new();
    let read = io::BufReader::new(&tty).read_line(&mut line);
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(not(unix))]
fn read_hidden(prompt: &str) -> io::Result<String> {
    // No portable way to hide typing here: say so rather than pretend.
    eprint!("{prompt}(typing will show) ");
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

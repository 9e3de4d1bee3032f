//! The `rota` binary: everything lives in the library; this only hands over the
//! process's arguments and turns the outcome into an exit code.

fn main() -> std::process::ExitCode {
    restore_default_sigpipe();
    rota::cli::main()
}

/// Rust ignores SIGPIPE, so `rota plan | head` would panic on the first write
/// after `head` exits; like any Unix tool, rota should just stop quietly.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any other thread exists;
    // setting a signal's disposition to the default is always sound.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}

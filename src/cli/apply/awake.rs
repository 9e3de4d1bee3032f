//! Keeps a Mac awake while `apply` runs. Idle sleep suspends a long copy in
//! the middle of the night (and the run then ends in the morning, or never);
//! `caffeinate -i -w PID` holds a power assertion against idle sleep for as
//! long as the process PID lives, so it is released even when rota is
//! killed. Elsewhere nothing is needed: Linux servers do not idle-sleep.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Apple's tool, at its fixed path (never one found on `PATH`).
const CAFFEINATE: &str = "/usr/bin/caffeinate";

/// The arguments that keep the machine from idle sleep while `pid` lives.
pub fn caffeinate_args(pid: u32) -> Vec<String> {
    vec![String::from("-i"), String::from("-w"), pid.to_string()]
}

/// The power assertion, held until this is dropped (or rota exits).
pub struct KeptAwake(Option<Child>);

impl KeptAwake {
    /// Starts `caffeinate` on a Mac; does nothing elsewhere, or when it is
    /// missing (the night still runs, as it did before: docs/macos.md tells
    /// the office to set the Mac not to sleep).
    pub fn start() -> KeptAwake {
        if !cfg!(target_os = "macos") || !Path::new(CAFFEINATE).exists() {
            return KeptAwake(None);
        }
        let child = Command::new(CAFFEINATE)
            .args(caffeinate_args(std::process::id()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        KeptAwake(child)
    }
}

impl Drop for KeptAwake {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            // Errors mean it has already gone, which is what is wanted.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assertion_prevents_idle_sleep_for_the_life_of_this_process() {
        assert_eq!(caffeinate_args(4321), ["-i", "-w", "4321"]);
    }

    #[test]
    fn off_a_mac_nothing_is_started() {
        if !cfg!(target_os = "macos") {
            assert!(KeptAwake::start().0.is_none());
        }
    }
}

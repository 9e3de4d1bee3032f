//! A real protocol server for the off-site tests: `rclone serve sftp` on a
//! loopback port over a temp folder (Debian's rclone 1.60 has no `serve s3`;
//! SFTP offers MD5 and SHA-1 the way most clouds offer one hash or two),
//! reached through a remote `office` in a temp rclone.conf. It can be stopped
//! and started again on the same port, as a network failure and its end.
//!
//! rclone must be installed (`scripts/test` installs it; `super::tools` fails
//! the test with that advice when it is missing).

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// `rclone serve sftp` over `served/`, stopped when dropped.
pub struct SftpServer {
    child: Option<Child>,
    port: u16,
    /// The folder the server serves: the remote `office:` is this folder.
    pub served: PathBuf,
    cache: PathBuf,
}

const USER: &str = "rota";
const PASSWORD: &str = "test-only-password";

impl SftpServer {
    pub fn start(root: &Path) -> SftpServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let mut server = SftpServer {
            child: None,
            port,
            served: root.join("served"),
            cache: root.join("rclone-cache"),
        };
        fs::create_dir_all(&server.served).unwrap();
        server.restart();
        server
    }

    /// Starts (again) on the same port, and waits until it accepts connections.
    pub fn restart(&mut self) {
        let child = Command::new(super::tools::rclone())
            .args(["serve", "sftp"])
            .arg(&self.served)
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .args(["--user", USER, "--pass", PASSWORD])
            // No listing cache: a test changes files behind the server's back.
            .args(["--dir-cache-time", "0s"])
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(["--config", "/dev/null"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start rclone serve sftp: {error}"));
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "rclone serve sftp did not start"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server at once, as a network failure would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// An rclone.conf with a remote `office` for this server.
    pub fn config(&self, root: &Path, extra: &str) -> PathBuf {
        let obscured = Command::new(super::tools::rclone())
            .args(["obscure", PASSWORD])
            .output()
            .expect("rclone obscure");
        let obscured = String::from_utf8(obscured.stdout).unwrap();
        let path = root.join("rclone.conf");
        fs::write(
            &path,
            format!(
                "[office]\ntype = sftp\nhost = 127.0.0.1\nport = {}\nuser = {USER}\npass = {}\n{extra}",
                self.port,
                obscured.trim()
            ),
        )
        .unwrap();
        path
    }
}

impl Drop for SftpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

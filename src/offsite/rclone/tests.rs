use super::process::*;
use super::*;

#[test]
fn remote_paths_join_with_one_slash() {
    assert_eq!(join("b2:lakeside/rota", "x.age"), "b2:lakeside/rota/x.age");
    assert_eq!(join("b2:lakeside/rota/", "x.age"), "b2:lakeside/rota/x.age");
    assert_eq!(join("b2:", "x.age"), "b2:x.age");
}

#[test]
fn log_prefixes_are_dropped_from_messages() {
    let stderr = "2026/11/27 10:42:31 NOTICE: x\n2026/11/27 10:42:31 Failed to create file system: dial tcp 127.0.0.1:1: connect: connection refused\n\n";
    assert_eq!(
        last_message(stderr),
        "Failed to create file system: dial tcp 127.0.0.1:1: connect: connection refused"
    );
    assert!(looks_like_network(stderr));
    assert!(!looks_like_network("ERROR : directory not found"));
    assert_eq!(last_message(""), "no message");
}

#[test]
fn exit_code_five_is_transient_and_others_are_not() {
    let done = |code, stderr: &str| Finished {
        code: Some(code),
        stdout: Vec::new(),
        stderr: stderr.into(),
    };
    assert!(
        check_status("copyto", done(5, "x"))
            .unwrap_err()
            .is_transient()
    );
    let failed = check_status("copyto", done(7, "account suspended")).unwrap_err();
    assert!(!failed.is_transient());
    assert!(failed.to_string().contains("exit 7"));
    assert!(check_status("copyto", done(0, "")).is_ok());
}

#[test]
fn a_missing_program_is_reported_as_missing() {
    let rclone = Rclone {
        program: PathBuf::from("/nonexistent/rclone-for-rota-tests"),
        config: None,
        bwlimit: None,
        timeouts: Timeouts::default(),
    };
    let error = rclone.version().unwrap_err();
    assert!(matches!(error, RcloneError::Missing { .. }), "{error:?}");
    assert!(!error.is_transient());
    assert_eq!(locate_program(&rclone.program), None);
}

#[test]
fn hashes_in_listings_are_read_and_empty_ones_ignored() {
    let json = br#"[{"Path":"a.age","Name":"a.age","Size":12,"IsDir":false,"Hashes":{"md5":"ABC","sha1":""}}]"#;
    let objects: Vec<RemoteObject> = parse_json("lsjson", json).unwrap();
    assert_eq!(objects[0].size, 12);
    assert_eq!(objects[0].hash("md5"), Some("ABC"));
    assert_eq!(objects[0].hash("sha1"), None);
    assert!(parse_json::<Vec<RemoteObject>>("lsjson", b"[").is_err());
}

/// `finish` waits for a process to its end, and stops one that outlives its
/// deadline (a hung rclone) and says so.
#[cfg(unix)]
#[test]
fn a_process_past_its_deadline_is_stopped_and_reported_as_timed_out() {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let start = |script: &str| {
        let mut child = Command::new("/bin/sh")
            .args(["-c", script])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = collect(child.stdout.take());
        let stderr = collect(child.stderr.take());
        (child, stdout, stderr)
    };

    let (child, stdout, stderr) = start("echo done; echo note >&2; exit 3");
    let done = finish(
        child,
        stderr,
        Some(stdout),
        "version",
        Some(Duration::from_secs(60)),
    )
    .unwrap();
    assert_eq!(done.code, Some(3));
    assert_eq!(done.stdout, b"done\n");
    assert_eq!(done.stderr, "note\n");

    let (child, _, stderr) = start("echo waiting; exec sleep 600");
    let pid = child.id();
    let limit = Duration::from_millis(200);
    match finish(child, stderr, None, "lsjson", Some(limit)) {
        Err(RcloneError::TimedOut { command, after }) => {
            assert_eq!((command.as_str(), after), ("lsjson", limit));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // It was killed and reaped: no such process any more.
    // SAFETY: kill with signal 0 only checks that the pid exists.
    assert_ne!(unsafe { libc::kill(pid as libc::pid_t, 0) }, 0);

    let (child, _, stderr) = start("exit 0");
    let done = finish(child, stderr, None, "purge", None).unwrap();
    assert_eq!(done.code, Some(0));
}

//! Fifty distinctive personal values go in through the desk's API, in a process of their own; none of them
//! can be found in the data directory (vault, WAL, SHM), that process's temp directory or its log (stdout
//! and stderr), as UTF-8, UTF-16LE or base64: while the desk is locked and after the process has exited.

#[path = "../../../../tests/support/leak_scan.rs"]
mod scan;

use scan::{files, hits, values};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn no_personal_value_entered_at_the_desk_is_readable_in_any_file() {
    let root = tempfile::tempdir().expect("temp dir");
    let (data, temp, log) = (root.path().join("data"), root.path().join("tmp"), root.path().join("child.log"));
    std::fs::create_dir_all(&temp).expect("temp dir for the child");
    let mut child = Command::new(env!("CARGO_BIN_EXE_formdesk-desk-child"))
        .arg("leak")
        .arg(&data)
        .env("TMPDIR", &temp)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("the child starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the child reports");
    assert_eq!(
        line.trim(),
        "locked",
        "the child stopped early; its log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    let values = values();
    let scanned = || {
        let mut paths = files(&data);
        paths.extend(files(&temp));
        paths.push(log.clone());
        paths
    };
    let while_locked = scanned();
    assert!(while_locked.iter().any(|p| p.to_string_lossy().ends_with("-wal")), "the WAL is scanned: {while_locked:?}");
    assert!(
        std::fs::read_to_string(&log).is_ok_and(|l| l.lines().count() >= 10),
        "the child logged the engine's messages"
    );
    assert_eq!(hits(&while_locked, &values), Vec::<String>::new(), "while locked");

    child.stdin.take().expect("stdin").write_all(b"exit\n").expect("tell the child to exit");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("the rest of stdout");
    assert!(child.wait().expect("the child ends").success());
    assert_eq!(hits(&scanned(), &values), Vec::<String>::new(), "after exit");

    // Everything is there, though: unlocked, every value comes back from the drafts.
    let desk = crate::desk_at(&data);
    desk.unlock("Erika", crate::PIN).expect("unlock");
    let list = desk.drafts_list("").expect("list");
    assert_eq!(list.len(), 10);
    let mut stored = String::new();
    for info in &list {
        let view = desk.draft(info.id).expect("draft");
        stored.push_str(&serde_json::to_string(&view.state).expect("json"));
    }
    for value in &values {
        let escaped = serde_json::to_string(value).expect("json");
        assert!(stored.contains(escaped.trim_matches('"')), "{value} was not stored");
    }
}

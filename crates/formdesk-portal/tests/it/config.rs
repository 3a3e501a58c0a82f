//! `serve --config FILE` with the real process: the file's settings are used, the command line wins over them,
//! and a wrong file is named before anything listens.

use crate::support::{Backend, Env, text};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn write_config(env: &Env, contents: &str) -> String {
    let file = env.dir.path().join("portal.toml");
    std::fs::write(&file, contents).expect("write the config");
    file.display().to_string()
}

#[test]
fn serve_reads_its_options_from_the_config_file_and_the_command_line_wins() {
    let env = Env::new(Backend::Sqlite);
    let data = env.dir.path().join("data");
    // Only the file says where to listen (port 0: any free one, not the default 8440) and where the data is.
    let config = write_config(
        &env,
        &format!("listen = \"127.0.0.1:0\"\ndata-dir = \"{}\"\nkeep-after-pickup = 24\n", data.display()),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
        .args(["serve", "--config", &config])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a line");
    let base =
        line.trim().strip_prefix("formdesk-portal: listening on ").unwrap_or_else(|| panic!("{line:?}")).to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":8440"), "{base}");
    let health =
        reqwest::blocking::Client::builder().no_proxy().build().expect("client").get(format!("{base}/healthz"));
    assert_eq!(health.send().expect("answers").status().as_u16(), 200);
    let _ = child.kill();
    let _ = child.wait();

    // The file names port 1, the command line any free port: the command line's wins.
    let config = write_config(&env, "listen = \"127.0.0.1:1\"\n");
    let mut portal = env.serve(&["--config", &config]);
    assert!(portal.base.starts_with("http://127.0.0.1:") && !portal.base.ends_with(":1"), "{}", portal.base);
    portal.stop();
}

#[test]
fn a_wrong_config_file_is_named_and_nothing_listens() {
    let env = Env::new(Backend::Sqlite);
    for (contents, says) in [
        ("listn = \"127.0.0.1:0\"\n", "unknown setting 'listn'"),
        ("max-requests = \"viele\"\n", "viele"),
        ("listen = [1]\n", "'listen' must be a string or a whole number"),
    ] {
        let config = write_config(&env, contents);
        let out = env.cli(&["serve", "--listen", "127.0.0.1:0", "--config", &config]);
        assert_eq!(out.status.code(), Some(2), "{contents}: {}", text_of(&out));
        assert!(text(&out.stderr).contains(says), "{says}: {}", text(&out.stderr));
    }
}

fn text_of(out: &std::process::Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

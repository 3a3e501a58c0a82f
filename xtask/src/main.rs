//! Development tasks, in Rust so they run wherever cargo runs (rust-analyzer's xtask pattern).
//!
//! - `cargo xtask setup`: installs what is missing: Debian packages, the UI's npm packages, cargo-nextest.
//! - `cargo xtask run [-- ARGS]`: setup, build the UI, run the desk app on its embedded forms.
//! - `cargo xtask test`: setup, then every check CI runs: formatting, lints, UI checks and tests, all Rust
//!   tests (the window tests under Xvfb), and the end-to-end tests that drive the real app window through
//!   tauri-driver and WebKitWebDriver (`tests/e2e`).
//! - `cargo xtask test package`: only the package tests (builds the debug programs, makes their packages,
//!   installs, runs and removes them).
//! - `cargo xtask bundle`: the desk app's Debian package and RPM from the release build, with Tauri's bundler,
//!   in `target/release/bundle/`.
//! - `cargo xtask bundle portal`: the portal's Debian package from the release build, in `target/bundle/`
//!   (`package.rs`; the test command installs packages made from the debug build and runs them).
//! - `cargo xtask bench`: the criterion benchmarks.
//! - `cargo xtask bench app [-- --gpu-painting | --software-drawing]`: launch time, memory and keystroke
//!   latency of the release build of the desk app under Xvfb (see `app_bench.rs`).
//! - `cargo xtask codegen`: writes the TypeScript types of the IPC surface into `ui/src/lib/bindings/`.
//! - `cargo xtask fuzz [expression|definition|auth|wire|acceptance|app_bundle|fim] [SECONDS]`: coverage-guided
//!   fuzzing of the parsers of outside input with cargo-fuzz (libFuzzer): the engine's
//!   (`crates/formdesk-engine/fuzz`, the definition target seeded with the real forms) and the portal
//!   protocol's (`crates/formdesk-protocol/fuzz`, seeded with valid requests, bodies and acceptances; `app_bundle`
//!   reads update bundles) and the FIM importer's (`crates/formdesk-fim/fuzz`, seeded with every XML file of its
//!   test data).

#![allow(clippy::print_stdout)]

mod app_bench;
mod package;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian packages the build, the app and the tests need.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "librsvg2-dev",
    "xvfb",
    "xauth",
    "x11-utils",
    "xdotool",
    "imagemagick",
    "webkit2gtk-driver",
    // The receipt tests read the real PDF: pdftotext, pdffonts, pdftoppm; qpdf --check; zbarimg.
    "poppler-utils",
    "qpdf",
    "zbar-tools",
    // The receipt's Arabic shaping is compared with HarfBuzz itself (hb-shape), and hb-view draws it.
    "libharfbuzz-bin",
    // The end-to-end tests make a certificate no desk trusts for a portal of their own.
    "openssl",
    // The portal's tests run the same API tests against a real PostgreSQL server (initdb, postgres).
    "postgresql",
    // The console's end-to-end tests drive headless Chromium through chromedriver.
    "chromium",
    "chromium-driver",
    // The portal's Debian package: its maintainer scripts make the portal's user (adduser); its test checks
    // the unit with systemd-analyze.
    "adduser",
    "systemd",
    // The desk app updates itself by handing its new .deb to the package manager through pkexec or, failing
    // that, sudo; the package test runs that as root, through sudo.
    "sudo",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_owned)
}

fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let status = cmd.status().with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn have(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn apt(args: &[&str]) -> Result<()> {
    let mut cmd = if is_root() { Command::new("apt-get") } else { Command::new("sudo") };
    if !is_root() {
        cmd.arg("apt-get");
    }
    cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
    run(&mut cmd)
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn node_is_recent() -> bool {
    let Ok(out) = Command::new("node").arg("--version").output() else { return false };
    let version = String::from_utf8_lossy(&out.stdout);
    let mut parts = version.trim().trim_start_matches('v').split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (20, 19)
}

fn setup() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if !missing.is_empty() {
        if !have("apt-get") {
            bail!("these packages are missing and there is no apt-get to install them: {}", missing.join(" "));
        }
        println!("installing Debian packages: {}", missing.join(" "));
        apt(&["update", "-qq"])?;
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend(&missing);
        apt(&args)?;
    }
    if !have("npm") {
        apt(&["update", "-qq"])?;
        apt(&["install", "-y", "-qq", "nodejs", "npm"])?;
    }
    if !node_is_recent() {
        // Vite needs Node 20.19 or newer; Debian 12 and Ubuntu 24.04 ship older ones. `n` installs a current
        // long-term release from nodejs.org.
        println!("Node.js is older than 20.19; installing a current LTS release with n");
        let mut n = if is_root() { Command::new("npm") } else { Command::new("sudo") };
        if !is_root() {
            n.arg("npm");
        }
        run(n.args(["install", "--global", "n"]))?;
        let mut lts = if is_root() { Command::new("n") } else { Command::new("sudo") };
        if !is_root() {
            lts.arg("n");
        }
        run(lts.arg("lts"))?;
    }
    let ui = root().join("ui");
    if !ui.join("node_modules").is_dir() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&ui))?;
    }
    if !Command::new("cargo").args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success()) {
        run(Command::new("cargo").args(["install", "cargo-nextest", "--locked"]))?;
    }
    Ok(())
}

fn npm(script: &str) -> Result<()> {
    run(Command::new("npm").args(["run", "--silent", script]).current_dir(root().join("ui")))
}

fn cargo(args: &[&str]) -> Result<()> {
    run(Command::new("cargo").args(args).current_dir(root()))
}

/// Cargo for the test command: it builds everything once, so incremental caches (as large again as the
/// build itself) are not written unless the caller asks for them.
fn cargo_once(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    if std::env::var_os("CARGO_INCREMENTAL").is_none() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd.args(args).current_dir(root());
    cmd
}

fn test() -> Result<()> {
    setup()?;
    cargo(&["fmt", "--all", "--check"])?;
    npm("check")?;
    npm("test")?;
    npm("build")?;
    run(&mut cargo_once(&["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    // Every test runs with a display, so the window tests open a real window. The sync engine's tests run the
    // portal binary that the same build makes.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    run(Command::new("xvfb-run")
        .env("FORMDESK_PORTAL_BIN", target.join("debug").join("formdesk-portal"))
        .env("CARGO_INCREMENTAL", std::env::var_os("CARGO_INCREMENTAL").unwrap_or_else(|| "0".into()))
        .args(["-a", "-s", "-screen 0 1280x800x24", "cargo", "nextest", "run", "--workspace", "--locked"])
        .args(["--no-fail-fast", "--failure-output", "final"])
        .current_dir(root()))?;
    // The same package selection as the tests, so cargo unifies features alike and reuses what they built.
    run(&mut cargo_once(&["build", "--workspace", "--locked"]))?;
    // The portal's Debian package, made from that build, installed, run with its config and removed.
    package::test_portal_deb(&target)?;
    run(Command::new("xvfb-run").args(["-a", "-s", "-screen 0 1280x800x24", "tests/e2e/run.sh"]).current_dir(root()))?;
    // The desk app's packages from the same build; the installed app's window through the same harness.
    package::test_desk_deb(&target)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Builds the release app and measures it, inside Xvfb unless a display is there already.
fn bench_app(extra: &[&str]) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        let me = std::env::current_exe()?;
        return run(Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1280x800x24"])
            .arg(me)
            .args(["bench", "app"])
            .args(extra)
            .current_dir(root()));
    }
    setup()?;
    npm("build")?;
    cargo(&["build", "--release", "--locked", "-p", "formdesk"])?;
    if !have("tauri-driver") {
        cargo(&["install", "tauri-driver", "--version", "^2", "--locked"])?;
    }
    app_bench::run(&root(), extra)
}

/// Seeds of the protocol's fuzz targets: valid examples of what each reads. An acceptance and a signed
/// header cannot be made here without keys; the targets sign their own from the input.
const PROTOCOL_SEEDS: &[(&str, &[&[u8]])] = &[
    (
        "auth",
        &[
            b"\x00\x00\xd2\x9f\x6b\x00\x00\x00\x00\x00\xd2\x9f\x6b\x00\x00\x00\x00Formdesk-Device \
              0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41.1800000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            b"\x01\x00\xd2\x9f\x6b\x00\x00\x00\x00\x10\xd2\x9f\x6b\x00\x00\x00\x00/v1/submissions/x\x00{\"destinationId\":\"a\"}",
            b"\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x80Formdesk-Device \
              0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41.-9223372036854775808.AAAA",
        ],
    ),
    (
        "wire",
        &[
            br#"{"code":"K7QF-3MZX-9RTA-W2HC","publicKey":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            br#"{"destinationId":"ordnungsamt","attachments":["0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41"]}"#,
            br#"{"metadata":"a.b.c.d.e","data":"a.b.c.d.e"}"#,
            br#"{"id":"0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41","destinationId":"ordnungsamt","state":"announced","attachments":[{"id":"0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41","received":10,"total":20,"complete":false}],"acceptance":null}"#,
            br#"{"code":"conflict","message":"resume at 10","attachment":{"id":"a","received":10,"total":20,"complete":false}}"#,
            br#"{"code":"enrolment_code_used","message":"m"}"#,
            b"offset=1048576&total=2400000",
            b"k7qf 3mzx 9rta w2hc",
            b"0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41",
        ],
    ),
    (
        "acceptance",
        &[
            br#"{"formatVersion":1,"submissionId":"0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41","destinationId":"ordnungsamt","deviceId":"1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41","acceptedAt":1790000000,"parts":[{"name":"metadata","sha256":"00","size":1}]}"#,
        ],
    ),
];

fn fuzz(target: &str, seconds: &str) -> Result<()> {
    let crate_dir = match target {
        "expression" | "definition" => "crates/formdesk-engine/fuzz",
        "auth" | "wire" | "acceptance" | "app_bundle" => "crates/formdesk-protocol/fuzz",
        "fim" => "crates/formdesk-fim/fuzz",
        other => bail!("no fuzz target {other}: expression, definition, auth, wire, acceptance, app_bundle or fim"),
    };
    if !Command::new("cargo").args(["fuzz", "--version"]).output().is_ok_and(|o| o.status.success()) {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let dir = root().join(crate_dir);
    let corpus = dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    if target == "definition" {
        for entry in std::fs::read_dir(root().join("forms"))? {
            let form = entry?.path().join("form.json");
            if let (true, Some(name)) = (form.is_file(), form.parent().and_then(Path::file_name)) {
                std::fs::copy(&form, corpus.join(name))?;
            }
        }
    }
    if target == "fim" {
        // Every XML file of the importer's test data, good and bad, named by its path.
        let data = root().join("crates/formdesk-fim/tests/data");
        let mut dirs = vec![data.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xml") {
                    let name = path.strip_prefix(&data).unwrap_or(&path).to_string_lossy().replace('/', "_");
                    std::fs::copy(&path, corpus.join(name))?;
                }
            }
        }
    }
    for (name, seeds) in PROTOCOL_SEEDS.iter().filter(|(name, _)| *name == target) {
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(corpus.join(format!("seed-{name}-{i}")), seed)?;
        }
    }
    // libFuzzer needs the sanitizer flags of a nightly compiler; RUSTC_BOOTSTRAP lets the installed stable
    // one accept them. cargo fuzz builds in release with debug assertions (and the fuzz crates keep overflow
    // checks on).
    run(Command::new("cargo")
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", "--debug-assertions", target, "--", &format!("-max_total_time={seconds}")])
        .current_dir(dir))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).filter(|a| *a != "--").collect();
    match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("run") => {
            setup()?;
            npm("build")?;
            let mut cmd = vec!["run", "--package", "formdesk", "--"];
            cmd.extend(rest);
            cargo(&cmd)
        }
        Some("test") if rest.first() == Some(&"package") => {
            setup()?;
            npm("build")?;
            cargo(&["build", "--locked", "-p", "formdesk-portal", "-p", "formdesk"])?;
            package::test_portal_deb(&target_dir())?;
            package::test_desk_deb(&target_dir())
        }
        Some("test") => test(),
        Some("bundle") if rest.first() == Some(&"portal") => {
            setup()?;
            cargo(&["build", "--release", "--locked", "-p", "formdesk-portal"])?;
            let target = target_dir();
            let out = target.join("bundle");
            std::fs::create_dir_all(&out)?;
            let deb = package::portal_deb(&target.join("release").join("formdesk-portal"), &out)?;
            println!("{}", deb.display());
            Ok(())
        }
        Some("bundle") if rest.is_empty() || rest.first() == Some(&"desk") => {
            setup()?;
            npm("build")?;
            for made in package::desk_bundles(&target_dir())? {
                println!("{}", made.display());
            }
            Ok(())
        }
        Some("bench") if rest.first() == Some(&"app") => bench_app(&rest[1..]),
        Some("bench") => cargo(&["bench", "--workspace"]),
        Some("codegen") => run(Command::new("cargo")
            .args(["test", "--quiet", "-p", "formdesk-desk", "--test", "it", "bindings"])
            .env("UPDATE_BINDINGS", "1")
            .current_dir(root())),
        Some("fuzz") => fuzz(rest.first().copied().unwrap_or("expression"), rest.get(1).copied().unwrap_or("60")),
        _ => {
            println!(
                "usage: cargo xtask setup | run [-- ARGS] | test [package] | bundle [desk|portal] | bench [app [-- --gpu-painting | --software-drawing]] | codegen | fuzz [expression|definition|auth|wire|acceptance|app_bundle|fim] [SECONDS]"
            );
            Ok(())
        }
    }
}

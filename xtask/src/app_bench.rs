//! `cargo xtask bench app`: whole-process figures of the release build of the desk app under Xvfb.
//!
//! - Launch: from spawning `formdesk` to its line "formdesk: ready (…)", which the front end triggers once
//!   its first screen is painted with the focus in its first field (`ui_ready`). Each launch gets a fresh
//!   data directory, so that first screen is the desk's setup. Measured from the outside, so it includes
//!   loading the binary and starting WebKit's processes. Every way of drawing is measured, taking turns
//!   launch by launch, so that a machine that gets slower or faster meanwhile affects them alike.
//! - Memory: PSS and RSS of the app and every process it started (WebKit's web and network processes) at
//!   that first screen, from `/proc/PID/smaps_rollup`.
//! - Keystroke to painted validation message, and memory with the Hundeanmeldung open:
//!   `tests/e2e/bench/keystroke.mjs`, through tauri-driver.
//!
//! Non-goals: pass/fail thresholds. The figures go to docs/benchmarks.md.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Launches measured per way of drawing; the first round (cold file cache) is reported separately.
const LAUNCHES: usize = 20;

/// The app's ways of drawing on Linux, by their arguments.
const DRAWING: [(&str, &[&str]); 3] = [
    ("CPU painting (default)", &[]),
    ("--gpu-painting", &["--gpu-painting"]),
    ("--software-drawing", &["--software-drawing"]),
];

/// Spawns the app with `args` and waits for its "ready" line; returns the child and the time it took.
fn launch(app: &Path, args: &[&str]) -> Result<(Child, Duration)> {
    // A data directory of its own, never the user's, emptied before each launch.
    let data = std::env::temp_dir().join(format!("formdesk-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let args: Vec<&str> = ["--data-dir", data.to_str().context("a temp path in UTF-8")?]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let started = Instant::now();
    let mut child = Command::new(app)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", app.display()))?;
    let stderr = child.stderr.take().context("no stderr of the app")?;
    let mut lines = BufReader::new(stderr).lines();
    loop {
        let Some(line) = lines.next() else {
            let _ = child.kill();
            bail!("{} ended without saying it was ready", app.display());
        };
        if line.context("reading the app's stderr")?.starts_with("formdesk: ready") {
            let elapsed = started.elapsed();
            // Keep draining stderr so the app never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok((child, elapsed));
        }
    }
}

/// The parent of process `pid`, from `/proc/PID/stat`.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// `root` and all its descendants.
fn process_tree(root: u32) -> Vec<u32> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|dir| dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let here = tree[i];
        tree.extend(all.iter().copied().filter(|&p| parent(p) == Some(here)));
        i += 1;
    }
    tree
}

/// Name, PSS and RSS in KiB of process `pid`.
fn memory(pid: u32) -> Option<(String, u64, u64)> {
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_owned();
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |key: &str| {
        rollup.lines().find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
    };
    Some((name, field("Pss:")?, field("Rss:")?))
}

fn stop(mut child: Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    // WebKit's processes follow their parent; give them a moment so runs do not overlap.
    std::thread::sleep(Duration::from_millis(300));
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs the three measurements and prints their figures; `extra` goes to the launches for memory and
/// keystrokes (the launch times cover every way of drawing).
pub fn run(root: &Path, extra: &[&str]) -> Result<()> {
    let app = root.join("target/release/formdesk");
    println!("app: {} {}", app.display(), extra.join(" "));

    let mut times = vec![Vec::new(); DRAWING.len()];
    for _ in 0..=LAUNCHES {
        for (runs, (_, args)) in times.iter_mut().zip(DRAWING) {
            let (child, took) = launch(&app, args)?;
            stop(child);
            runs.push(took.as_secs_f64() * 1000.0);
        }
    }
    println!("launch to the first interactive screen ({LAUNCHES} runs each, taking turns, after a cold round):");
    for (mut runs, (name, _)) in times.into_iter().zip(DRAWING) {
        let first = runs.remove(0);
        runs.sort_by(f64::total_cmp);
        println!(
            "  {name:<24} median {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms (cold {first:.0} ms)",
            percentile(&runs, 50.0),
            percentile(&runs, 90.0),
            runs[0],
            runs[runs.len() - 1],
        );
    }

    let (child, _) = launch(&app, extra)?;
    std::thread::sleep(Duration::from_secs(3));
    let (mut pss, mut rss) = (0, 0);
    println!("memory at the first screen (the setup of a new desk):");
    for pid in process_tree(child.id()) {
        if let Some((name, p, r)) = memory(pid) {
            println!("  {name:<24} PSS {:>7.1} MiB   RSS {:>7.1} MiB", p as f64 / 1024.0, r as f64 / 1024.0);
            pss += p;
            rss += r;
        }
    }
    println!("  {:<24} PSS {:>7.1} MiB   RSS {:>7.1} MiB", "all processes", pss as f64 / 1024.0, rss as f64 / 1024.0);
    stop(child);

    let e2e = root.join("tests/e2e");
    if !e2e.join("node_modules").is_dir() {
        crate::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
    }
    println!("keystroke to painted validation message (ms):");
    crate::run(
        Command::new("node")
            .arg("bench/keystroke.mjs")
            .env("FORMDESK_BIN", &app)
            .env("APP_ARGS", extra.join(" "))
            .current_dir(&e2e),
    )
}

//! What is measured: the clock of a phase with the portals' CPU time and the machine's, the timings by kind
//! and their quantiles.

use crate::portal::Portal;
use std::process::Command;
use std::time::{Duration, Instant};

/// One timed phase.
#[derive(Debug)]
pub(crate) struct Phase {
    pub(crate) deliveries: usize,
    pub(crate) elapsed: Duration,
    pub(crate) samples: Samples,
    pub(crate) portal_cpu: Option<Duration>,
    /// The CPU time of this process: the desks.
    pub(crate) desks_cpu: Option<Duration>,
    /// The CPU time of the PostgreSQL server processes serving the portals' database.
    pub(crate) server_cpu: Option<Duration>,
    pub(crate) machine_busy: Option<f64>,
}

impl Phase {
    /// Two phases as one: their deliveries, times and samples added up, the machine's share weighted by time.
    pub(crate) fn join(self, other: Phase) -> Phase {
        let add = |a: Option<Duration>, b: Option<Duration>| a.zip(b).map(|(a, b)| a + b);
        let (mine, theirs) = (self.elapsed.as_secs_f64(), other.elapsed.as_secs_f64());
        let machine_busy = self
            .machine_busy
            .zip(other.machine_busy)
            .and_then(|(a, b)| (mine + theirs > 0.0).then(|| (a * mine + b * theirs) / (mine + theirs)));
        let mut samples = self.samples;
        samples.extend(other.samples);
        Phase {
            deliveries: self.deliveries + other.deliveries,
            elapsed: self.elapsed + other.elapsed,
            samples,
            portal_cpu: add(self.portal_cpu, other.portal_cpu),
            desks_cpu: add(self.desks_cpu, other.desks_cpu),
            server_cpu: add(self.server_cpu, other.server_cpu),
            machine_busy,
        }
    }
}

/// The clock of a phase, with the portals' CPU time and the machine's CPU ticks at its start.
#[derive(Debug)]
pub(crate) struct Meter {
    started: Instant,
    portal_cpu: Option<Duration>,
    desks_cpu: Option<Duration>,
    server_cpu: Option<Duration>,
    machine: Option<(u64, u64)>,
}

impl Meter {
    pub(crate) fn start(portals: &[Portal]) -> Meter {
        Meter {
            started: Instant::now(),
            portal_cpu: cpu(portals),
            desks_cpu: process_cpu("/proc/self/stat"),
            server_cpu: server_cpu(portals),
            machine: machine_times(),
        }
    }

    pub(crate) fn finish(self, portals: &[Portal], samples: Samples, deliveries: usize) -> Phase {
        let elapsed = self.started.elapsed();
        let portal_cpu = self.portal_cpu.zip(cpu(portals)).map(|(before, after)| after.saturating_sub(before));
        let desks_cpu =
            self.desks_cpu.zip(process_cpu("/proc/self/stat")).map(|(before, after)| after.saturating_sub(before));
        let server_cpu = self.server_cpu.zip(server_cpu(portals)).map(|(before, after)| after.saturating_sub(before));
        let machine_busy = self.machine.zip(machine_times()).and_then(|((busy0, total0), (busy1, total1))| {
            (total1 > total0).then(|| (busy1 - busy0) as f64 / (total1 - total0) as f64)
        });
        Phase { deliveries, elapsed, samples, portal_cpu, desks_cpu, server_cpu, machine_busy }
    }
}

/// The CPU time so far of the PostgreSQL backends connected to the portals' database, found by the process
/// title PostgreSQL gives them (`postgres: USER DATABASE HOST(PORT) STATE`); `None` on SQLite. A backend that
/// ended during the phase is not counted; the portals' pools keep theirs.
fn server_cpu(portals: &[Portal]) -> Option<Duration> {
    let names: Vec<String> = portals.iter().filter_map(|p| p.database.as_ref()).map(|n| format!(" {n} ")).collect();
    if names.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let path = entry.path();
        let Ok(title) = std::fs::read(path.join("cmdline")) else { continue };
        let title = String::from_utf8_lossy(&title);
        if title.starts_with("postgres: ") && names.iter().any(|n| title.contains(n.as_str())) {
            total += process_cpu(&path.join("stat").display().to_string()).unwrap_or_default();
        }
    }
    Some(total)
}

/// The CPU time of all `portals` together so far.
fn cpu(portals: &[Portal]) -> Option<Duration> {
    portals.iter().map(Portal::cpu).sum()
}

pub(crate) fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// User plus system time of a process, from its `/proc/PID/stat`.
pub(crate) fn process_cpu(stat: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(stat).ok()?;
    // The fields after the command name, which is in parentheses: the third field of the file comes first.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / clock_ticks()))
}

/// The machine's busy and total CPU ticks so far, from `/proc/stat`.
pub(crate) fn machine_times() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let values: Vec<u64> =
        text.lines().next()?.split_whitespace().skip(1).take(8).map(|v| v.parse().ok()).collect::<Option<_>>()?;
    let total: u64 = values.iter().sum();
    let idle = values.get(3)? + values.get(4)?;
    Some((total - idle, total))
}

/// What is timed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Announce,
    Upload,
    Submit,
    Delivery,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Announce => "announce (PUT submission)",
            Kind::Upload => "upload (PUT 50 KB attachment)",
            Kind::Submit => "submit (POST metadata + data)",
            Kind::Delivery => "whole delivery",
        }
    }
}

/// Timings by kind.
#[derive(Debug, Default)]
pub(crate) struct Samples {
    pub(crate) by_kind: [Vec<Duration>; 4],
}

impl Samples {
    pub(crate) fn push(&mut self, kind: Kind, took: Duration) {
        self.by_kind[kind as usize].push(took);
    }

    pub(crate) fn extend(&mut self, other: Samples) {
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            mine.extend(theirs);
        }
    }

    pub(crate) fn of(&self, kind: Kind) -> Vec<Duration> {
        self.by_kind[kind as usize].clone()
    }

    /// Every HTTP request, of whatever kind.
    pub(crate) fn requests(&self) -> Vec<Duration> {
        [Kind::Announce, Kind::Upload, Kind::Submit].iter().flat_map(|&k| self.of(k)).collect()
    }
}

/// The `p`-quantile of sorted timings, by nearest rank.
pub(crate) fn quantile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

//! Whole-process load benchmark of the portal: the real `formdesk-portal serve` (the release build under
//! `cargo bench`) on 127.0.0.1, first on SQLite, then on PostgreSQL, fed by desks that sign every request and
//! check every acceptance as the desk does.
//!
//! For each backend, on a fresh data folder or database with one destination (the shipped RSA-4096 test key)
//! and 50 desks enrolled through `devices enrol` and `POST /v1/enrolment`:
//!
//! - Throughput: one desk delivers 2,000 submissions back to back, 4 in flight like the desk's sync engine.
//!   A delivery is announce, upload of one 50 KB attachment JWE in one piece, submit of the metadata and data
//!   JWEs, and the check of the signed acceptance (signature, ids, hashes of every part).
//! - Latency: 50 desks, each a task with its own device key and HTTP client, deliver 40 submissions each, one
//!   at a time. Every request and every whole delivery is timed.
//!
//! Every part is sealed with `formdesk_seal` before the clock starts; what is timed is HTTP on loopback, the
//! Ed25519 request signatures and the checks of the answers. The desks run in this process on a tokio runtime
//! and share the machine's cores with the portal (and, for PostgreSQL, its server).
//!
//! Many tenants (`tenants.rs`, run only when asked for): 720 desks all delivering at once, as one tenant's and
//! as 36 tenants' 20 each, on SQLite and on two PostgreSQL instances; the ratio of their throughputs.
//!
//! Modules: `desk` (enrolment, sealing, one delivery), `portal` (the data and the `serve` processes),
//! `measure` (clocks, CPU times, quantiles), `tenants` (the scenario of many tenants).
//!
//! Run: `cargo bench -p formdesk-portal --bench load`; the tenants: `cargo bench -p formdesk-portal --bench
//! load -- tenants [DESKS_PER_TENANT]` (default 20; `5` makes it 180 desks). Without `--bench` (as `cargo test
//! --benches` runs it) it makes a short smoke run of the same steps, the tenants' included.
//!
//! Non-goals: pass/fail thresholds, TLS, the reverse proxy, attachments uploaded in several pieces.

// Printing the figures is this benchmark's job.
#![allow(clippy::print_stdout)]

// The benchmark uses the tests' throwaway cluster and its databases, not the tests' queries.
#[allow(dead_code)]
#[path = "../../tests/it/support/pg.rs"]
mod pg;

mod desk;
mod measure;
mod portal;
mod tenants;

use anyhow::{Context as _, Result, anyhow};
use desk::{Desk, Sealed, seal_all};
use measure::{Kind, Meter, Phase, Samples, ms, quantile};
use portal::{Backend, Portal, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PORTAL: &str = env!("CARGO_BIN_EXE_formdesk-portal");
const AUTHORITY_KEY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../formdesk-seal/tests/keys/authority-a-4096.pub.pem");
const DESTINATION: &str = "ordnungsamt";

/// How much each phase does.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Submissions of the throughput phase, timed.
    submissions: usize,
    /// Submissions delivered before the throughput phase's clock starts.
    warmup: usize,
    /// Deliveries in flight in the throughput phase.
    in_flight: usize,
    /// Desks of the latency phase (and enrolled devices).
    desks: usize,
    /// Submissions per desk in the latency phase, timed; each desk delivers one more before.
    per_desk: usize,
}

const FULL: Plan = Plan { submissions: 2000, warmup: 40, in_flight: 4, desks: 50, per_desk: 40 };
const SMOKE: Plan = Plan { submissions: 20, warmup: 4, in_flight: 4, desks: 4, per_desk: 3 };

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("the tokio runtime")?;
    if let Some(at) = args.iter().position(|a| a == "tenants") {
        let mut plan = if full { tenants::FULL } else { tenants::SMOKE };
        if let Some(desks) = args.get(at + 1).filter(|a| !a.starts_with('-')) {
            plan.desks_per_tenant = desks
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .with_context(|| format!("tenants {desks}: desks per tenant must be a number above 0"))?;
        }
        return tenants::run(&runtime, plan, full);
    }
    let plan = if full { FULL } else { SMOKE };
    let started = Instant::now();
    let mut figures = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres && !std::path::Path::new("/usr/lib/postgresql").is_dir() {
            eprintln!("load: no PostgreSQL in /usr/lib/postgresql (Debian package postgresql); skipped");
            continue;
        }
        figures.push(run_backend(&runtime, backend, plan).with_context(|| format!("on {}", backend.label()))?);
    }
    print_report(&figures, plan, started.elapsed());
    if !full {
        // The smoke run also walks the scenario of many tenants, so it keeps working.
        tenants::run(&runtime, tenants::SMOKE, false)?;
    }
    Ok(())
}

/// What one backend measured.
#[derive(Debug)]
struct Figures {
    backend: Backend,
    attachment_bytes: usize,
    throughput: Phase,
    latency: Phase,
}

fn run_backend(runtime: &tokio::runtime::Runtime, backend: Backend, plan: Plan) -> Result<Figures> {
    eprintln!("load: {}: setting up", backend.label());
    let store = Store::new(backend)?;
    store.admin(&["tenants", "add", "--ars", "059580000000", "--name", "Stadt Musterstadt"])?;
    store.admin(&[
        "destinations",
        "add",
        "--id",
        DESTINATION,
        "--name",
        "Ordnungsamt Musterstadt",
        "--key",
        AUTHORITY_KEY,
    ])?;
    let codes = (0..plan.desks)
        .map(|i| {
            let out = store.admin(&["devices", "enrol", "--name", &format!("Bürgerbus {i}")])?;
            out.lines()
                .find_map(|l| l.strip_prefix("code ").map(|c| c.trim().to_owned()))
                .ok_or_else(|| anyhow!("no code in the output of devices enrol: {out}"))
        })
        .collect::<Result<Vec<_>>>()?;

    let mut portal = Portal::start(&store)?;
    let desks = runtime.block_on(async {
        let mut desks = Vec::with_capacity(codes.len());
        for code in &codes {
            desks.push(Arc::new(Desk::enrol(&portal.base, code).await?));
        }
        anyhow::Ok(desks)
    })?;
    let first = desks.first().context("no desk")?;
    let key = runtime.block_on(first.destination_key())?;

    eprintln!("load: {}: sealing {} submissions", backend.label(), plan.warmup + plan.submissions);
    let mut batch = seal_all(&key, plan.warmup + plan.submissions)?;
    let attachment_bytes = batch.first().map_or(0, |s| s.attachment.len());
    let timed = batch.split_off(plan.warmup);
    eprintln!("load: {}: throughput, 1 desk, {} in flight", backend.label(), plan.in_flight);
    let throughput = runtime.block_on(async {
        drive(Arc::clone(first), batch, plan.in_flight).await?;
        let meter = Meter::start(std::slice::from_ref(&portal));
        let samples = drive(Arc::clone(first), timed, plan.in_flight).await?;
        Ok::<_, anyhow::Error>(meter.finish(std::slice::from_ref(&portal), samples, plan.submissions))
    })?;

    eprintln!("load: {}: sealing {} submissions", backend.label(), plan.desks * (plan.per_desk + 1));
    let mut all = seal_all(&key, plan.desks * (plan.per_desk + 1))?.into_iter();
    let batches: Vec<Vec<Sealed>> = (0..plan.desks).map(|_| all.by_ref().take(plan.per_desk + 1).collect()).collect();
    eprintln!("load: {}: latency, {} desks × {}", backend.label(), plan.desks, plan.per_desk);
    let latency = runtime.block_on(crowd(std::slice::from_ref(&portal), &desks, batches))?;

    portal.stop()?;
    Ok(Figures { backend, attachment_bytes, throughput, latency })
}

/// One desk delivering `batch` with `in_flight` deliveries at a time.
async fn drive(desk: Arc<Desk>, batch: Vec<Sealed>, in_flight: usize) -> Result<Samples> {
    let queue = Arc::new(Mutex::new(batch));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (desk, queue) = (Arc::clone(&desk), Arc::clone(&queue));
        tasks.spawn(async move {
            let mut samples = Samples::default();
            loop {
                let next = queue.lock().map_err(|_| anyhow!("the queue's lock is poisoned"))?.pop();
                match next {
                    Some(sealed) => desk.deliver(sealed, &mut samples).await?,
                    None => return anyhow::Ok(samples),
                }
            }
        });
    }
    let mut samples = Samples::default();
    while let Some(done) = tasks.join_next().await {
        samples.extend(done.context("a delivery task failed")??);
    }
    Ok(samples)
}

/// Every desk delivering its batch one submission at a time, all at once. The first of each batch is
/// delivered before the clock starts, so every desk has its connection.
async fn crowd(portals: &[Portal], desks: &[Arc<Desk>], batches: Vec<Vec<Sealed>>) -> Result<Phase> {
    let barrier = Arc::new(tokio::sync::Barrier::new(desks.len() + 1));
    let mut tasks = tokio::task::JoinSet::new();
    let mut deliveries = 0;
    for (desk, batch) in desks.iter().zip(batches) {
        deliveries += batch.len().saturating_sub(1);
        let (desk, barrier) = (Arc::clone(desk), Arc::clone(&barrier));
        tasks.spawn(async move {
            let mut batch = batch.into_iter();
            let first = batch.next();
            let warmup = match first {
                Some(sealed) => desk.deliver(sealed, &mut Samples::default()).await,
                None => Ok(()),
            };
            // Waits even when the warm-up failed, so the others are not left at the barrier.
            barrier.wait().await;
            warmup?;
            let mut samples = Samples::default();
            for sealed in batch {
                desk.deliver(sealed, &mut samples).await?;
            }
            anyhow::Ok(samples)
        });
    }
    barrier.wait().await;
    let meter = Meter::start(portals);
    let mut samples = Samples::default();
    let mut failure = None;
    while let Some(done) = tasks.join_next().await {
        match done.context("a desk's task failed").and_then(|r| r) {
            Ok(s) => samples.extend(s),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(meter.finish(portals, samples, deliveries)),
    }
}

fn print_report(figures: &[Figures], plan: Plan, took: Duration) {
    let attachment = figures.first().map_or(0, |f| f.attachment_bytes);
    println!();
    println!("## Portal load benchmark");
    println!();
    println!(
        "{} build of `formdesk-portal serve` on 127.0.0.1, {} cores shared by the portal, the desks (this \
         process) and PostgreSQL. Each delivery: announce, one attachment JWE of {attachment} bytes in one \
         piece, submit of metadata and data JWEs (RSA-4096, sealed beforehand), acceptance checked.{}",
        // The portal is built with the profile of this benchmark.
        if cfg!(debug_assertions) { "Debug" } else { "Release" },
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if plan.submissions == FULL.submissions { "" } else { " **Smoke run: too short for figures.**" },
    );
    println!();
    println!("### Throughput");
    println!();
    println!(
        "| backend | scenario | submissions | wall time | submissions/s | requests/s | portal CPU per submission | machine busy |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for f in figures {
        for (scenario, phase) in [
            (format!("1 desk, {} in flight", plan.in_flight), &f.throughput),
            (format!("{} desks, 1 in flight each", plan.desks), &f.latency),
        ] {
            let seconds = phase.elapsed.as_secs_f64();
            let per_second = |n: usize| if seconds > 0.0 { n as f64 / seconds } else { 0.0 };
            println!(
                "| {} | {scenario} | {} | {:.2} s | **{:.0}** | {:.0} | {} | {} |",
                f.backend.label(),
                phase.deliveries,
                seconds,
                per_second(phase.deliveries),
                per_second(phase.samples.requests().len()),
                phase.portal_cpu.map_or_else(
                    || "–".to_owned(),
                    |cpu| format!("{} ms", ms(cpu / u32::try_from(phase.deliveries.max(1)).unwrap_or(u32::MAX)))
                ),
                phase.machine_busy.map_or_else(|| "–".to_owned(), |b| format!("{:.0} %", b * 100.0)),
            );
        }
    }
    println!();
    println!("### Latency (ms, from sending the request to the whole answer)");
    println!();
    println!("| backend | scenario | request | count | p50 | p90 | p99 | max |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    for f in figures {
        for (scenario, phase) in [
            (format!("{} desks × {}", plan.desks, plan.per_desk), &f.latency),
            (format!("1 desk, {} in flight", plan.in_flight), &f.throughput),
        ] {
            let rows = [Kind::Announce, Kind::Upload, Kind::Submit]
                .into_iter()
                .map(|k| (k.label(), phase.samples.of(k)))
                .chain([
                    ("all requests", phase.samples.requests()),
                    ("whole delivery", phase.samples.of(Kind::Delivery)),
                ]);
            for (label, mut timings) in rows {
                timings.sort();
                println!(
                    "| {} | {scenario} | {label} | {} | {} | {} | {} | {} |",
                    f.backend.label(),
                    timings.len(),
                    ms(quantile(&timings, 0.50)),
                    ms(quantile(&timings, 0.90)),
                    ms(quantile(&timings, 0.99)),
                    ms(timings.last().copied().unwrap_or_default()),
                );
            }
        }
    }
    println!();
    println!("The whole run, setup and sealing included, took {:.1} s.", took.as_secs_f64());
}

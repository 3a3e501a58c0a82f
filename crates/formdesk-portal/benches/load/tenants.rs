//! The scale scenario of many municipalities: the same number of desks, all delivering at once, once as the
//! desks of one tenant and once spread over 36 tenants, each tenant with its own destination (the same
//! shipped RSA-4096 key, so the sealed parts are alike) that its desks deliver into.
//!
//! On SQLite one `formdesk-portal serve`; on PostgreSQL two instances on the same database, the desks taking
//! turns between them. Both shapes are set up side by side: every desk is enrolled through `devices enrol
//! --tenant` and `POST /v1/enrolment`, and one desk per tenant fetches its tenant's destination key (checked
//! against its key id). Then the shapes take turns for a few rounds (one, many, many, one, …), so a machine
//! that gets busier or quieter meanwhile weighs on both alike. In a round every desk delivers one submission
//! before the clock starts (to open its connection), waits for all others, and then delivers its batch one
//! submission at a time; the round ends when the last desk is done. What a shape yields: submissions per
//! second over its rounds, the quantiles of a whole delivery (announce, upload, submit, acceptance checked),
//! and the CPU time of the portals and of the desks (this process) per submission.
//!
//! Every desk has one request in flight, so the portals are started with `--max-requests` above the number of
//! desks: the default (128) would answer the rest with 503 `busy`, and the desks would wait and repeat, which
//! measures the limit, not the tenants. `--header-timeout 600` keeps the waiting shape's connections open.

use crate::desk::{Desk, Sealed, seal_all};
use crate::measure::{Kind, Phase, ms, quantile};
use crate::portal::{Backend, Portal, Store};
use crate::{AUTHORITY_KEY, DESTINATION, crowd};
use anyhow::{Context as _, Result, anyhow, ensure};
use formdesk_seal::RecipientKey;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most tenants of a shape; the ratio compares with them.
const MANY: usize = 36;

/// What the scenario does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Desks of each of the many tenants; one tenant gets all of them.
    pub(crate) desks_per_tenant: usize,
    /// Tenants of the many-tenant shape.
    pub(crate) tenants: usize,
    /// Submissions each desk delivers in a round while timed (one more before).
    pub(crate) per_desk: usize,
    /// Rounds of each shape, taking turns (one, many, many, one, …) so the machine's drift falls on both.
    pub(crate) rounds: usize,
}

/// 36 tenants × 20 desks against 1 tenant × 720, three submissions each, four rounds.
pub(crate) const FULL: Plan = Plan { desks_per_tenant: 20, tenants: MANY, per_desk: 3, rounds: 4 };
/// Enough to run every step: 3 tenants × 2 desks against 1 × 6.
pub(crate) const SMOKE: Plan = Plan { desks_per_tenant: 2, tenants: 3, per_desk: 2, rounds: 2 };

impl Plan {
    fn desks(self) -> usize {
        self.desks_per_tenant * self.tenants
    }

    /// The two shapes of the same load: (tenants, desks each).
    fn shapes(self) -> [(usize, usize); 2] {
        [(1, self.desks()), (self.tenants, self.desks_per_tenant)]
    }
}

/// What one shape on one backend measured, all rounds together.
#[derive(Debug)]
struct Figures {
    backend: Backend,
    instances: usize,
    tenants: usize,
    desks_each: usize,
    phase: Phase,
    /// Submissions per second of each round.
    rounds: Vec<f64>,
}

/// Runs both shapes on both backends (PostgreSQL only where it is installed) and prints the report.
pub(crate) fn run(runtime: &tokio::runtime::Runtime, plan: Plan, full: bool) -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let mut figures = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres && !std::path::Path::new("/usr/lib/postgresql").is_dir() {
            eprintln!("load: no PostgreSQL in /usr/lib/postgresql (Debian package postgresql); skipped");
            continue;
        }
        figures.extend(run_backend(runtime, backend, plan).with_context(|| format!("on {}", backend.label()))?);
    }
    print_report(&figures, plan, full, started.elapsed(), load_before, load_average());
    Ok(())
}

/// Sets both shapes up side by side, then measures them in turns.
fn run_backend(runtime: &tokio::runtime::Runtime, backend: Backend, plan: Plan) -> Result<Vec<Figures>> {
    let mut setups = Vec::new();
    for (tenants, desks_each) in plan.shapes() {
        let setup = Setup::new(runtime, backend, tenants, desks_each)
            .with_context(|| format!("{tenants} tenants × {desks_each} desks"))?;
        setups.push(setup);
    }
    let mut phases: Vec<Option<Phase>> = setups.iter().map(|_| None).collect();
    let mut rounds: Vec<Vec<f64>> = setups.iter().map(|_| Vec::new()).collect();
    for round in 0..plan.rounds {
        let order: Vec<usize> =
            if round % 2 == 0 { (0..setups.len()).collect() } else { (0..setups.len()).rev().collect() };
        for i in order {
            let phase = setups[i].measure(runtime, plan.per_desk, round)?;
            rounds[i].push(per_second(&phase));
            phases[i] = Some(match phases[i].take() {
                Some(before) => before.join(phase),
                None => phase,
            });
        }
    }
    let mut figures = Vec::new();
    for ((mut setup, phase), rounds) in setups.into_iter().zip(phases).zip(rounds) {
        for portal in &mut setup.portals {
            portal.stop()?;
        }
        let phase = phase.context("no round was run")?;
        figures.push(Figures {
            backend,
            instances: setup.portals.len(),
            tenants: setup.tenants,
            desks_each: setup.desks_each,
            phase,
            rounds,
        });
    }
    Ok(figures)
}

/// The regional key of the `n`th tenant: Land 05, then seven digits of its own.
fn ars(n: usize) -> String {
    format!("05758{:07}", 12_000 + n)
}

/// One shape, set up and served: its portals, its desks (tenant by tenant) and each tenant's destination key.
#[derive(Debug)]
struct Setup {
    backend: Backend,
    tenants: usize,
    desks_each: usize,
    portals: Vec<Portal>,
    desks: Vec<Arc<Desk>>,
    keys: Vec<RecipientKey>,
    // Last, so the portals are gone before their folder is removed.
    _store: Store,
}

impl Setup {
    fn new(runtime: &tokio::runtime::Runtime, backend: Backend, tenants: usize, desks_each: usize) -> Result<Setup> {
        let label = format!("{}: {tenants} tenants × {desks_each} desks", backend.label());
        eprintln!("load: {label}: setting up");
        let store = Store::new(backend)?;
        let mut codes = Vec::with_capacity(tenants * desks_each);
        for t in 0..tenants {
            let ars = ars(t);
            store.admin(&["tenants", "add", "--ars", &ars, "--name", &format!("Gemeinde {t}")])?;
            store.admin(&[
                "destinations",
                "add",
                "--tenant",
                &ars,
                "--id",
                DESTINATION,
                "--name",
                &format!("Ordnungsamt der Gemeinde {t}"),
                "--key",
                AUTHORITY_KEY,
            ])?;
            for d in 0..desks_each {
                let name = format!("Bürgerbus {t}-{d}");
                let out = store.admin(&["devices", "enrol", "--tenant", &ars, "--name", &name])?;
                let code = out
                    .lines()
                    .find_map(|l| l.strip_prefix("code ").map(|c| c.trim().to_owned()))
                    .ok_or_else(|| anyhow!("no code in the output of devices enrol: {out}"))?;
                codes.push(code);
            }
        }

        let instances = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 2,
        };
        let max_requests = (tenants * desks_each + 64).max(128).to_string();
        // While the other shape takes its turn, this one's connections stay open.
        let options = ["--max-requests", max_requests.as_str(), "--header-timeout", "600"];
        let portals = (0..instances).map(|_| Portal::start_with(&store, &options)).collect::<Result<Vec<_>>>()?;
        eprintln!("load: {label}: enrolling over {instances} instance(s)");
        // Desk n talks to instance n % instances, so every tenant's desks are spread over all alike.
        let (desks, keys) = runtime.block_on(async {
            let mut desks = Vec::with_capacity(codes.len());
            for (n, code) in codes.iter().enumerate() {
                let portal = &portals[n % portals.len()];
                desks.push(Arc::new(Desk::enrol(&portal.base, code).await?));
            }
            let mut keys = Vec::with_capacity(tenants);
            for first in desks.iter().step_by(desks_each) {
                keys.push(first.destination_key().await?);
            }
            anyhow::Ok((desks, keys))
        })?;
        ensure!(keys.len() == tenants, "{} destination keys for {tenants} tenants", keys.len());
        Ok(Setup { backend, tenants, desks_each, portals, desks, keys, _store: store })
    }

    /// One round: every desk delivers `per_desk` submissions (and one before the clock starts).
    fn measure(&self, runtime: &tokio::runtime::Runtime, per_desk: usize, round: usize) -> Result<Phase> {
        let label = format!("{}: {} tenants × {} desks", self.backend.label(), self.tenants, self.desks_each);
        let mut batches: Vec<Vec<Sealed>> = Vec::with_capacity(self.desks.len());
        for key in &self.keys {
            let mut sealed = seal_all(key, self.desks_each * (per_desk + 1))?.into_iter();
            batches.extend((0..self.desks_each).map(|_| sealed.by_ref().take(per_desk + 1).collect::<Vec<_>>()));
        }
        eprintln!("load: {label}: round {}, {} desks delivering {per_desk} each", round + 1, self.desks.len());
        runtime.block_on(crowd(&self.portals, &self.desks, batches))
    }
}

/// The load average over 1, 5 and 15 minutes, from `/proc/loadavg`.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
}

fn per_second(phase: &Phase) -> f64 {
    let seconds = phase.elapsed.as_secs_f64();
    if seconds > 0.0 { phase.deliveries as f64 / seconds } else { 0.0 }
}

fn per_submission(cpu: Option<Duration>, deliveries: usize) -> String {
    cpu.map_or_else(
        || "–".to_owned(),
        |cpu| format!("{} ms", ms(cpu / u32::try_from(deliveries.max(1)).unwrap_or(u32::MAX))),
    )
}

fn print_report(
    figures: &[Figures],
    plan: Plan,
    full: bool,
    took: Duration,
    load_before: Option<String>,
    load_after: Option<String>,
) {
    println!();
    println!("## Portal load benchmark: many tenants");
    println!();
    println!(
        "{} build of `formdesk-portal serve` on 127.0.0.1, {} cores shared by the portal(s), the desks (this \
         process) and PostgreSQL. {} desks in all, all delivering at once, {} timed submissions each per round, \
         one at a time, {} rounds of each shape taking turns; each delivery: announce, one attachment JWE of \
         about 50 KB, submit, acceptance checked. Load average before: {}; after: {}.{}",
        if cfg!(debug_assertions) { "Debug" } else { "Release" },
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        plan.desks(),
        plan.per_desk,
        plan.rounds,
        load_before.as_deref().unwrap_or("–"),
        load_after.as_deref().unwrap_or("–"),
        if full { "" } else { " **Smoke run: too short for figures.**" },
    );
    println!();
    println!(
        "| backend | instances | tenants × desks | submissions | wall time | submissions/s | portal CPU per \
         submission | desks' CPU per submission | PostgreSQL CPU per submission | machine busy | delivery p50 | p90 | p99 | max | submissions/s by round |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for f in figures {
        let mut timings = f.phase.samples.of(Kind::Delivery);
        timings.sort();
        println!(
            "| {} | {} | {} × {} | {} | {:.2} s | **{:.0}** | {} | {} | {} | {} | {} ms | {} ms | **{} ms** | {} ms | {} |",
            f.backend.label(),
            f.instances,
            f.tenants,
            f.desks_each,
            f.phase.deliveries,
            f.phase.elapsed.as_secs_f64(),
            per_second(&f.phase),
            per_submission(f.phase.portal_cpu, f.phase.deliveries),
            per_submission(f.phase.desks_cpu, f.phase.deliveries),
            per_submission(f.phase.server_cpu, f.phase.deliveries),
            f.phase.machine_busy.map_or_else(|| "–".to_owned(), |b| format!("{:.0} %", b * 100.0)),
            ms(quantile(&timings, 0.50)),
            ms(quantile(&timings, 0.90)),
            ms(quantile(&timings, 0.99)),
            ms(timings.last().copied().unwrap_or_default()),
            f.rounds.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", "),
        );
    }
    println!();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let shape = |tenants: usize| figures.iter().find(|f| f.backend == backend && f.tenants == tenants);
        if let (Some(one), Some(many)) = (shape(1), shape(plan.tenants)) {
            let (one, many) = (per_second(&one.phase), per_second(&many.phase));
            if one > 0.0 {
                println!(
                    "{}: {} tenants reach {:.0} % of one tenant's throughput ({:.0} against {:.0} submissions/s; \
                     target at least 80 %).",
                    backend.label(),
                    plan.tenants,
                    many / one * 100.0,
                    many,
                    one
                );
            }
        }
    }
    println!();
    println!("The whole run, setup and sealing included, took {:.1} s.", took.as_secs_f64());
}

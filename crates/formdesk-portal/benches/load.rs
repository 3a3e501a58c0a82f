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
//! Run: `cargo bench -p formdesk-portal --bench load`. Without `--bench` (as `cargo test --benches` runs it)
//! it makes a short smoke run of the same steps.
//!
//! Non-goals: pass/fail thresholds, TLS, the reverse proxy, attachments uploaded in several pieces.

// Printing the figures is this benchmark's job.
#![allow(clippy::print_stdout)]

// The benchmark uses the tests' throwaway cluster and its databases, not the tests' queries.
#[allow(dead_code)]
#[path = "../tests/it/support/pg.rs"]
mod pg;

use anyhow::{Context as _, Result, anyhow, ensure};
use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::auth::authorize;
use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::wire::{self, Announce, AttachmentStatus, EnrolRequest, EnrolResponse, Submit, Submitted};
use formdesk_protocol::{decode_base64url, encode_base64url, sha256_hex};
use formdesk_seal::RecipientKey;
use reqwest::Method;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PORTAL: &str = env!("CARGO_BIN_EXE_formdesk-portal");
const AUTHORITY_KEY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../formdesk-seal/tests/keys/authority-a-4096.pub.pem");
const DESTINATION: &str = "ordnungsamt";
/// The attachment's plaintext: 36 KiB, which seals to a JWE of about 50 KB.
const ATTACHMENT_PLAINTEXT: usize = 36 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full { FULL } else { SMOKE };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("the tokio runtime")?;
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

/// One timed phase.
#[derive(Debug)]
struct Phase {
    deliveries: usize,
    elapsed: Duration,
    samples: Samples,
    portal_cpu: Option<Duration>,
    machine_busy: Option<f64>,
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
        let meter = Meter::start(&portal);
        let samples = drive(Arc::clone(first), timed, plan.in_flight).await?;
        Ok::<_, anyhow::Error>(meter.finish(&portal, samples, plan.submissions))
    })?;

    eprintln!("load: {}: sealing {} submissions", backend.label(), plan.desks * (plan.per_desk + 1));
    let mut all = seal_all(&key, plan.desks * (plan.per_desk + 1))?.into_iter();
    let batches: Vec<Vec<Sealed>> = (0..plan.desks).map(|_| all.by_ref().take(plan.per_desk + 1).collect()).collect();
    eprintln!("load: {}: latency, {} desks × {}", backend.label(), plan.desks, plan.per_desk);
    let latency = runtime.block_on(crowd(&portal, &desks, batches))?;

    portal.stop()?;
    Ok(Figures { backend, attachment_bytes, throughput, latency })
}

/// The clock of a phase, with the portal's CPU time and the machine's CPU ticks at its start.
#[derive(Debug)]
struct Meter {
    started: Instant,
    portal_cpu: Option<Duration>,
    machine: Option<(u64, u64)>,
}

impl Meter {
    fn start(portal: &Portal) -> Meter {
        Meter { started: Instant::now(), portal_cpu: portal.cpu(), machine: machine_times() }
    }

    fn finish(self, portal: &Portal, samples: Samples, deliveries: usize) -> Phase {
        let elapsed = self.started.elapsed();
        let portal_cpu = self.portal_cpu.zip(portal.cpu()).map(|(before, after)| after.saturating_sub(before));
        let machine_busy = self.machine.zip(machine_times()).and_then(|((busy0, total0), (busy1, total1))| {
            (total1 > total0).then(|| (busy1 - busy0) as f64 / (total1 - total0) as f64)
        });
        Phase { deliveries, elapsed, samples, portal_cpu, machine_busy }
    }
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
async fn crowd(portal: &Portal, desks: &[Arc<Desk>], batches: Vec<Vec<Sealed>>) -> Result<Phase> {
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
    let meter = Meter::start(portal);
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
        None => Ok(meter.finish(portal, samples, deliveries)),
    }
}

/// A portal's data: its folder and, on PostgreSQL, its own database in the throwaway cluster.
#[derive(Debug)]
struct Store {
    _dir: tempfile::TempDir,
    args: Vec<String>,
}

impl Store {
    fn new(backend: Backend) -> Result<Store> {
        let dir = tempfile::Builder::new().prefix("formdesk-portal-load-").tempdir().context("a temporary folder")?;
        let mut args = vec!["--data-dir".to_owned(), dir.path().join("data").display().to_string()];
        if backend == Backend::Postgres {
            args.extend(["--database".to_owned(), pg::cluster().database()]);
        }
        Ok(Store { _dir: dir, args })
    }

    /// Runs an administrators' command on this store and returns what it printed.
    fn admin(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(PORTAL)
            .args(args)
            .args(&self.args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {PORTAL}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        ensure!(
            out.status.success(),
            "formdesk-portal {args:?}: {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(stdout)
    }
}

/// A running `formdesk-portal serve`; killed when dropped, unless it was stopped.
#[derive(Debug)]
struct Portal {
    child: Child,
    base: String,
}

impl Portal {
    fn start(store: &Store) -> Result<Portal> {
        let mut child = Command::new(PORTAL)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(&store.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting formdesk-portal serve")?;
        let stdout = child.stdout.take().context("the portal's standard output")?;
        // From here on the portal is killed on every way out.
        let mut portal = Portal { child, base: String::new() };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
        });
        let line = receiver
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| anyhow!("the portal printed no line within {START_TIMEOUT:?}"))?
            .context("reading the portal's standard output")?;
        portal.base = line
            .trim()
            .strip_prefix("formdesk-portal: listening on ")
            .ok_or_else(|| anyhow!("not the listening line: {line:?}"))?
            .to_owned();
        Ok(portal)
    }

    /// The CPU time the portal used so far, all its threads.
    fn cpu(&self) -> Option<Duration> {
        process_cpu(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Stops the portal with SIGTERM; it must exit cleanly within [`STOP_TIMEOUT`].
    fn stop(&mut self) -> Result<()> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().context("kill")?;
        ensure!(status.success(), "kill -TERM {} failed", self.child.id());
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(exit) = self.child.try_wait().context("waiting for the portal")? {
                ensure!(exit.success(), "the portal exited with {exit}");
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "the portal did not stop within {STOP_TIMEOUT:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn clock_ticks() -> u64 {
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
fn process_cpu(stat: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(stat).ok()?;
    // The fields after the command name, which is in parentheses: the third field of the file comes first.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / clock_ticks()))
}

/// The machine's busy and total CPU ticks so far, from `/proc/stat`.
fn machine_times() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let values: Vec<u64> =
        text.lines().next()?.split_whitespace().skip(1).take(8).map(|v| v.parse().ok()).collect::<Option<_>>()?;
    let total: u64 = values.iter().sum();
    let idle = values.get(3)? + values.get(4)?;
    Some((total - idle, total))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What is timed.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Announce,
    Upload,
    Submit,
    Delivery,
}

impl Kind {
    fn label(self) -> &'static str {
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
struct Samples {
    by_kind: [Vec<Duration>; 4],
}

impl Samples {
    fn push(&mut self, kind: Kind, took: Duration) {
        self.by_kind[kind as usize].push(took);
    }

    fn extend(&mut self, other: Samples) {
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            mine.extend(theirs);
        }
    }

    fn of(&self, kind: Kind) -> Vec<Duration> {
        self.by_kind[kind as usize].clone()
    }

    /// Every HTTP request, of whatever kind.
    fn requests(&self) -> Vec<Duration> {
        [Kind::Announce, Kind::Upload, Kind::Submit].iter().flat_map(|&k| self.of(k)).collect()
    }
}

/// A submission sealed for the destination, with the request bodies and the part hashes its acceptance must
/// name.
#[derive(Debug)]
struct Sealed {
    id: String,
    attachment_id: String,
    announce: Vec<u8>,
    attachment: String,
    submit: Vec<u8>,
    parts: Vec<PartHash>,
}

fn uuid(rng: &SystemRandom) -> Result<String> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes).map_err(|_| anyhow!("no random numbers"))?;
    Ok(formdesk_protocol::ids::uuid_from_random(bytes))
}

fn part_hash(name: String, jwe: &str) -> PartHash {
    PartHash { name, sha256: sha256_hex(jwe.as_bytes()), size: jwe.len() as u64 }
}

fn seal_one(key: &RecipientKey, rng: &SystemRandom, n: usize) -> Result<Sealed> {
    let id = uuid(rng)?;
    let attachment_id = uuid(rng)?;
    let mut file = vec![0u8; ATTACHMENT_PLAINTEXT];
    let head = b"%PDF-1.7\n";
    file[..head.len()].copy_from_slice(head);
    rng.fill(&mut file[head.len()..]).map_err(|_| anyhow!("no random numbers"))?;
    let form = FormRef {
        id: "hundeanmeldung".into(),
        version: "1.0.0".into(),
        title: "Anmeldung eines Hundes".into(),
        sha256: None,
        set_sha256: None,
    };
    let data = SubmissionData {
        format_version: CONTENT_VERSION,
        form: form.clone(),
        answers: serde_json::json!({
            "hund_name": format!("Bello {n}"),
            "hund_rasse": "Labrador Retriever",
            "halter_name": "Erika Mustermann",
            "halter_anschrift": "Musterstraße 12, 12345 Musterstadt",
            "sepa_iban": "DE89370400440532013000",
            "impfpass": attachment_id,
        }),
        clerk: "Petra Schmidt".into(),
        citizen_language: None,
    };
    let data_plain = serde_json::to_vec(&data).context("data as JSON")?;
    let metadata = Metadata {
        format_version: CONTENT_VERSION,
        submission_id: id.clone(),
        destination_id: DESTINATION.into(),
        form,
        reference: format!("HUND-{n:04}-Q9XN"),
        finalized_at: "2026-11-24T10:42:00+01:00".into(),
        data_sha256: sha256_hex(&data_plain),
        attachments: vec![AttachmentMeta {
            id: attachment_id.clone(),
            filename: "Impfpass.pdf".into(),
            media_type: "application/pdf".into(),
            size: file.len() as u64,
            sha256: sha256_hex(&file),
        }],
    };
    let metadata_plain = serde_json::to_vec(&metadata).context("metadata as JSON")?;
    let seal = |plaintext: &[u8]| formdesk_seal::seal(key, plaintext, rng).context("sealing a part");
    let (metadata, data, attachment) = (seal(&metadata_plain)?, seal(&data_plain)?, seal(&file)?);
    let parts = vec![
        part_hash("metadata".into(), &metadata),
        part_hash("data".into(), &data),
        part_hash(format!("attachment:{attachment_id}"), &attachment),
    ];
    let announce = Announce { destination_id: DESTINATION.into(), attachments: vec![attachment_id.clone()] };
    Ok(Sealed {
        id,
        attachment_id,
        announce: serde_json::to_vec(&announce).context("announcement as JSON")?,
        attachment,
        submit: serde_json::to_vec(&Submit { metadata, data }).context("submit request as JSON")?,
        parts,
    })
}

/// Seals `count` submissions on every core.
fn seal_all(key: &RecipientKey, count: usize) -> Result<Vec<Sealed>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let rng = SystemRandom::new();
                    (t..count).step_by(threads).map(|n| seal_one(key, &rng, n)).collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for handle in handles {
            all.extend(handle.join().map_err(|_| anyhow!("a sealing thread panicked"))??);
        }
        Ok(all)
    })
}

/// An enrolled desk: its device key, its id and its HTTP client.
#[derive(Debug)]
struct Desk {
    key: Ed25519KeyPair,
    device_id: String,
    portal_key: Vec<u8>,
    base: String,
    client: reqwest::Client,
}

impl Desk {
    /// Makes a device key and enrols it with `code`.
    async fn enrol(base: &str, code: &str) -> Result<Desk> {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| anyhow!("no device key"))?;
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| anyhow!("the device key: {e}"))?;
        let client =
            reqwest::Client::builder().no_proxy().timeout(REQUEST_TIMEOUT).build().context("the HTTP client")?;
        let body = EnrolRequest { code: code.to_owned(), public_key: encode_base64url(key.public_key().as_ref()) };
        let response = client
            .post(format!("{base}/v1/enrolment"))
            .body(serde_json::to_vec(&body).context("enrolment as JSON")?)
            .send()
            .await
            .context("POST /v1/enrolment")?;
        let status = response.status();
        let bytes = response.bytes().await.context("the enrolment's answer")?;
        ensure!(status.as_u16() == 200, "POST /v1/enrolment: {status}: {}", String::from_utf8_lossy(&bytes));
        let enrolled: EnrolResponse = serde_json::from_slice(&bytes).context("the enrolment's answer")?;
        let portal_key = decode_base64url(&enrolled.portal_key).context("the portal's key is not base64url")?;
        Ok(Desk { key, device_id: enrolled.device_id, portal_key, base: base.to_owned(), client })
    }

    /// A signed request; its time from sending to the whole answer goes to `samples` as `kind`.
    async fn call(
        &self,
        kind: Kind,
        method: Method,
        path: &str,
        body: Vec<u8>,
        expected: u16,
        samples: &mut Samples,
    ) -> Result<Vec<u8>> {
        let header = authorize(&self.key, &self.device_id, method.as_str(), path, unix_now(), &body);
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::AUTHORIZATION, header)
            .body(body);
        let started = Instant::now();
        let response = request.send().await.with_context(|| format!("{}: {path}", kind.label()))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.with_context(|| format!("{}: the answer to {path}", kind.label()))?;
        samples.push(kind, started.elapsed());
        ensure!(
            status == expected,
            "{}: {path}: {status} instead of {expected}: {}",
            kind.label(),
            String::from_utf8_lossy(&bytes)
        );
        Ok(bytes.to_vec())
    }

    /// The destination's key as the portal hands it out, checked against its key id.
    async fn destination_key(&self) -> Result<RecipientKey> {
        let mut ignored = Samples::default();
        let bytes = self.call(Kind::Announce, Method::GET, "/v1/destinations", Vec::new(), 200, &mut ignored).await?;
        let list: Vec<wire::Destination> = serde_json::from_slice(&bytes).context("the destinations")?;
        let destination = list.into_iter().find(|d| d.id == DESTINATION).context("the destination is not listed")?;
        let der = decode_base64url(&destination.public_key).context("the destination's key is not base64url")?;
        let key = RecipientKey::from_spki_der(&der).context("the destination's key")?;
        ensure!(key.key_id() == destination.key_id, "the destination's key id is not its key's");
        Ok(key)
    }

    /// Delivers one submission and checks its acceptance.
    async fn deliver(&self, sealed: Sealed, samples: &mut Samples) -> Result<()> {
        let started = Instant::now();
        let Sealed { id, attachment_id, announce, attachment, submit, parts } = sealed;
        self.call(Kind::Announce, Method::PUT, &wire::submission_path(&id), announce, 201, samples).await?;

        let total = attachment.len() as u64;
        let path = wire::attachment_path(&id, &attachment_id, 0, total);
        let answer = self.call(Kind::Upload, Method::PUT, &path, attachment.into_bytes(), 200, samples).await?;
        let status: AttachmentStatus = serde_json::from_slice(&answer).context("the upload's answer")?;
        ensure!(status.complete && status.received == total, "attachment {attachment_id} is not complete: {status:?}");

        let answer = self.call(Kind::Submit, Method::POST, &wire::submit_path(&id), submit, 200, samples).await?;
        let submitted: Submitted = serde_json::from_slice(&answer).context("the submit's answer")?;
        let acceptance = Acceptance::verify(&submitted.acceptance, &self.portal_key).context("the acceptance")?;
        ensure!(
            acceptance.submission_id == id
                && acceptance.device_id == self.device_id
                && acceptance.destination_id == DESTINATION,
            "the acceptance names another submission: {acceptance:?}"
        );
        ensure!(acceptance.parts == parts, "the acceptance's parts are not the parts sent: {:?}", acceptance.parts);
        samples.push(Kind::Delivery, started.elapsed());
        Ok(())
    }
}

/// The `p`-quantile of sorted timings, by nearest rank.
fn quantile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
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

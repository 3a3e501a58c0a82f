//! The engine against a scripted courier, on tokio's paused clock: which attempt happens when, exactly.

use crate::support::{SplitMix, device_key};
use formdesk_protocol::acceptance::Acceptance;
use formdesk_sync::acceptance::expected_parts;
use formdesk_sync::memory::State;
use formdesk_sync::{
    Backoff, Courier, Delivered, DeliveryError, EngineOptions, Entry, MemoryOutbox, Parts, SyncEngine, Unreachable,
};
use ring::signature::Ed25519KeyPair;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

const T0: i64 = 1_800_000_000;

/// A courier that answers as the test says, and writes down when it was asked what.
#[derive(Default)]
struct Scripted {
    key: Mutex<Option<Arc<Ed25519KeyPair>>>,
    /// Per submission: the answers to its next attempts; after them, success.
    answers: Mutex<HashMap<String, VecDeque<DeliveryError>>>,
    /// While set, every delivery and every probe finds no portal.
    down: AtomicBool,
    /// How long a delivery takes.
    delay: Mutex<Duration>,
    /// (seconds since start, submission) of every delivery attempt.
    attempts: Mutex<Vec<(u64, String)>>,
    /// Seconds since start of every probe.
    probes: Mutex<Vec<u64>>,
    running: AtomicUsize,
    most_running: AtomicUsize,
    start: Mutex<Option<Instant>>,
}

impl Scripted {
    fn new(with_key: bool) -> Arc<Scripted> {
        let scripted = Scripted::default();
        if with_key {
            *scripted.key.lock().unwrap() = Some(Arc::new(device_key()));
        }
        *scripted.start.lock().unwrap() = Some(Instant::now());
        Arc::new(scripted)
    }

    fn elapsed(&self) -> u64 {
        self.start.lock().unwrap().map_or(0, |s| s.elapsed().as_secs())
    }

    fn answer(&self, id: &str, errors: impl IntoIterator<Item = DeliveryError>) {
        self.answers.lock().unwrap().entry(id.to_owned()).or_default().extend(errors);
    }

    fn attempts_of(&self, id: &str) -> Vec<u64> {
        self.attempts.lock().unwrap().iter().filter(|(_, s)| s == id).map(|(t, _)| *t).collect()
    }
}

impl Courier for Scripted {
    fn has_key(&self) -> bool {
        self.key.lock().unwrap().is_some()
    }

    fn set_key(&self, key: Option<Arc<Ed25519KeyPair>>) {
        *self.key.lock().unwrap() = key;
    }

    async fn deliver(&self, entry: &Entry, parts: &Parts) -> Result<Delivered, DeliveryError> {
        if !self.has_key() {
            return Err(DeliveryError::Locked);
        }
        self.attempts.lock().unwrap().push((self.elapsed(), entry.submission_id.clone()));
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(running, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        // The portal client signs each request as it goes: locked in between, the next one is not sent.
        if !self.has_key() {
            return Err(DeliveryError::Locked);
        }
        if self.down.load(Ordering::SeqCst) {
            return Err(DeliveryError::Unreachable(Unreachable::Network, "connection refused".into()));
        }
        let scripted = self.answers.lock().unwrap().get_mut(&entry.submission_id).and_then(VecDeque::pop_front);
        if let Some(error) = scripted {
            return Err(error);
        }
        let accepted = Acceptance {
            format_version: 1,
            submission_id: entry.submission_id.clone(),
            destination_id: entry.destination_id.clone(),
            device_id: "device".into(),
            accepted_at: T0 + i64::try_from(self.elapsed()).unwrap(),
            parts: expected_parts(parts),
        };
        Ok(Delivered { acceptance: format!("signed:{}", entry.submission_id), accepted })
    }

    async fn probe(&self) -> Result<(), DeliveryError> {
        self.probes.lock().unwrap().push(self.elapsed());
        if self.down.load(Ordering::SeqCst) {
            Err(DeliveryError::Unreachable(Unreachable::Network, "connection refused".into()))
        } else {
            Ok(())
        }
    }
}

fn parts() -> Parts {
    Parts { metadata: "meta".into(), data: "data".into(), attachments: vec![] }
}

/// The engine's clock on tokio's paused time, starting at `T0`.
fn clock() -> Arc<dyn formdesk_sync::Clock> {
    let start = Instant::now();
    Arc::new(move || T0 + i64::try_from(start.elapsed().as_secs()).unwrap())
}

fn now_of(clock: &Arc<dyn formdesk_sync::Clock>) -> i64 {
    clock.now()
}

/// A random source that always draws the same number: every wait is the ceiling's share of it.
fn fixed(value: u64) -> Box<dyn formdesk_sync::RandomSource> {
    Box::new(move || value)
}

fn seeded(seed: u64) -> Box<dyn formdesk_sync::RandomSource> {
    let mut random = SplitMix(seed);
    Box::new(move || random.next_u64())
}

fn start(
    outbox: &MemoryOutbox,
    courier: &Arc<Scripted>,
    options: EngineOptions,
    clock: &Arc<dyn formdesk_sync::Clock>,
    random: Box<dyn formdesk_sync::RandomSource>,
) -> SyncEngine {
    SyncEngine::start_with(outbox.clone(), Arc::clone(courier), options, Arc::clone(clock), random).unwrap()
}

/// Lets paused time run in steps of 100 ms until `done` or `limit` has passed.
async fn run_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done()
}

fn state(outbox: &MemoryOutbox, id: &str) -> State {
    outbox.record(id).unwrap().unwrap().state
}

#[tokio::test(start_paused = true)]
async fn everything_due_is_delivered_a_few_at_a_time_and_each_once() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    for i in 0..10 {
        outbox.queue(&format!("s{i}"), "ordnungsamt", parts(), T0).unwrap();
    }
    let courier = Scripted::new(true);
    *courier.delay.lock().unwrap() = Duration::from_secs(5);
    let options = EngineOptions { concurrency: 3, ..EngineOptions::default() };
    let engine = start(&outbox, &courier, options, &clock, fixed(0));

    assert!(run_until(Duration::from_secs(60), || outbox.delivered_count().unwrap() == 10).await);
    // Ten deliveries of 5 s, three at a time: four rounds.
    assert_eq!(courier.elapsed(), 20);
    assert_eq!(courier.most_running.load(Ordering::SeqCst), 3);
    for record in outbox.records().unwrap() {
        assert_eq!(record.delivered_calls, 1, "{}", record.entry.submission_id);
        let State::Delivered { acceptance, .. } = record.state else { panic!("{record:?}") };
        assert_eq!(acceptance, format!("signed:{}", record.entry.submission_id));
    }
    // Oldest first: s0 to s2 at once, s3 to s5 when those are done, and so on.
    for i in 0..10 {
        assert_eq!(courier.attempts_of(&format!("s{i}")), [5 * (i / 3)], "s{i}");
    }
    let status = engine.status();
    assert_eq!(status.online, Some(true));
    assert_eq!(status.sending, 0);
    assert_eq!(status.last_sync_at, Some(T0 + 20));
    assert_eq!(status.last_error, None);
    assert!(!status.locked);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_transient_failure_is_retried_when_its_backoff_has_passed() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(true);
    courier.answer(
        "s",
        [
            DeliveryError::Unavailable("HTTP 503".into()),
            DeliveryError::Unavailable("HTTP 503".into()),
            DeliveryError::Unavailable("HTTP 429".into()),
        ],
    );
    // 1999 ms of every ceiling (2 s, 4 s, 8 s …): 2 s each time, rounded up.
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(1999));

    assert!(run_until(Duration::from_secs(1), || outbox.record("s").unwrap().unwrap().entry.attempts == 1).await);
    let record = outbox.record("s").unwrap().unwrap();
    assert_eq!(record.state, State::Queued { next_attempt_at: T0 + 2 });
    assert!(record.last_error.as_deref().unwrap().starts_with("Das Portal kann die Sendung gerade nicht annehmen"));
    assert_eq!(engine.status().online, Some(true), "a 503 is an answer: the portal is reachable");

    assert!(run_until(Duration::from_secs(60), || outbox.delivered_count().unwrap() == 1).await);
    assert_eq!(courier.attempts_of("s"), [0, 2, 4, 6]);
    assert_eq!(outbox.record("s").unwrap().unwrap().delivered_calls, 1);
    assert_eq!(engine.status().last_error, None);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn retries_wait_within_the_growing_ceiling() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(true);
    courier.answer("s", (0..8).map(|_| DeliveryError::Unavailable("HTTP 502".into())));
    let options = EngineOptions { retry: Backoff::RETRY, ..EngineOptions::default() };
    let engine = start(&outbox, &courier, options, &clock, seeded(3));
    assert!(run_until(Duration::from_secs(3600), || outbox.delivered_count().unwrap() == 1).await);
    let times = courier.attempts_of("s");
    assert_eq!(times.len(), 9);
    for (n, pair) in times.windows(2).enumerate() {
        let ceiling = Backoff::RETRY.ceiling(u32::try_from(n).unwrap() + 1).as_secs();
        assert!(pair[1] - pair[0] <= ceiling, "wait {n}: {} s, ceiling {ceiling} s", pair[1] - pair[0]);
    }
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_permanent_failure_waits_for_jetzt_senden() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(true);
    let reason = "Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet. Bitte wenden Sie sich an die Verwaltung des Portals.";
    courier.answer("s", [DeliveryError::Unenrolled("HTTP 401".into())]);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0));

    assert!(run_until(Duration::from_secs(1), || state(&outbox, "s") == State::Failed).await);
    assert_eq!(outbox.record("s").unwrap().unwrap().last_error.as_deref(), Some(reason));
    assert_eq!(engine.status().last_error.as_deref(), Some(reason));
    // An hour later it has not been tried again.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(courier.attempts_of("s"), [0]);

    outbox.send_now(now_of(&clock)).unwrap();
    engine.wake();
    assert!(run_until(Duration::from_secs(1), || outbox.delivered_count().unwrap() == 1).await);
    assert_eq!(courier.attempts_of("s"), [0, 3600]);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_engine_sleeps_until_the_next_entry_is_due() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("later", "ordnungsamt", parts(), T0 + 100).unwrap();
    let courier = Scripted::new(true);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0));
    assert!(run_until(Duration::from_secs(200), || outbox.delivered_count().unwrap() == 1).await);
    assert_eq!(courier.attempts_of("later"), [100]);

    // Queued while the engine sleeps with nothing to do: a wake sends it at once.
    tokio::time::sleep(Duration::from_secs(10)).await;
    outbox.queue("now", "ordnungsamt", parts(), now_of(&clock)).unwrap();
    engine.wake();
    assert!(run_until(Duration::from_secs(1), || outbox.delivered_count().unwrap() == 2).await);
    assert_eq!(courier.attempts_of("now"), [110]);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_portal_is_probed_with_backoff_instead_of_sent_to() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    for i in 0..3 {
        outbox.queue(&format!("s{i}"), "ordnungsamt", parts(), T0).unwrap();
    }
    let courier = Scripted::new(true);
    courier.down.store(true, Ordering::SeqCst);
    let options = EngineOptions { concurrency: 2, ..EngineOptions::default() };
    let engine = start(&outbox, &courier, options, &clock, seeded(11));

    assert!(run_until(Duration::from_secs(1), || engine.status().online == Some(false)).await);
    // Ten minutes without the portal: the two attempts that noticed it, then only probes, ever further apart.
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(courier.attempts.lock().unwrap().len(), 2, "no submissions are sent while the portal is away");
    let probes = courier.probes.lock().unwrap().clone();
    assert!(probes.len() >= 3 && probes.len() <= 40, "{probes:?}");
    for (n, pair) in probes.windows(2).enumerate() {
        let ceiling = Backoff::PROBE.ceiling(u32::try_from(n).unwrap() + 2).as_secs() + 1;
        assert!(pair[1] - pair[0] <= ceiling, "probe gap {n}: {probes:?}");
    }
    let status = engine.status();
    assert_eq!(status.online, Some(false));
    assert!(status.last_error.as_deref().unwrap().starts_with("Das Portal ist nicht erreichbar"), "{status:?}");

    // The network is back and the desk says so: one probe at once, then everything goes.
    courier.down.store(false, Ordering::SeqCst);
    let probes_before = courier.probes.lock().unwrap().len();
    engine.wake();
    assert!(run_until(Duration::from_secs(5), || outbox.delivered_count().unwrap() == 3).await);
    assert_eq!(courier.probes.lock().unwrap().len(), probes_before + 1);
    assert_eq!(engine.status().online, Some(true));
    for record in outbox.records().unwrap() {
        assert_eq!(record.delivered_calls, 1);
    }
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_portal_that_comes_back_on_its_own_is_noticed_by_the_next_probe() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(true);
    courier.down.store(true, Ordering::SeqCst);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, seeded(5));
    tokio::time::sleep(Duration::from_secs(60)).await;
    courier.down.store(false, Ordering::SeqCst);
    // The probe's ceiling is 5 minutes; by then it has asked again and found the portal.
    assert!(run_until(Duration::from_secs(301), || outbox.delivered_count().unwrap() == 1).await);
    assert_eq!(engine.status().online, Some(true));
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_locked_engine_sends_nothing_until_it_gets_the_key() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(false);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0));
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(engine.status().locked);
    assert!(courier.attempts.lock().unwrap().is_empty());
    assert_eq!(outbox.record("s").unwrap().unwrap().entry.attempts, 0);

    engine.unlock(Arc::new(device_key()));
    assert!(!engine.status().locked);
    assert!(run_until(Duration::from_secs(1), || outbox.delivered_count().unwrap() == 1).await);

    engine.lock();
    assert!(engine.status().locked);
    assert!(!courier.has_key());
    outbox.queue("t", "ordnungsamt", parts(), now_of(&clock)).unwrap();
    engine.wake();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(state(&outbox, "t"), State::Queued { next_attempt_at: T0 + 600 });
    engine.unlock(Arc::new(device_key()));
    assert!(run_until(Duration::from_secs(1), || outbox.delivered_count().unwrap() == 2).await);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn locking_in_the_middle_of_a_delivery_is_no_failed_attempt() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    outbox.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let courier = Scripted::new(true);
    *courier.delay.lock().unwrap() = Duration::from_secs(1);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0));
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(engine.status().sending, 1);
    engine.lock();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let record = outbox.record("s").unwrap().unwrap();
    assert_eq!(record.entry.attempts, 0);
    assert_eq!(record.last_error, None);
    engine.unlock(Arc::new(device_key()));
    assert!(run_until(Duration::from_secs(5), || outbox.delivered_count().unwrap() == 1).await);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn after_shutdown_nothing_more_is_sent() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    let courier = Scripted::new(true);
    let engine = start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0));
    engine.shutdown().await;
    outbox.queue("s", "ordnungsamt", parts(), now_of(&clock)).unwrap();
    engine.wake();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(courier.attempts.lock().unwrap().is_empty());
    // A second shutdown is harmless.
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn dropping_the_handle_stops_the_engine() {
    let clock = clock();
    let outbox = MemoryOutbox::new();
    let courier = Scripted::new(true);
    drop(start(&outbox, &courier, EngineOptions::default(), &clock, fixed(0)));
    outbox.queue("s", "ordnungsamt", parts(), now_of(&clock)).unwrap();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(courier.attempts.lock().unwrap().is_empty());
    // The engine's task is gone, and with it its share of the courier.
    assert_eq!(Arc::strong_count(&courier), 1);
}

/// An outbox whose storage fails for a while.
#[derive(Clone)]
struct Failing {
    inner: MemoryOutbox,
    failing: Arc<AtomicBool>,
}

impl formdesk_sync::Outbox for Failing {
    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Entry>, formdesk_sync::SyncError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(formdesk_sync::SyncError::Outbox("database is locked".into()));
        }
        self.inner.due(now, limit)
    }
    fn next_due(&mut self) -> Result<Option<i64>, formdesk_sync::SyncError> {
        self.inner.next_due()
    }
    fn parts(&mut self, id: &str) -> Result<Parts, formdesk_sync::SyncError> {
        self.inner.parts(id)
    }
    fn failed(&mut self, id: &str, reason: &str, permanent: bool, at: i64) -> Result<(), formdesk_sync::SyncError> {
        self.inner.failed(id, reason, permanent, at)
    }
    fn delivered(&mut self, id: &str, acceptance: &str, at: i64) -> Result<(), formdesk_sync::SyncError> {
        self.inner.delivered(id, acceptance, at)
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_outbox_is_reported_and_tried_again_after_a_pause() {
    let clock = clock();
    let inner = MemoryOutbox::new();
    inner.queue("s", "ordnungsamt", parts(), T0).unwrap();
    let failing = Arc::new(AtomicBool::new(true));
    let outbox = Failing { inner: inner.clone(), failing: Arc::clone(&failing) };
    let courier = Scripted::new(true);
    let engine =
        SyncEngine::start_with(outbox, Arc::clone(&courier), EngineOptions::default(), clock, fixed(0)).unwrap();
    assert!(run_until(Duration::from_secs(1), || engine.status().last_error.is_some()).await);
    let error = engine.status().last_error.unwrap();
    assert!(error.starts_with("Der Postausgang dieses Arbeitsplatzes kann nicht gelesen"), "{error}");
    assert!(!error.contains("database is locked"), "the library's text goes to the log: {error}");
    failing.store(false, Ordering::SeqCst);
    assert!(run_until(Duration::from_secs(31), || inner.delivered_count().unwrap() == 1).await);
    assert_eq!(courier.attempts_of("s"), [30]);
    engine.shutdown().await;
}

#[tokio::test]
async fn the_engine_needs_a_runtime_only_to_start() {
    // Outside a runtime, starting is an error, not a panic.
    let result = std::thread::spawn(|| {
        SyncEngine::start(MemoryOutbox::new(), Scripted::new(true), EngineOptions::default()).map(|_| ())
    })
    .join()
    .unwrap();
    assert!(matches!(result, Err(formdesk_sync::SyncError::NoRuntime)));
}

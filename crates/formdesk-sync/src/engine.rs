//! The sync engine: a background task on tokio that delivers what the outbox has due, a few at a time, and
//! records what came of each attempt.
//!
//! The loop: take the due entries (at most [`EngineOptions::concurrency`] deliveries at once), deliver them,
//! record each result in the outbox (delivered with its acceptance; a transient failure with a retry time
//! from [`EngineOptions::retry`]; a permanent one waiting for the clerk), then sleep until the next entry is
//! due or [`SyncEngine::wake`] is called ("Jetzt senden", a finalized submission, the network is back).
//!
//! A failed connection tells the engine the portal is unreachable. Until it answers again the engine sends no
//! submissions; it asks `GET /healthz` with backoff ([`EngineOptions::probe`]) and resumes as soon as that
//! answers. Without the device key (the desk is locked) it sends nothing and says so in [`SyncStatus`].
//!
//! Nothing here blocks the caller: the outbox is called on tokio's blocking threads, the status is a snapshot
//! and every control is a message. The clock and the random source are passed in, so a test on tokio's paused
//! time sees exactly which attempt happens when.
//!
//! Non-goals: the protocol ([`crate::portal`]), storage ([`crate::outbox`]), deciding when to lock.

use crate::SyncError;
use crate::acceptance::Delivered;
use crate::backoff::{Backoff, RandomSource, SystemRandomSource};
use crate::clock::{Clock, SystemClock};
use crate::failure::DeliveryError;
use crate::outbox::{Entry, Outbox, Parts};
use ring::signature::Ed25519KeyPair;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

/// What the engine sends through: the portal client ([`crate::Portal`]), or a stand-in in tests.
pub trait Courier: Send + Sync + 'static {
    /// Whether it holds the device key, without which it cannot send.
    fn has_key(&self) -> bool;

    /// Hands in the device key (`Some`, after unlocking) or takes it away (`None`, when locking).
    fn set_key(&self, key: Option<Arc<Ed25519KeyPair>>);

    /// Delivers one submission, or takes up an earlier attempt where it stopped.
    fn deliver(&self, entry: &Entry, parts: &Parts) -> impl Future<Output = Result<Delivered, DeliveryError>> + Send;

    /// Asks whether the portal answers at all.
    fn probe(&self) -> impl Future<Output = Result<(), DeliveryError>> + Send;

    /// Uploads audit entries; the last seq the portal has, or `None` where there is nowhere to upload them.
    fn upload_audit(
        &self,
        _entries: Vec<formdesk_protocol::audit::Entry>,
    ) -> impl Future<Output = Result<Option<u64>, DeliveryError>> + Send {
        std::future::ready(Ok(None))
    }
}

/// At most this many audit entries go up in one request.
const AUDIT_BATCH: usize = formdesk_protocol::audit::UPLOAD_MOST;

/// How the engine works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// How many submissions are delivered at once. A few keep the connection busy while one waits for the
    /// portal's database; many would only compete for the same uplink.
    pub concurrency: usize,
    /// The wait before retrying a submission after a transient failure.
    pub retry: Backoff,
    /// The wait between questions to an unreachable portal.
    pub probe: Backoff,
    /// The longest the engine sleeps without looking at the outbox, in case a wake was missed.
    pub idle_check: Duration,
    /// How long the engine waits after the outbox itself failed before it tries it again.
    pub outbox_pause: Duration,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            concurrency: 4,
            retry: Backoff::RETRY,
            probe: Backoff::PROBE,
            idle_check: Duration::from_secs(5 * 60),
            outbox_pause: Duration::from_secs(30),
        }
    }
}

/// A snapshot of what the engine is doing, for the desk's status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// Whether the portal was reachable at the last contact; `None` before the first.
    pub online: Option<bool>,
    /// When the engine last delivered a submission, Unix seconds.
    pub last_sync_at: Option<i64>,
    /// How many submissions are being delivered right now.
    pub sending: usize,
    /// The reason of the last failed attempt (or of a failing outbox), until a delivery succeeds.
    pub last_error: Option<String>,
    /// Whether the engine is without the device key and so sends nothing.
    pub locked: bool,
}

type SetKey = Box<dyn Fn(Option<Arc<Ed25519KeyPair>>) + Send + Sync>;

/// The handle of a running engine. Dropping it stops the engine as [`SyncEngine::shutdown`] does, without
/// waiting.
pub struct SyncEngine {
    wake: Arc<Notify>,
    status: Arc<watch::Sender<SyncStatus>>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    set_key: SetKey,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine").field("status", &self.status()).finish_non_exhaustive()
    }
}

impl SyncEngine {
    /// Starts the engine on the current tokio runtime with the system's clock and random numbers.
    pub fn start<O: Outbox + 'static, C: Courier>(
        outbox: O,
        courier: Arc<C>,
        options: EngineOptions,
    ) -> Result<SyncEngine, SyncError> {
        SyncEngine::start_with(outbox, courier, options, Arc::new(SystemClock), Box::new(SystemRandomSource::new()))
    }

    /// Starts the engine with a clock and a random source of the caller's.
    pub fn start_with<O: Outbox + 'static, C: Courier>(
        outbox: O,
        courier: Arc<C>,
        options: EngineOptions,
        clock: Arc<dyn Clock>,
        random: Box<dyn RandomSource>,
    ) -> Result<SyncEngine, SyncError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SyncError::NoRuntime)?;
        let status = Arc::new(watch::Sender::new(SyncStatus { locked: !courier.has_key(), ..SyncStatus::default() }));
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let key_slot = Arc::clone(&courier);
        let worker = Worker {
            outbox: Arc::new(Mutex::new(outbox)),
            courier,
            clock,
            random,
            options: EngineOptions { concurrency: options.concurrency.max(1), ..options },
            status: Arc::clone(&status),
            wake: Arc::clone(&wake),
            tasks: JoinSet::new(),
            deliveries: HashMap::new(),
            probe: None,
            probe_failures: 0,
            next_probe: None,
            paused_until: None,
            audit: None,
            audit_due: true,
        };
        let task = runtime.spawn(worker.run(stopped));
        Ok(SyncEngine {
            wake,
            status,
            stop,
            task: Mutex::new(Some(task)),
            set_key: Box::new(move |key| key_slot.set_key(key)),
        })
    }

    /// Makes the engine look at the outbox now, and ask an unreachable portal again at once: for "Jetzt
    /// senden" (after the outbox made the entries due), a newly queued submission, or the network coming back.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// What the engine is doing now.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of the status, for a status line that updates itself.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Hands in the device key after the desk was unlocked; sending resumes.
    pub fn unlock(&self, key: Arc<Ed25519KeyPair>) {
        (self.set_key)(Some(key));
        self.status.send_if_modified(|s| std::mem::replace(&mut s.locked, false));
        self.wake();
    }

    /// Takes the device key away when the desk locks: nothing more is sent, and deliveries under way stop at
    /// their next request (and are taken up again after unlocking, where they stopped).
    pub fn lock(&self) {
        (self.set_key)(None);
        self.status.send_if_modified(|s| !std::mem::replace(&mut s.locked, true));
        self.wake();
    }

    /// Stops the engine and waits until it has. Deliveries under way are cut off; that is safe, since the next
    /// start repeats them and every step is idempotent at the portal.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().ok().and_then(|mut slot| slot.take());
        if let Some(task) = task {
            // The task only ends by returning or by being cancelled with the runtime; either way it is gone.
            let _ = task.await;
        }
    }
}

/// What a task of the engine ends with.
enum Done {
    Delivery {
        entry: Entry,
        result: Result<Delivered, Attempt>,
    },
    Probe(Result<(), DeliveryError>),
    /// An audit upload: whether it sent a whole batch (so more may wait), or why it failed.
    Audit(Result<bool, String>),
}

/// Why an attempt did not deliver.
enum Attempt {
    Portal(DeliveryError),
    Outbox(SyncError),
}

struct Worker<O, C> {
    outbox: Arc<Mutex<O>>,
    courier: Arc<C>,
    clock: Arc<dyn Clock>,
    random: Box<dyn RandomSource>,
    options: EngineOptions,
    status: Arc<watch::Sender<SyncStatus>>,
    wake: Arc<Notify>,
    tasks: JoinSet<Done>,
    /// The deliveries under way: task → submission.
    deliveries: HashMap<Id, String>,
    /// The probe under way.
    probe: Option<Id>,
    /// Probes that failed since the portal was last reachable.
    probe_failures: u32,
    /// While the portal is unreachable: when to ask it again.
    next_probe: Option<Instant>,
    /// After the outbox failed: when to try it again.
    paused_until: Option<Instant>,
    /// The audit upload under way.
    audit: Option<Id>,
    /// Whether audit entries may be waiting: at start and after each delivery.
    audit_due: bool,
}

/// Runs `f` on the outbox on a blocking thread: SQLite must not hold up the runtime.
async fn with_outbox<O: Outbox + 'static, T: Send + 'static>(
    outbox: &Arc<Mutex<O>>,
    f: impl FnOnce(&mut O) -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    let outbox = Arc::clone(outbox);
    tokio::task::spawn_blocking(move || {
        let mut guard = outbox.lock().map_err(|_| SyncError::Outbox("the outbox was poisoned by a panic".into()))?;
        f(&mut guard)
    })
    .await
    .map_err(|e| SyncError::Outbox(format!("the outbox call did not finish: {e}")))?
}

/// Whether the engine was told to stop, or its handle is gone.
fn stopped(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

fn secs(seconds: i64) -> Duration {
    Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
}

impl<O: Outbox + 'static, C: Courier> Worker<O, C> {
    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        loop {
            if stopped(&stop) {
                break;
            }
            let deadline = self.step(&stop).await;
            let stopping = tokio::select! {
                biased;
                // A dropped handle (an error here) stops the engine as well.
                changed = stop.changed() => changed.is_err() || *stop.borrow(),
                Some(joined) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.finish(joined).await;
                    false
                }
                () = self.wake.notified() => {
                    self.woken();
                    false
                }
                () = sleep_until(deadline) => false,
            };
            if stopping {
                break;
            }
        }
        self.tasks.shutdown().await;
        self.publish(|s| s.sending = 0);
    }

    /// Starts whatever can start now; returns when to look again (`None`: at the next event only).
    async fn step(&mut self, stop: &watch::Receiver<bool>) -> Option<Instant> {
        let locked = !self.courier.has_key();
        self.publish(|s| s.locked = locked);
        if locked {
            // Unlocking wakes the engine.
            return None;
        }
        if let Some(at) = self.next_probe {
            if self.probe.is_some() {
                return None;
            }
            if at > Instant::now() {
                return Some(at);
            }
            self.start_probe();
            return None;
        }
        if let Some(until) = self.paused_until {
            if until > Instant::now() {
                return Some(until);
            }
            self.paused_until = None;
        }
        // The audit trail goes up beside the deliveries; its failure only waits for the next delivery.
        if self.audit_due && self.audit.is_none() {
            self.start_audit();
        }
        let busy = self.deliveries.len();
        let free = self.options.concurrency.saturating_sub(busy);
        if free == 0 {
            return None;
        }
        let now = self.clock.now();
        let limit = busy + free;
        let due = match with_outbox(&self.outbox, move |o| o.due(now, limit)).await {
            Ok(due) => due,
            Err(e) => return self.outbox_failed(e),
        };
        // Stopped while the outbox was asked: nothing new starts.
        if stopped(stop) {
            return None;
        }
        let fetched = due.len();
        for entry in due {
            if self.deliveries.len() >= self.options.concurrency {
                break;
            }
            if !self.deliveries.values().any(|id| *id == entry.submission_id) {
                self.start_delivery(entry);
            }
        }
        let sending = self.deliveries.len();
        self.publish(|s| s.sending = sending);
        if sending >= self.options.concurrency {
            // Every slot is taken: the next finished delivery is the next event.
            return None;
        }
        if fetched == limit {
            // More may be due than the ones under way let this query see.
            return Some(Instant::now() + Duration::from_secs(1));
        }
        match with_outbox(&self.outbox, |o| o.next_due()).await {
            Ok(Some(at)) if at > now => Some(Instant::now() + secs(at - now).min(self.options.idle_check)),
            // What is due now is under way; when the others are due is not known until one finishes, so look
            // again in a second (one indexed query).
            Ok(Some(_)) => Some(Instant::now() + Duration::from_secs(1)),
            Ok(None) => Some(Instant::now() + self.options.idle_check),
            Err(e) => self.outbox_failed(e),
        }
    }

    fn start_delivery(&mut self, entry: Entry) {
        let courier = Arc::clone(&self.courier);
        let outbox = Arc::clone(&self.outbox);
        let id = entry.submission_id.clone();
        let task = self.tasks.spawn(async move {
            let of = entry.submission_id.clone();
            let result = match with_outbox(&outbox, move |o| o.parts(&of)).await {
                Ok(parts) => courier.deliver(&entry, &parts).await.map_err(Attempt::Portal),
                Err(e) => Err(Attempt::Outbox(e)),
            };
            Done::Delivery { entry, result }
        });
        self.deliveries.insert(task.id(), id);
    }

    fn start_audit(&mut self) {
        self.audit_due = false;
        let courier = Arc::clone(&self.courier);
        let outbox = Arc::clone(&self.outbox);
        let task = self.tasks.spawn(async move {
            let result = async {
                let entries =
                    with_outbox(&outbox, |o| o.audit_to_upload(AUDIT_BATCH)).await.map_err(|e| e.to_string())?;
                let full = entries.len() == AUDIT_BATCH;
                if entries.is_empty() {
                    return Ok(false);
                }
                let acknowledged = courier.upload_audit(entries).await.map_err(|e| e.detail().to_owned())?;
                if let Some(seq) = acknowledged {
                    with_outbox(&outbox, move |o| o.audit_acknowledged(seq)).await.map_err(|e| e.to_string())?;
                }
                Ok(full)
            }
            .await;
            Done::Audit(result)
        });
        self.audit = Some(task.id());
    }

    fn start_probe(&mut self) {
        let courier = Arc::clone(&self.courier);
        let task = self.tasks.spawn(async move { Done::Probe(courier.probe().await) });
        self.probe = Some(task.id());
    }

    async fn finish(&mut self, joined: Result<(Id, Done), JoinError>) {
        match joined {
            Ok((_, Done::Probe(result))) => {
                self.probe = None;
                self.probed(result);
            }
            Ok((task, Done::Delivery { entry, result })) => {
                self.deliveries.remove(&task);
                if result.is_ok() {
                    self.audit_due = true;
                }
                self.record(entry, result).await;
            }
            Ok((_, Done::Audit(result))) => {
                self.audit = None;
                match result {
                    // A whole batch went up: more may wait. (A delivery meanwhile has set it already.)
                    Ok(more) => self.audit_due |= more,
                    // Logged only: the audit trail never holds up a delivery or the clerk.
                    Err(e) => eprintln!("formdesk-sync: the audit entries were not uploaded: {e}"),
                }
            }
            Err(e) => {
                // A task that panicked: nothing was recorded, so its entry is simply due again.
                if self.audit == Some(e.id()) {
                    self.audit = None;
                    eprintln!("formdesk-sync: the audit upload failed: {e}");
                } else if self.probe == Some(e.id()) {
                    self.probe = None;
                    self.probed(Err(DeliveryError::Unavailable(format!("the probe failed: {e}"))));
                } else {
                    self.deliveries.remove(&e.id());
                    eprintln!("formdesk-sync: the delivery task failed: {e}");
                    let reason = "Die Sendung konnte nicht versucht werden; sie wird später wiederholt.".to_owned();
                    self.publish(|s| s.last_error = Some(reason));
                }
            }
        }
        let sending = self.deliveries.len();
        self.publish(|s| s.sending = sending);
    }

    async fn record(&mut self, entry: Entry, result: Result<Delivered, Attempt>) {
        let now = self.clock.now();
        let id = entry.submission_id.clone();
        match result {
            Ok(delivered) => {
                let at = delivered.accepted_at();
                let recorded = with_outbox(&self.outbox, move |o| o.delivered(&id, &delivered.acceptance, at)).await;
                self.reachable();
                match recorded {
                    Ok(()) => self.publish(|s| {
                        s.last_sync_at = Some(now);
                        s.last_error = None;
                    }),
                    // The entry stays due; the next attempt gets the same acceptance from the portal.
                    Err(e) => {
                        self.outbox_failed(e);
                    }
                }
            }
            // Not an attempt: the entry stays due for when the desk is unlocked.
            Err(Attempt::Portal(DeliveryError::Locked)) => {}
            Err(Attempt::Portal(error)) => {
                let permanent = error.is_permanent();
                let retry_at = if permanent {
                    now
                } else {
                    now.saturating_add(
                        self.options.retry.delay_secs(entry.attempts.saturating_add(1), &mut *self.random),
                    )
                };
                let reason = error.reason();
                // The clerk reads the sentence; what the libraries or the portal said goes to the log.
                eprintln!("formdesk-sync: submission {id}: {reason} ({})", error.detail());
                let stored = reason.clone();
                let recorded = with_outbox(&self.outbox, move |o| o.failed(&id, &stored, permanent, retry_at)).await;
                if error.is_unreachable() {
                    self.unreachable();
                } else {
                    self.reachable();
                }
                self.publish(|s| s.last_error = Some(reason));
                if let Err(e) = recorded {
                    self.outbox_failed(e);
                }
            }
            Err(Attempt::Outbox(e)) => {
                self.outbox_failed(e);
            }
        }
    }

    /// The portal answered: whatever it said, it can be reached.
    fn reachable(&mut self) {
        self.next_probe = None;
        self.probe_failures = 0;
        self.publish(|s| s.online = Some(true));
    }

    /// A request found no portal: stop sending and start asking whether it is back.
    fn unreachable(&mut self) {
        if self.next_probe.is_none() {
            self.probe_failures = 0;
            self.next_probe = Some(Instant::now() + self.options.probe.delay(1, &mut *self.random));
        }
        self.publish(|s| s.online = Some(false));
    }

    fn probed(&mut self, result: Result<(), DeliveryError>) {
        match result {
            Ok(()) => self.reachable(),
            Err(_) => {
                self.probe_failures = self.probe_failures.saturating_add(1);
                let wait = self.options.probe.delay(self.probe_failures.saturating_add(1), &mut *self.random);
                self.next_probe = Some(Instant::now() + wait);
                self.publish(|s| s.online = Some(false));
            }
        }
    }

    fn woken(&mut self) {
        if self.next_probe.is_some() {
            self.next_probe = Some(Instant::now());
        }
        self.paused_until = None;
    }

    fn outbox_failed(&mut self, error: SyncError) -> Option<Instant> {
        let until = Instant::now() + self.options.outbox_pause;
        self.paused_until = Some(until);
        let reason = error.to_string();
        eprintln!("formdesk-sync: the outbox: {reason} ({})", error.detail());
        self.publish(|s| s.last_error = Some(reason));
        Some(until)
    }

    /// Changes the status, telling subscribers only when something changed.
    fn publish(&self, change: impl FnOnce(&mut SyncStatus)) {
        self.status.send_if_modified(|status| {
            let before = status.clone();
            change(status);
            *status != before
        });
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

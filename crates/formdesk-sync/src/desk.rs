//! The desk app's side of sync, as plain Rust the shell's commands call: enrolment with a portal, the engine
//! over the vault's outbox, the device key while the desk is unlocked, the destinations' keys and "Jetzt
//! senden".
//!
//! [`DeskLink`] owns a small tokio runtime of its own, so the shell's commands stay synchronous one-liners and
//! sending never runs on the window's threads. What the engine learns (a delivery, the portal going offline,
//! a new list of destinations) it reports through the `events` callback; the shell passes destinations on to
//! the desk, which seals what waited for them, and tells the window to redraw its queue.
//!
//! Non-goals: the window, the queue's presentation (`formdesk_desk::Desk::sync_view`), storing anything
//! beyond what the desk's vault keeps.

use crate::forms::{FormsCheck, FormsLink};
use crate::{EngineOptions, EnrolFailure, Portal, PortalOptions, ProvisioningProblem, SyncEngine, SyncError};
use formdesk_desk::{Desk, LinkStatus};
use formdesk_protocol::provisioning::Provisioning;
use formdesk_protocol::wire::Destination;
use formdesk_vault::Registration;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The file in the desk's data folder that holds the key the app's updates must be signed with, as the
/// provisioning file brought it.
pub const APP_UPDATE_KEY_FILE: &str = "app-update-key.pub";

/// The key the app's updates must be signed with, if the desk was given one (see [`APP_UPDATE_KEY_FILE`]).
pub fn app_update_key(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(APP_UPDATE_KEY_FILE)).ok()?;
    Some(text.trim().to_owned()).filter(|k| !k.is_empty())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so that a crash leaves the old file
/// or the new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let temp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, path)
}

/// Reads the provisioning file at `path` (`formdesk --provision FILE`, "Einrichtungsdatei wählen"); its
/// expiry is checked when it is used, so that the setup can say so while showing what the file is for.
pub fn read_provisioning(path: &Path) -> Result<Provisioning, SyncError> {
    use formdesk_protocol::provisioning::{MAX_LEN, ProvisioningError};
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let unreadable = |detail: String| SyncError::Provisioning {
        problem: ProvisioningProblem::Unreadable(name.clone()),
        detail: format!("{}: {detail}", path.display()),
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    if meta.len() > MAX_LEN as u64 {
        return Err(unreadable(ProvisioningError::TooLarge(meta.len() as usize).to_string()));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    Provisioning::parse(&bytes).map_err(|e| match e {
        ProvisioningError::NewerVersion(_) => {
            SyncError::Provisioning { problem: ProvisioningProblem::Newer, detail: e.to_string() }
        }
        e => unreadable(e.to_string()),
    })
}

/// What the link tells the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// The portal's current destinations: hand them to the desk ([`Desk::set_destinations`]).
    Destinations(Vec<Destination>),
    /// Something the queue view shows changed.
    Changed,
    /// A new form set was installed: have the desk pick it up (`Desk::reload_forms`).
    FormsInstalled,
    /// A check of the form channel began or ended: the start screen's forms panel changed.
    FormsChecked,
}

type Events = Arc<dyn Fn(LinkEvent) + Send + Sync>;

struct Connected {
    portal: Arc<Portal>,
    engine: SyncEngine,
    forms: FormsLink,
}

/// The desk's connection to its portal: nothing until the desk is enrolled.
pub struct DeskLink {
    runtime: tokio::runtime::Runtime,
    dir: PathBuf,
    events: Events,
    connected: Mutex<Option<Connected>>,
    forms_interval: Duration,
    app_version: Option<String>,
}

impl std::fmt::Debug for DeskLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskLink").field("dir", &self.dir).finish_non_exhaustive()
    }
}

fn key_pair(desk: &Desk) -> Result<Arc<Ed25519KeyPair>, SyncError> {
    let pkcs8 = desk.device_key().map_err(|e| SyncError::DeviceKey(e.to_string()))?;
    Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map(Arc::new)
        .map_err(|_| SyncError::DeviceKey("the device key in the vault is not an Ed25519 PKCS#8 key".into()))
}

impl DeskLink {
    /// Starts the link for the desk whose vault is in `dir`; connects at once if `registration` says the desk
    /// is enrolled (sending starts when [`DeskLink::unlocked`] hands in the key).
    pub fn start(
        dir: &Path,
        registration: Option<&Registration>,
        events: impl Fn(LinkEvent) + Send + Sync + 'static,
    ) -> Result<DeskLink, SyncError> {
        DeskLink::start_with(dir, registration, events, crate::forms::DEFAULT_INTERVAL, None)
    }

    /// As [`DeskLink::start`], checking the form channel every `forms_interval` while connected, and naming
    /// `app_version` (the desk app's) in each report of the form set, for the administrators' `app status`.
    pub fn start_with(
        dir: &Path,
        registration: Option<&Registration>,
        events: impl Fn(LinkEvent) + Send + Sync + 'static,
        forms_interval: Duration,
        app_version: Option<String>,
    ) -> Result<DeskLink, SyncError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("formdesk-sync")
            .enable_all()
            .build()
            .map_err(|e| SyncError::Client(e.to_string()))?;
        let link = DeskLink {
            runtime,
            dir: dir.to_owned(),
            events: Arc::new(events),
            connected: Mutex::new(None),
            forms_interval,
            app_version,
        };
        if let Some(registration) = registration {
            link.connect(registration)?;
        }
        Ok(link)
    }

    fn slot(&self) -> MutexGuard<'_, Option<Connected>> {
        self.connected.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn connect(&self, registration: &Registration) -> Result<(), SyncError> {
        let portal = Arc::new(Portal::new(
            &registration.url,
            &registration.device_id,
            &registration.portal_key,
            PortalOptions { app_version: self.app_version.clone(), ..PortalOptions::default() },
        )?);
        let outbox = formdesk_vault::Outbox::open(&self.dir).map_err(|e| SyncError::Outbox(e.to_string()))?;
        let engine = {
            let _inside = self.runtime.enter();
            SyncEngine::start(outbox, Arc::clone(&portal), EngineOptions::default())?
        };
        // Every change of the engine's state is a change of the queue view.
        let mut changes = engine.subscribe();
        let events = Arc::clone(&self.events);
        let (online_tx, online) = tokio::sync::watch::channel(engine.status().online == Some(true));
        self.runtime.spawn(async move {
            while changes.changed().await.is_ok() {
                let online = changes.borrow().online == Some(true);
                online_tx.send_if_modified(|was| std::mem::replace(was, online) != online);
                events(LinkEvent::Changed);
            }
        });
        let store =
            formdesk_desk::formsets::open_form_store(&self.dir).map_err(|e| SyncError::Outbox(e.to_string()))?;
        let forms = {
            let _inside = self.runtime.enter();
            let events = Arc::clone(&self.events);
            FormsLink::start(Arc::clone(&portal), store, self.forms_interval, online, move || {
                events(LinkEvent::FormsInstalled)
            })
        };
        let mut checks = forms.state.subscribe();
        let events = Arc::clone(&self.events);
        self.runtime.spawn(async move {
            while checks.changed().await.is_ok() {
                events(LinkEvent::FormsChecked);
            }
        });
        *self.slot() = Some(Connected { portal, engine, forms });
        Ok(())
    }

    /// The channel the portal last said this desk reads (`pilot` or `all`); `all` until connected.
    pub fn channel(&self) -> formdesk_channel::Channel {
        self.slot()
            .as_ref()
            .map_or(formdesk_channel::Channel::All, |c| *c.forms.channel.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// What the last check of the form channel found.
    pub fn forms_check(&self) -> FormsCheck {
        self.slot().as_ref().map(|c| c.forms.state.borrow().clone()).unwrap_or_default()
    }

    /// "Formulare aktualisieren": checks the form channel now and returns what the check found (at most after
    /// two minutes; a check still running then goes on by itself). Not connected: nothing to check.
    pub async fn check_forms_now(&self) -> FormsCheck {
        let Some((mut state, now)) =
            self.slot().as_ref().map(|c| (c.forms.state.subscribe(), Arc::clone(&c.forms.now)))
        else {
            return FormsCheck::default();
        };
        let done = state.borrow().rounds + if state.borrow().running { 2 } else { 1 };
        now.notify_one();
        let wait = async {
            while state.borrow_and_update().rounds < done {
                if state.changed().await.is_err() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(120), wait).await;
        state.borrow().clone()
    }

    /// Enrols the unlocked `desk` with the portal at `url` using the administrator's one-time `code`, keeps
    /// the registration in the vault and starts sending. The request runs on the link's own runtime; this may
    /// be awaited from any other.
    pub async fn enrol(&self, desk: &Desk, url: &str, code: &str) -> Result<(), SyncError> {
        self.enrol_as(desk, url, code, None).await
    }

    /// Enrols the unlocked `desk` as its provisioning `file` says: with the file's portal and code, pinning the
    /// file's root of the form channel (brought by hand, not learned from the network) and refusing an
    /// enrolment for another municipality than the file names. An expired file is refused before the portal is
    /// asked; a used one by the portal, named as such.
    pub async fn enrol_provisioned(&self, desk: &Desk, file: &Provisioning) -> Result<(), SyncError> {
        let now = crate::Clock::now(&crate::SystemClock);
        let problem = |problem, detail: String| SyncError::Provisioning { problem, detail };
        file.check_current(now).map_err(|e| problem(ProvisioningProblem::Expired(file.expires_at), e.to_string()))?;
        let enrolled = self.enrol_as(desk, &file.portal, &file.code, Some(file)).await;
        if enrolled.is_ok()
            && let Some(key) = &file.app_update_key
        {
            // Kept beside the form channel's root: from now on the app installs only updates this key signed.
            write_atomically(&self.dir.join(APP_UPDATE_KEY_FILE), key.as_bytes())
                .map_err(|e| SyncError::Outbox(format!("keeping the app-update key: {e}")))?;
        }
        match enrolled {
            Err(SyncError::Enrolment { failure, detail, .. }) => Err(match failure {
                EnrolFailure::UsedCode => problem(ProvisioningProblem::Used, detail),
                EnrolFailure::ExpiredCode => problem(ProvisioningProblem::Expired(file.expires_at), detail),
                EnrolFailure::UnknownCode | EnrolFailure::Revoked => problem(ProvisioningProblem::Unknown, detail),
                failure => SyncError::Enrolment { url: file.portal.clone(), failure, detail },
            }),
            other => other,
        }
    }

    async fn enrol_as(&self, desk: &Desk, url: &str, code: &str, file: Option<&Provisioning>) -> Result<(), SyncError> {
        let key = key_pair(desk)?;
        // Kept as the origin it means (`portal.example.de` is `https://portal.example.de`).
        let (url, _) = crate::portal::check_base_url(url)?;
        let (at, code, public) = (url.clone(), code.to_owned(), key.public_key().as_ref().to_vec());
        let answer = self
            .runtime
            .spawn(async move { Portal::enrol(&at, &code, &public, &PortalOptions::default()).await })
            .await
            .map_err(|e| SyncError::Client(e.to_string()))??;
        let mut answer = answer;
        if let Some(file) = file {
            if answer.tenant.as_ref().is_some_and(|t| t.ars != file.tenant.ars) {
                let detail = format!("the file names {}, the portal enrolled for {:?}", file.tenant.ars, answer.tenant);
                return Err(SyncError::Provisioning { problem: ProvisioningProblem::OtherTenant, detail });
            }
            // The root brought in the file is the one to trust; the enrolment's only where the file has none.
            if file.forms_root.is_some() {
                answer.forms_root.clone_from(&file.forms_root);
            }
        }
        let portal_key = formdesk_protocol::decode_base64url(&answer.portal_key)
            .ok_or_else(|| SyncError::Registration("the portal key is not base64url".into()))?;
        let registration = Registration {
            url,
            device_id: answer.device_id.clone(),
            device_name: answer.name.clone(),
            portal_key,
            enrolled_at: crate::Clock::now(&crate::SystemClock),
        };
        if answer.forms_root.is_some() {
            // The root of the tenant's repository of the form channel, trusted from now on: every form set
            // must chain up to it, and the desk reads that repository (kept with the root in the form store).
            let store =
                formdesk_desk::formsets::open_form_store(&self.dir).map_err(|e| SyncError::Outbox(e.to_string()))?;
            crate::forms::pin_enrolment(&store, &answer).map_err(|e| SyncError::Registration(e.detail()))?;
        }
        desk.set_registration(&registration).map_err(|e| SyncError::Outbox(e.to_string()))?;
        if let Some(old) = self.slot().take() {
            old.engine.lock();
        }
        self.connect(&registration)?;
        self.unlocked(desk);
        (self.events)(LinkEvent::Changed);
        Ok(())
    }

    /// The desk was unlocked: sending resumes with its key, and the destinations are fetched anew.
    pub fn unlocked(&self, desk: &Desk) {
        let Ok(key) = key_pair(desk) else { return };
        let slot = self.slot();
        let Some(connected) = slot.as_ref() else { return };
        connected.engine.unlock(key);
        let portal = Arc::clone(&connected.portal);
        let events = Arc::clone(&self.events);
        self.runtime.spawn(async move {
            // Offline, the desk keeps the keys it has; they are fetched again at the next unlock.
            if let Ok(Ok(list)) = tokio::time::timeout(Duration::from_secs(30), portal.destinations()).await {
                events(LinkEvent::Destinations(list));
            }
        });
    }

    /// The desk was locked: nothing more is sent until the next unlock.
    pub fn locked(&self) {
        if let Some(connected) = self.slot().as_ref() {
            connected.engine.lock();
        }
    }

    /// "Jetzt senden": every submission not yet delivered is due now, refused ones included.
    pub fn send_now(&self) -> Result<(), SyncError> {
        let mut outbox = formdesk_vault::Outbox::open(&self.dir).map_err(|e| SyncError::Outbox(e.to_string()))?;
        outbox.send_now().map_err(|e| SyncError::Outbox(e.to_string()))?;
        self.wake();
        Ok(())
    }

    /// Something new was queued: look at the outbox now.
    pub fn wake(&self) {
        if let Some(connected) = self.slot().as_ref() {
            connected.engine.wake();
        }
    }

    /// The engine's state as the desk shows it.
    pub fn status(&self) -> LinkStatus {
        let slot = self.slot();
        let Some(connected) = slot.as_ref() else { return LinkStatus::default() };
        let status = connected.engine.status();
        LinkStatus {
            online: status.online,
            last_sync_at: status.last_sync_at,
            last_error: status.last_error,
            sending: u32::try_from(status.sending).unwrap_or(u32::MAX),
        }
    }
}

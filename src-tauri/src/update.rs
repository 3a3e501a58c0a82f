//! The app's own updates, through tauri-plugin-updater: while the desk is connected it asks its portal now
//! and then (`/app/v1/<channel>/latest.json`, the channel the portal put the desk in) for a newer version,
//! downloads it, and keeps it ready once it verified. The plugin checks the minisign signature with the key
//! the desk was provisioned with and that the signature names the announced version;
//! `formdesk_sync::app_update::check_bundle` then checks the package inside (Formdesk's, that version, newer).
//!
//! Nothing interrupts a clerk: the start screen offers "Jetzt neu starten", and a desk that locks itself
//! when idle installs the ready version and starts again by itself. On Linux the plugin installs the .deb
//! with the system's package manager (pkexec, else sudo); the vault in the data folder is not touched.

use crate::{DeskState, LinkState};
use formdesk_desk::ipc::{AppUpdateView, ErrorCode, IpcError};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

/// How long a check or a download may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(300);

/// What the app knows of its updates.
pub struct UpdateState {
    dir: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// A newer version, downloaded and verified.
    ready: Option<(Update, Vec<u8>)>,
    /// Why the last offer was refused or the last check failed.
    error: Option<String>,
}

impl UpdateState {
    /// The updates of the desk whose data folder is `dir` (where the provisioning left the update key).
    pub fn new(dir: PathBuf) -> UpdateState {
        UpdateState { dir, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn view(&self, current: String) -> AppUpdateView {
        let inner = self.lock();
        AppUpdateView {
            current,
            ready: inner.ready.as_ref().map(|(u, _)| u.version.clone()),
            notes: inner.ready.as_ref().and_then(|(u, _)| u.body.clone()).filter(|n| !n.trim().is_empty()),
            error: inner.error.clone(),
        }
    }

    /// Whether a verified newer version waits to be installed.
    pub fn is_ready(&self) -> bool {
        self.lock().ready.is_some()
    }
}

fn current_version(app: &AppHandle) -> String {
    app.package_info().version.to_string()
}

/// The sentence for the clerk and the log line for a failed check; `None` where the portal just could not be
/// reached (the next check tries again, nothing to tell).
fn refusal(e: &UpdaterError) -> Option<String> {
    use formdesk_sync::app_update::UpdateRefusal;
    match e {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::MissingSignedVersion => Some(UpdateRefusal::Signature(e.to_string()).to_string()),
        // A validly signed bundle of another version, offered under a new number.
        UpdaterError::SignedVersionMismatch { signed, announced } => {
            Some(UpdateRefusal::VersionMismatch { announced: announced.clone(), inside: signed.clone() }.to_string())
        }
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) | UpdaterError::ReleaseNotFound => None,
        other => Some(format!(
            "Die Suche nach einer neuen Version von Formdesk ist fehlgeschlagen ({other}). Formdesk versucht es \
             später noch einmal."
        )),
    }
}

/// One check: asks the portal, downloads and verifies what it offers, and keeps it ready. Returns whether
/// what the start screen shows changed (a version became ready, a refusal was named or went away).
async fn check(app: &AppHandle) -> bool {
    let updates = app.state::<UpdateState>();
    let before = updates.view(String::new());
    let became_ready = check_once(app).await;
    became_ready || updates.view(String::new()) != before
}

async fn check_once(app: &AppHandle) -> bool {
    let updates = app.state::<UpdateState>();
    if updates.is_ready() {
        return false;
    }
    let Some(key) = formdesk_sync::desk::app_update_key(&updates.dir) else { return false };
    let Some(registration) = app.state::<DeskState>().get().ok().and_then(|d| d.registration().ok().flatten()) else {
        return false;
    };
    let channel =
        app.state::<LinkState>().get().map_or(formdesk_channel::Channel::All, formdesk_sync::desk::DeskLink::channel);
    let Ok(endpoint) = format!("{}/app/v1/{channel}/latest.json", registration.url).parse() else { return false };
    let current = current_version(app);
    let outcome = async {
        let updater = app.updater_builder().pubkey(key).endpoints(vec![endpoint])?.timeout(CHECK_TIMEOUT).build()?;
        let Some(update) = updater.check().await? else { return Ok(None) };
        let bytes = update.download(|_, _| {}, || {}).await?;
        Ok::<_, UpdaterError>(Some((update, bytes)))
    }
    .await;
    let mut inner = updates.lock();
    match outcome {
        Ok(None) => {
            inner.error = None;
            false
        }
        Ok(Some((update, bytes))) => match formdesk_sync::app_update::check_bundle(&bytes, &update.version, &current) {
            Ok(()) => {
                eprintln!(
                    "formdesk: version {} is downloaded and verified; it is installed at the next restart",
                    update.version
                );
                inner.error = None;
                inner.ready = Some((update, bytes));
                true
            }
            Err(refused) => {
                eprintln!("formdesk: update to {} refused: {refused:?}", update.version);
                inner.error = Some(refused.to_string());
                false
            }
        },
        Err(e) => {
            eprintln!("formdesk: update check failed: {e}");
            if let Some(sentence) = refusal(&e) {
                inner.error = Some(sentence);
            }
            false
        }
    }
}

/// Checks for updates every `every` while the app runs (the first check a minute after the start, or at
/// once with a short interval); tells the window when what it shows changed.
pub fn start(app: AppHandle, every: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(every.min(Duration::from_secs(60)));
        loop {
            if tauri::async_runtime::block_on(check(&app)) {
                let _ = app.emit("app-update-changed", ());
            }
            std::thread::sleep(every);
        }
    });
}

/// Installs the ready version and starts the app again; nothing happens without one.
pub fn install_and_restart(app: &AppHandle) -> Result<(), IpcError> {
    let updates = app.state::<UpdateState>();
    let ready = updates.lock().ready.take();
    let Some((update, bytes)) = ready else { return Ok(()) };
    if let Err(e) = update.install(&bytes) {
        eprintln!("formdesk: installing version {} failed: {e}", update.version);
        let message = format!(
            "Die neue Version {} konnte nicht installiert werden ({e}). Formdesk arbeitet mit der bisherigen \
             Version weiter; bitte verständigen Sie die IT-Betreuung.",
            update.version
        );
        updates.lock().error = Some(message.clone());
        return Err(IpcError { code: ErrorCode::Delivery, message });
    }
    eprintln!("formdesk: version {} installed; starting again", update.version);
    app.restart()
}

/// The start screen's line about updates.
#[tauri::command]
pub async fn app_update(app: AppHandle, updates: State<'_, UpdateState>) -> Result<AppUpdateView, IpcError> {
    Ok(updates.view(current_version(&app)))
}

/// "Jetzt neu starten": installs the ready version and starts the app again.
#[tauri::command]
pub async fn install_app_update(app: AppHandle) -> Result<(), IpcError> {
    install_and_restart(&app)
}

//! The desk app: a window that shows the front end in `ui/` and answers its commands from a [`Desk`].
//!
//! Every command is one call on `formdesk-desk`, which holds the logic and its tests; this crate only wires
//! the window, the command line and the IPC. Non-goals: form logic, file or network access for the web view
//! (the capability file in `capabilities/` allows the app's own commands and nothing else).

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use anyhow::Context as _;
use clap::Parser;
use formdesk_catalog::Catalog;
use formdesk_desk::ipc::{
    CarryOver, CitizenView, DraftInfo, DraftView, ErrorCode, FileRef, FormSummary, FormsView, IpcError, ReceiptView,
    ReviewView, SearchResult, SetupResult, StartView, VaultState,
};
use formdesk_desk::{Desk, KdfParams, SystemClock};
use formdesk_sync::desk::{DeskLink, LinkEvent};
use serde::Serialize;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

mod provision;
mod update;
mod webview;

/// The label of the clerk's window, as `tauri.conf.json` names it.
const MAIN_WINDOW: &str = "main";

/// How often the idle lock looks at the clock, at most.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// The label of the window that faces the citizen; its capability file allows only reading.
const CITIZEN_WINDOW: &str = "citizen";

/// Formdesk: the offline form assistant for citizen-service desks.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Forms folder to load instead of the forms built into the app.
    #[arg(long, value_name = "DIR")]
    forms: Option<PathBuf>,
    /// Form to open at start (its id, e.g. `hundeanmeldung`).
    #[arg(long, value_name = "FORM_ID")]
    open: Option<String>,
    /// Folder for this desk's data (the encrypted vault). Default: the operating system's folder for the
    /// app's data, e.g. `~/.local/share/de.formdesk.desk` on Linux.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Minutes without input after which the desk locks itself (fractions allowed: 0.5 is 30 s); 0 never
    /// locks.
    #[arg(long, value_name = "MINUTES", default_value_t = 5.0, value_parser = minutes)]
    idle_lock: f64,
    /// The municipality whose receipts this desk issues: a JSON file (see `formdesk_desk::config`). Default:
    /// the example "Gemeinde Musterstadt".
    #[arg(long, value_name = "FILE")]
    municipality: Option<PathBuf>,
    /// Days a finalized submission's contents stay on the desk before they are shredded (what a receipt
    /// lookup needs stays); 0 keeps them. Checked at start and every hour.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(0..=3650))]
    retention_days: u32,
    /// Seconds between two checks for new forms while the desk is connected to its portal (it also checks
    /// when it connects, when the portal comes back and on "Formulare aktualisieren").
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    forms_check_seconds: u64,
    /// Draw the windows in software, without GPU compositing (Linux). Starts faster where there is no GPU
    /// driver; WebKitWebDriver's screenshots can hang in this mode, so it is not the default.
    #[arg(long)]
    software_drawing: bool,
    /// Let WebKit paint with the GPU, its own default (Linux). Without this it paints on the CPU, which is
    /// faster where the GPU is emulated in software, as under Xvfb or in a virtual machine.
    #[arg(long)]
    gpu_painting: bool,
    /// Check the desk's audit log in `--data-dir` and exit: status 0 when every entry is in place, 1 naming
    /// the first bad entry. Needs no PIN and opens no window.
    #[arg(long, requires = "data_dir")]
    verify_audit: bool,
    /// Seconds between two checks for a new version of the app while the desk is connected (it installs one
    /// only when the clerk chooses "Jetzt neu starten" or when the desk locks itself while idle).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    update_check_seconds: u64,
    /// Set this new desk up from a provisioning file (from `formdesk-portal devices enrol --provisioning`):
    /// after the clerk's name and PIN the desk connects with the portal the file names, with no address typed.
    #[arg(long, value_name = "FILE")]
    provision: Option<PathBuf>,
}

/// How the app was started, as far as the front end needs to know.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct LaunchOptions {
    /// The form to open at start.
    open_form: Option<String>,
    /// Windows are drawn in software (`--software-drawing`); the shell's business only.
    #[serde(skip)]
    software_drawing: bool,
}

/// How often the retention period is applied.
const RETENTION_CHECK: Duration = Duration::from_secs(3600);

/// A number of minutes for `--idle-lock`: not negative, at most a day.
fn minutes(text: &str) -> Result<f64, String> {
    match text.trim().replace(',', ".").parse::<f64>() {
        Ok(m) if (0.0..=1440.0).contains(&m) => Ok(m),
        _ => Err(format!("{text:?} is not a number of minutes between 0 and 1440")),
    }
}

#[tauri::command]
async fn list_forms(desk: State<'_, DeskState>, lang: String) -> Result<Vec<FormSummary>, IpcError> {
    Ok(desk.get()?.forms(&lang))
}

#[tauri::command]
async fn search_forms(desk: State<'_, DeskState>, query: String, lang: String) -> Result<Vec<SearchResult>, IpcError> {
    Ok(desk.get()?.search(&query, &lang))
}

#[tauri::command]
async fn list_drafts(desk: State<'_, DeskState>, query: String) -> Result<Vec<DraftInfo>, IpcError> {
    desk.get()?.drafts_list(&query).map_err(IpcError::from)
}

#[tauri::command]
async fn vault_state(desk: State<'_, DeskState>) -> Result<VaultState, IpcError> {
    desk.get()?.vault_state().map_err(IpcError::from)
}

#[tauri::command]
async fn set_up_desk(
    desk: State<'_, DeskState>,
    clerk: String,
    pin: String,
    repeated: String,
) -> Result<SetupResult, IpcError> {
    desk.get()?.set_up(&clerk, &pin, &repeated).map_err(IpcError::from)
}

#[tauri::command]
async fn unlock(
    desk: State<'_, DeskState>,
    link: State<'_, LinkState>,
    clerk: String,
    pin: String,
) -> Result<VaultState, IpcError> {
    let state = desk.get()?.unlock(&clerk, &pin)?;
    link.unlocked(desk.get()?);
    Ok(state)
}

#[tauri::command]
async fn recover(
    desk: State<'_, DeskState>,
    link: State<'_, LinkState>,
    secret: String,
    clerk: String,
    pin: String,
    repeated: String,
) -> Result<VaultState, IpcError> {
    let state = desk.get()?.recover(&secret, &clerk, &pin, &repeated)?;
    link.unlocked(desk.get()?);
    Ok(state)
}

#[tauri::command]
async fn add_clerk(
    desk: State<'_, DeskState>,
    clerk: String,
    pin: String,
    repeated: String,
) -> Result<VaultState, IpcError> {
    desk.get()?.add_clerk(&clerk, &pin, &repeated).map_err(IpcError::from)
}

/// "Sperren": keys and decrypted drafts leave memory; the citizen's window goes blank.
#[tauri::command]
async fn lock(app: AppHandle, desk: State<'_, DeskState>) -> Result<(), IpcError> {
    desk.get()?.lock();
    locked(&app);
    Ok(())
}

/// The clerk typed or clicked: the idle lock counts from now.
#[tauri::command]
async fn still_here(desk: State<'_, DeskState>) -> Result<(), IpcError> {
    desk.get()?.touch();
    Ok(())
}

/// Tells both windows that the desk locked: the clerk's shows the lock screen, the citizen's goes blank.
/// Sending pauses: the sync engine loses the device key.
fn locked(app: &AppHandle) {
    app.state::<LinkState>().locked();
    // A window that is not open has nothing to show.
    let _ = app.emit_to(MAIN_WINDOW, "desk-locked", ());
    let _ = app.emit_to(CITIZEN_WINDOW, "draft-changed", 0);
}

/// The desk, or why it could not be opened (a data directory that cannot be written, a damaged vault):
/// every command then answers with that reason, which the front end shows.
struct DeskState(Result<Desk, IpcError>);

impl DeskState {
    fn get(&self) -> Result<&Desk, IpcError> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

#[tauri::command]
async fn start_draft(desk: State<'_, DeskState>, form_id: String) -> Result<DraftView, IpcError> {
    desk.get()?.start(&form_id).map_err(IpcError::from)
}

#[tauri::command]
async fn get_draft(desk: State<'_, DeskState>, id: u64) -> Result<DraftView, IpcError> {
    desk.get()?.draft(id).map_err(IpcError::from)
}

#[tauri::command]
async fn set_answer(
    desk: State<'_, DeskState>,
    id: u64,
    path: String,
    value: serde_json::Value,
) -> Result<DraftView, IpcError> {
    desk.get()?.set_answer(id, &path, value).map_err(IpcError::from)
}

#[tauri::command]
async fn add_instance(desk: State<'_, DeskState>, id: u64, group: String) -> Result<DraftView, IpcError> {
    desk.get()?.add_instance(id, &group).map_err(IpcError::from)
}

#[tauri::command]
async fn remove_instance(
    desk: State<'_, DeskState>,
    id: u64,
    group: String,
    index: usize,
) -> Result<DraftView, IpcError> {
    desk.get()?.remove_instance(id, &group, index).map_err(IpcError::from)
}

#[tauri::command]
async fn next_step(desk: State<'_, DeskState>, id: u64) -> Result<DraftView, IpcError> {
    desk.get()?.next(id).map_err(IpcError::from)
}

#[tauri::command]
async fn previous_step(desk: State<'_, DeskState>, id: u64) -> Result<DraftView, IpcError> {
    desk.get()?.back(id).map_err(IpcError::from)
}

#[tauri::command]
async fn go_to_step(desk: State<'_, DeskState>, id: u64, step: String) -> Result<DraftView, IpcError> {
    desk.get()?.go_to(id, &step).map_err(IpcError::from)
}

#[tauri::command]
async fn set_citizen_lang(desk: State<'_, DeskState>, id: u64, lang: String) -> Result<DraftView, IpcError> {
    desk.get()?.set_citizen_lang(id, &lang).map_err(IpcError::from)
}

#[tauri::command]
async fn review_draft(desk: State<'_, DeskState>, id: u64) -> Result<ReviewView, IpcError> {
    desk.get()?.review(id).map_err(IpcError::from)
}

#[tauri::command]
async fn finalize_draft(
    desk: State<'_, DeskState>,
    link: State<'_, LinkState>,
    id: u64,
) -> Result<DraftView, IpcError> {
    let view = desk.get()?.finalize(id)?;
    link.wake();
    Ok(view)
}

/// The work list and the "Übermittlung" panel (registration, connection and the queue), from one reading.
#[tauri::command]
async fn start_view(desk: State<'_, DeskState>, link: State<'_, LinkState>) -> Result<StartView, IpcError> {
    desk.get()?.start_view(&link.status()).map_err(IpcError::from)
}

/// Connects the desk with its portal by the administrator's one-time code.
#[tauri::command]
async fn enrol_portal(
    desk: State<'_, DeskState>,
    link: State<'_, LinkState>,
    url: String,
    code: String,
) -> Result<StartView, IpcError> {
    link.get()?.enrol(desk.get()?, &url, &code).await.map_err(sync_error)?;
    desk.get()?.start_view(&link.status()).map_err(IpcError::from)
}

/// "Jetzt senden": everything not yet delivered is sent now, refused submissions included.
#[tauri::command]
async fn send_now(desk: State<'_, DeskState>, link: State<'_, LinkState>) -> Result<StartView, IpcError> {
    link.get()?.send_now().map_err(sync_error)?;
    desk.get()?.start_view(&link.status()).map_err(IpcError::from)
}

/// The "Formulare" panel: the installed set and the last check for new forms.
#[tauri::command]
async fn forms_view(desk: State<'_, DeskState>, link: State<'_, LinkState>) -> Result<FormsView, IpcError> {
    Ok(desk.get()?.forms_view(&link.forms_check()))
}

/// "Formulare aktualisieren": asks the portal now, installs what is new and answers with the panel.
#[tauri::command]
async fn update_forms(desk: State<'_, DeskState>, link: State<'_, LinkState>) -> Result<FormsView, IpcError> {
    let check = link.get()?.check_forms_now().await;
    let desk = desk.get()?;
    desk.reload_forms()?;
    Ok(desk.forms_view(&check))
}

/// Carries an open draft over into the current version of its form; it opens on the review.
#[tauri::command]
async fn carry_over(desk: State<'_, DeskState>, id: u64) -> Result<CarryOver, IpcError> {
    desk.get()?.carry_over(id).map_err(IpcError::from)
}

/// The clerk reads our sentence; what the libraries or the portal said goes to the log.
fn sync_error(e: formdesk_sync::SyncError) -> IpcError {
    eprintln!("formdesk: {e} ({})", e.detail());
    IpcError { code: ErrorCode::Delivery, message: e.to_string() }
}

/// The desk's link to its portal, or why it could not start.
struct LinkState(Result<DeskLink, IpcError>);

impl LinkState {
    fn get(&self) -> Result<&DeskLink, IpcError> {
        self.0.as_ref().map_err(Clone::clone)
    }

    fn status(&self) -> formdesk_desk::LinkStatus {
        self.0.as_ref().map(DeskLink::status).unwrap_or_default()
    }

    fn forms_check(&self) -> formdesk_desk::FormsCheck {
        self.0.as_ref().map(DeskLink::forms_check).unwrap_or_default()
    }

    fn unlocked(&self, desk: &Desk) {
        if let Ok(link) = &self.0 {
            link.unlocked(desk);
        }
    }

    fn locked(&self) {
        if let Ok(link) = &self.0 {
            link.locked();
        }
    }

    fn wake(&self) {
        if let Ok(link) = &self.0 {
            link.wake();
        }
    }
}

/// What the link reports: new destination keys go to the desk (which seals what waited for them), and the
/// window redraws its queue.
fn link_event(app: &AppHandle, event: LinkEvent) {
    if let Ok(desk) = app.state::<DeskState>().get() {
        match event {
            LinkEvent::Destinations(list) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
                match desk.set_destinations(&list, now) {
                    Ok(queued) if queued > 0 => app.state::<LinkState>().wake(),
                    Ok(_) => {}
                    Err(e) => eprintln!("formdesk: destinations: {e}"),
                }
            }
            LinkEvent::Changed => desk.forget_delivered(),
            LinkEvent::FormsInstalled => {
                // The new set is current for new cases at once; what drafts still use stays.
                if let Err(e) = desk.reload_forms() {
                    eprintln!("formdesk: the new forms: {e} ({})", e.detail().unwrap_or_default());
                }
                if let Err(e) = desk.collect_forms() {
                    eprintln!("formdesk: cleaning up old forms: {e} ({})", e.detail().unwrap_or_default());
                }
                let _ = app.emit_to(MAIN_WINDOW, "forms-changed", ());
                return;
            }
            LinkEvent::FormsChecked => {
                let _ = app.emit_to(MAIN_WINDOW, "forms-changed", ());
                return;
            }
        }
    }
    let _ = app.emit_to(MAIN_WINDOW, "sync-changed", ());
}

#[tauri::command]
async fn discard_draft(desk: State<'_, DeskState>, id: u64) -> Result<(), IpcError> {
    desk.get()?.discard(id).map_err(IpcError::from)
}

#[tauri::command]
async fn begin_file(desk: State<'_, DeskState>, id: u64, name: String, media_type: String) -> Result<String, IpcError> {
    desk.get()?.begin_file(id, &name, &media_type).map_err(IpcError::from)
}

/// The next part of a file: raw bytes, with the draft and the file named in the headers (`Formdesk-Draft`,
/// `Formdesk-File`), so that no part is turned into JSON on its way.
#[tauri::command]
async fn add_to_file(desk: State<'_, DeskState>, request: tauri::ipc::Request<'_>) -> Result<(), IpcError> {
    let (id, file, bytes) = file_part(&request)?;
    desk.get()?.add_to_file(id, file, bytes).map_err(IpcError::from)
}

fn file_part<'a>(request: &'a tauri::ipc::Request<'_>) -> Result<(u64, &'a str, &'a [u8]), IpcError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::file_part("keine Bytes"));
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let id =
        header("Formdesk-Draft").and_then(|v| v.parse().ok()).ok_or_else(|| IpcError::file_part("kein Vorgang"))?;
    let file = header("Formdesk-File").ok_or_else(|| IpcError::file_part("keine Datei"))?;
    Ok((id, file, bytes))
}

#[tauri::command]
async fn finish_file(desk: State<'_, DeskState>, id: u64, file: String) -> Result<FileRef, IpcError> {
    desk.get()?.finish_file(id, &file).map_err(IpcError::from)
}

/// A file's bytes, raw (an `ArrayBuffer` in the web view).
#[tauri::command]
async fn read_file(desk: State<'_, DeskState>, id: u64, file: String) -> Result<tauri::ipc::Response, IpcError> {
    let (_, bytes) = desk.get()?.read_file(id, &file)?;
    Ok(tauri::ipc::Response::new(bytes.to_vec()))
}

#[tauri::command]
async fn receipt_view(desk: State<'_, DeskState>, id: u64) -> Result<ReceiptView, IpcError> {
    desk.get()?.receipt_view(id).map_err(IpcError::from)
}

#[tauri::command]
async fn print_receipt(desk: State<'_, DeskState>, id: u64) -> Result<(), IpcError> {
    desk.get()?.print_receipt(id).map_err(IpcError::from)
}

/// Asks the clerk where to save the receipt (the system's save dialog, opened from here: the web view has
/// no file access) and saves it there. `None` when the clerk cancelled.
#[tauri::command]
async fn save_receipt(app: AppHandle, desk: State<'_, DeskState>, id: u64) -> Result<Option<String>, IpcError> {
    use tauri_plugin_dialog::DialogExt as _;
    let desk = desk.get()?;
    let reference = desk.receipt_view(id)?.reference;
    // The clerk's documents folder (or home), not wherever the app happened to be started from.
    let folder = app.path().document_dir().or_else(|_| app.path().home_dir()).ok();
    let mut dialog = app.dialog().file();
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    let chosen = dialog
        .set_title("Eingangsbestätigung speichern")
        .set_file_name(format!("Eingangsbestätigung {reference}.pdf"))
        .add_filter("PDF", &["pdf"])
        .blocking_save_file();
    let Some(chosen) = chosen else { return Ok(None) };
    let path = chosen.into_path().map_err(|e| IpcError::receipt(&e))?;
    Ok(Some(desk.save_receipt(id, &path)?.display().to_string()))
}

/// What the citizen's screen shows. The only command the citizen's window may call.
#[tauri::command]
async fn citizen_view(desk: State<'_, DeskState>) -> Result<Option<CitizenView>, IpcError> {
    Ok(desk.get()?.citizen_view())
}

/// Opens the read-only window for a second screen facing the citizen, or brings it to the front.
#[tauri::command]
async fn open_citizen_window(app: AppHandle) -> Result<(), IpcError> {
    if let Some(window) = app.get_webview_window(CITIZEN_WINDOW) {
        return window.set_focus().map_err(|e| IpcError::window(&e));
    }
    let window = WebviewWindowBuilder::new(&app, CITIZEN_WINDOW, WebviewUrl::App("index.html#citizen".into()))
        .title("Formdesk – Ansicht für Bürgerinnen und Bürger")
        .inner_size(1024.0, 768.0)
        .build()
        .map_err(|e| IpcError::window(&e))?;
    let software_drawing = app.state::<LaunchOptions>().software_drawing;
    webview::configure(&window, webview::Options { software_drawing, camera: false }).map_err(|e| IpcError::window(&e))
}

/// When `main` began; the start of the time to "ready".
static STARTED: OnceLock<Instant> = OnceLock::new();

/// The front end's first screen is drawn and takes input: the start screen with its search box focused, or
/// the first step of the form given with `--open`. Logged once per launch, with the time since the process
/// began, for the clerk's support and for `cargo xtask bench app`.
#[tauri::command]
async fn ui_ready(screen: String) -> Result<(), IpcError> {
    static SAID: OnceLock<()> = OnceLock::new();
    if SAID.set(()).is_ok() {
        let millis = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
        eprintln!("formdesk: ready ({}) {millis} ms after launch", screen.escape_debug());
    }
    Ok(())
}

#[tauri::command]
async fn launch_options(options: State<'_, LaunchOptions>) -> Result<LaunchOptions, IpcError> {
    Ok(options.inner().clone())
}

fn main() -> anyhow::Result<()> {
    STARTED.get_or_init(Instant::now);
    // Whatever this process writes (the vault, the web view's storage in the data folder) is the user's alone;
    // the vault narrows what an older version left open when it opens the folder.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let args = Args::parse();
    if args.verify_audit {
        let check = formdesk_desk::verify_audit(args.data_dir.as_deref().unwrap_or(std::path::Path::new(".")));
        // The verdict is the program's output, for the administrator or a script.
        let _ = writeln!(std::io::stdout(), "{}", check.message);
        std::process::exit(if check.intact { 0 } else { 1 });
    }
    // Still the only thread: the environment may change.
    webview::prepare_process(args.gpu_painting);
    let software_drawing = args.software_drawing;
    let catalog = match &args.forms {
        Some(dir) => Catalog::load_dir(dir).with_context(|| format!("cannot load the forms in {}", dir.display()))?,
        None => Catalog::embedded().context("the forms built into the app are invalid")?,
    };
    // What a desk installs as its first form set: the `--forms` folder, or the forms built into the app.
    let shipped = match &args.forms {
        Some(dir) => formdesk_channel::SetFiles::read_dir(dir).map_err(|e| anyhow::anyhow!("{e} ({})", e.detail()))?,
        None => formdesk_desk::formsets::shipped_files().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let forms_interval = Duration::from_secs(args.forms_check_seconds);
    let municipality = match &args.municipality {
        Some(file) => Some(formdesk_desk::config::load_municipality(file).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    let data_dir = args.data_dir;
    let provision = args.provision;
    let update_every = Duration::from_secs(args.update_check_seconds);
    let idle_lock = Duration::from_secs_f64(args.idle_lock * 60.0);
    let retention = Duration::from_secs(u64::from(args.retention_days) * 86_400);
    tauri::Builder::default()
        // The save dialog for receipts, used from Rust only: no capability lets the web view call it.
        .plugin(tauri_plugin_dialog::init())
        // The app's own updates; the key comes from the desk's provisioning, the address from its portal.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            let dir = match data_dir {
                Some(dir) => dir,
                None => app.path().app_data_dir().context("the operating system names no folder for app data")?,
            };
            // Every change of a draft is pushed to the citizen's window, which then reads `citizen_view`.
            let handle = app.handle().clone();
            let desk = Desk::open_vault(&dir).and_then(|vault| {
                let store = formdesk_desk::formsets::open_form_store(&dir)?;
                let desk =
                    Desk::new(catalog, SystemClock, vault, KdfParams::RECOMMENDED).with_form_store(store, &shipped)?;
                let desk = match municipality {
                    Some(town) => desk.with_municipality(town),
                    None => desk,
                };
                Ok(desk.with_observer(move |draft| {
                    // The window may not be open; nothing to tell then.
                    let _ = handle.emit_to(CITIZEN_WINDOW, "draft-changed", draft.id);
                }))
            });
            if let Err(e) = &desk {
                eprintln!("formdesk: cannot open the data directory {}: {e}", dir.display());
            }
            // The link to the portal: connected at once if the desk is enrolled; sending starts at unlock.
            let registration = desk.as_ref().ok().and_then(|d| d.registration().ok().flatten());
            let handle = app.handle().clone();
            let link = DeskLink::start_with(
                &dir,
                registration.as_ref(),
                move |event| link_event(&handle, event),
                forms_interval,
                Some(app.package_info().version.to_string()),
            )
            .map_err(sync_error);
            app.manage(LinkState(link));
            app.manage(provision::ProvisioningState::from_file(provision.as_deref()));
            app.manage(update::UpdateState::new(dir.clone()));
            update::start(app.handle().clone(), update_every);
            app.manage(DeskState(desk.map_err(IpcError::from)));
            if !idle_lock.is_zero() {
                let handle = app.handle().clone();
                // Looks often enough that the desk locks within a quarter of the idle time after it passed.
                let every = (idle_lock / 4).clamp(Duration::from_millis(250), IDLE_CHECK);
                std::thread::spawn(move || {
                    loop {
                        std::thread::sleep(every);
                        if handle.state::<DeskState>().get().is_ok_and(|d| d.lock_if_idle(idle_lock)) {
                            locked(&handle);
                        }
                        // Locked and idle, no clerk is in a case: a verified new version is installed now.
                        let idle_and_locked = handle
                            .state::<DeskState>()
                            .get()
                            .is_ok_and(|d| !d.is_unlocked() && d.idle_for() >= idle_lock);
                        if idle_and_locked && handle.state::<update::UpdateState>().is_ready() {
                            let _ = update::install_and_restart(&handle);
                        }
                    }
                });
            }
            if !retention.is_zero() {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    loop {
                        if let Ok(desk) = handle.state::<DeskState>().get() {
                            match desk.shred_expired(retention) {
                                Ok(0) => {}
                                Ok(n) => eprintln!("formdesk: retention: shredded {n} finalized submission(s)"),
                                Err(e) => eprintln!("formdesk: retention: {e}"),
                            }
                        }
                        std::thread::sleep(RETENTION_CHECK);
                    }
                });
            }
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                webview::configure(&window, webview::Options { software_drawing, camera: true })?;
            }
            Ok(())
        })
        .manage(LaunchOptions { open_form: args.open, software_drawing })
        .invoke_handler(tauri::generate_handler![
            forms_view,
            update_forms,
            carry_over,
            list_forms,
            search_forms,
            list_drafts,
            start_draft,
            get_draft,
            set_answer,
            add_instance,
            remove_instance,
            next_step,
            previous_step,
            go_to_step,
            set_citizen_lang,
            review_draft,
            finalize_draft,
            discard_draft,
            citizen_view,
            open_citizen_window,
            launch_options,
            ui_ready,
            vault_state,
            set_up_desk,
            unlock,
            recover,
            add_clerk,
            lock,
            still_here,
            begin_file,
            add_to_file,
            finish_file,
            read_file,
            receipt_view,
            print_receipt,
            save_receipt,
            start_view,
            enrol_portal,
            send_now,
            provision::provisioning,
            provision::choose_provisioning_file,
            provision::enrol_provisioned,
            update::app_update,
            update::install_app_update
        ])
        .run(tauri::generate_context!())
        .context("the window could not be run")
}

//! Setting a new desk up from a provisioning file: the file given with `--provision FILE` or chosen in the
//! setup ("Einrichtungsdatei wählen"), what it is for, and the enrolment with it. The file is read and checked
//! by `formdesk_sync::desk`; these commands only hold it between the setup's steps.

use crate::{DeskState, LinkState, sync_error};
use formdesk_desk::ipc::{ErrorCode, IpcError, ProvisioningView, StartView};
use formdesk_protocol::provisioning::Provisioning;
use formdesk_sync::desk::read_provisioning;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use tauri::{AppHandle, Manager, State};

/// The provisioning file in use: none, one read, or why the one given could not be read.
pub struct ProvisioningState(Mutex<Option<Result<Provisioning, IpcError>>>);

impl ProvisioningState {
    /// The file given on the command line, if any, read now.
    pub fn from_file(path: Option<&Path>) -> ProvisioningState {
        ProvisioningState(Mutex::new(path.map(|p| read_provisioning(p).map_err(sync_error))))
    }

    fn slot(&self) -> MutexGuard<'_, Option<Result<Provisioning, IpcError>>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn now() -> i64 {
    formdesk_sync::Clock::now(&formdesk_sync::SystemClock)
}

/// What the provisioning file in use sets the desk up for; the file's problem when it cannot be read.
#[tauri::command]
pub async fn provisioning(state: State<'_, ProvisioningState>) -> Result<Option<ProvisioningView>, IpcError> {
    state.slot().clone().transpose().map(|file| file.map(|f| ProvisioningView::of(&f, now())))
}

/// "Einrichtungsdatei wählen": the system's file dialog; the chosen file replaces the one in use. Nothing
/// chosen keeps what was there.
#[tauri::command]
pub async fn choose_provisioning_file(
    app: AppHandle,
    state: State<'_, ProvisioningState>,
) -> Result<Option<ProvisioningView>, IpcError> {
    use tauri_plugin_dialog::DialogExt as _;
    let mut dialog = app.dialog().file().set_title("Einrichtungsdatei wählen");
    if let Ok(folder) = app.path().download_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(folder);
    }
    let Some(chosen) = dialog.add_filter("Formdesk-Einrichtungsdatei", &["formdesk", "json"]).blocking_pick_file()
    else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| IpcError::window(&e))?;
    let file = read_provisioning(&path).map_err(sync_error);
    *state.slot() = Some(file.clone());
    file.map(|f| Some(ProvisioningView::of(&f, now())))
}

/// Connects the unlocked desk with the portal the provisioning file names, with its code and root.
#[tauri::command]
pub async fn enrol_provisioned(
    desk: State<'_, DeskState>,
    link: State<'_, LinkState>,
    state: State<'_, ProvisioningState>,
) -> Result<StartView, IpcError> {
    let none = || IpcError { code: ErrorCode::Delivery, message: "Es ist keine Einrichtungsdatei gewählt.".into() };
    let file = state.slot().clone().ok_or_else(none)??;
    link.get()?.enrol_provisioned(desk.get()?, &file).await.map_err(sync_error)?;
    // Used: its code is spent.
    *state.slot() = None;
    desk.get()?.start_view(&link.status()).map_err(IpcError::from)
}

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
use formdesk_desk::ipc::{FormSummary, IpcError};
use formdesk_desk::{Desk, SystemClock};
use formdesk_engine::{Answers, FormState};
use serde::Serialize;
use std::path::PathBuf;
use tauri::State;

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
}

/// How the app was started, as far as the front end needs to know.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct LaunchOptions {
    /// The form to open at start.
    open_form: Option<String>,
}

#[tauri::command]
async fn list_forms(desk: State<'_, Desk>, lang: String) -> Result<Vec<FormSummary>, IpcError> {
    Ok(desk.forms(&lang))
}

#[tauri::command]
async fn open_form(desk: State<'_, Desk>, form_id: String, lang: String) -> Result<FormState, IpcError> {
    desk.open(&form_id, &lang).map_err(IpcError::from)
}

#[tauri::command]
async fn evaluate_form(
    desk: State<'_, Desk>,
    form_id: String,
    answers: Answers,
    lang: String,
) -> Result<FormState, IpcError> {
    desk.evaluate(&form_id, &answers, &lang).map_err(IpcError::from)
}

#[tauri::command]
async fn launch_options(options: State<'_, LaunchOptions>) -> Result<LaunchOptions, IpcError> {
    Ok(options.inner().clone())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let catalog = match &args.forms {
        Some(dir) => Catalog::load_dir(dir).with_context(|| format!("cannot load the forms in {}", dir.display()))?,
        None => Catalog::embedded().context("the forms built into the app are invalid")?,
    };
    tauri::Builder::default()
        .manage(Desk::new(catalog, SystemClock))
        .manage(LaunchOptions { open_form: args.open })
        .invoke_handler(tauri::generate_handler![list_forms, open_form, evaluate_form, launch_options])
        .run(tauri::generate_context!())
        .context("the window could not be run")
}

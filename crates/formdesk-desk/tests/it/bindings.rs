//! The TypeScript types of everything that crosses IPC are generated from the Rust types (ts-rs) and checked
//! in under `ui/src/lib/bindings/`. This test fails when they are stale; `cargo xtask codegen` (this test
//! with `UPDATE_BINDINGS=1`) writes them anew.

use formdesk_desk::ipc::{
    AppUpdateView, CarryOver, CitizenView, DraftView, FileRef, FormSummary, FormsInfo, FormsView, IpcError,
    ProvisioningView, ReceiptView, ReviewView, SearchResult, SetupResult, StartView, SyncView, VaultState,
};
use formdesk_engine::FormState;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

fn checked_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
}

/// Every `.ts` file below `dir`, by its path relative to `dir`.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, files);
            } else if path.extension().is_some_and(|e| e == "ts") {
                let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
                files.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

#[test]
fn typescript_bindings_are_current() {
    let out = std::env::temp_dir().join(format!("formdesk-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let cfg = Config::new().with_out_dir(&out);
    FormState::export_all(&cfg).expect("export FormState");
    FormSummary::export_all(&cfg).expect("export FormSummary");
    SearchResult::export_all(&cfg).expect("export SearchResult");
    DraftView::export_all(&cfg).expect("export DraftView");
    ReviewView::export_all(&cfg).expect("export ReviewView");
    IpcError::export_all(&cfg).expect("export IpcError");
    CitizenView::export_all(&cfg).expect("export CitizenView");
    SetupResult::export_all(&cfg).expect("export SetupResult");
    VaultState::export_all(&cfg).expect("export VaultState");
    FileRef::export_all(&cfg).expect("export FileRef");
    ReceiptView::export_all(&cfg).expect("export ReceiptView");
    SyncView::export_all(&cfg).expect("export SyncView");
    StartView::export_all(&cfg).expect("export StartView");
    FormsInfo::export_all(&cfg).expect("export FormsInfo");
    FormsView::export_all(&cfg).expect("export FormsView");
    CarryOver::export_all(&cfg).expect("export CarryOver");
    ProvisioningView::export_all(&cfg).expect("export ProvisioningView");
    AppUpdateView::export_all(&cfg).expect("export AppUpdateView");
    let generated = read_dir(&out);
    let _ = std::fs::remove_dir_all(&out);
    assert!(generated.len() >= 15, "expected the whole IPC surface, got {:?}", generated.keys());

    let dir = checked_in();
    if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the bindings folder");
        for (name, text) in &generated {
            let file = dir.join(name);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).expect("create a bindings subfolder");
            }
            std::fs::write(file, text).expect("write a binding");
        }
        return;
    }
    let current = read_dir(&dir);
    let stale: Vec<&String> = generated.keys().filter(|n| current.get(*n) != generated.get(*n)).collect();
    let extra: Vec<&String> = current.keys().filter(|n| !generated.contains_key(*n)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/lib/bindings is out of date (changed or missing: {stale:?}; no longer generated: {extra:?}); run `cargo xtask codegen`"
    );
}

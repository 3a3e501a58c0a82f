//! Generates the Tauri context and one permission per app command, so that the capability file has to
//! allow every command by name.

fn main() {
    let commands =
        tauri_build::AppManifest::new().commands(&["list_forms", "open_form", "evaluate_form", "launch_options"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands)).expect("tauri-build failed");
}

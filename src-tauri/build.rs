//! Generates the Tauri context and one permission per app command, so that the capability file has to
//! allow every command by name.

fn main() {
    let commands = tauri_build::AppManifest::new().commands(&[
        "list_forms",
        "search_forms",
        "list_drafts",
        "start_draft",
        "get_draft",
        "set_answer",
        "add_instance",
        "remove_instance",
        "next_step",
        "previous_step",
        "go_to_step",
        "set_citizen_lang",
        "review_draft",
        "finalize_draft",
        "discard_draft",
        "citizen_view",
        "open_citizen_window",
        "launch_options",
        "ui_ready",
        "vault_state",
        "set_up_desk",
        "unlock",
        "recover",
        "add_clerk",
        "lock",
        "still_here",
        "begin_file",
        "add_to_file",
        "finish_file",
        "read_file",
        "receipt_view",
        "print_receipt",
        "save_receipt",
        "start_view",
        "enrol_portal",
        "send_now",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands)).expect("tauri-build failed");
}

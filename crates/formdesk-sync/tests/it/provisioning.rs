//! A desk set up from a provisioning file against the real portal: the file's portal, code and root, the
//! form set installed by itself; a used, an expired, a foreign and a broken file refused by name.

use crate::support::{PortalEnv, text};
use formdesk_catalog::Catalog;
use formdesk_desk::{Desk, SystemClock};
use formdesk_protocol::provisioning::Provisioning;
use formdesk_sync::desk::{DeskLink, read_provisioning};
use formdesk_sync::{ProvisioningProblem, SyncError};
use formdesk_vault::KdfParams;
use std::path::Path;
use std::time::Duration;

fn forms_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms").display().to_string()
}

/// A new desk in `dir`, set up by a clerk, with its form store, as the app opens it.
fn new_desk(dir: &Path) -> Desk {
    let vault = Desk::open_vault(dir).unwrap();
    let store = formdesk_desk::formsets::open_form_store(dir).unwrap();
    let shipped = formdesk_desk::formsets::shipped_files().unwrap();
    let desk = Desk::new(Catalog::embedded().unwrap(), SystemClock, vault, KdfParams::FAST_INSECURE)
        .with_form_store(store, &shipped)
        .unwrap();
    desk.set_up("Erika Musterfrau", "246813", "246813").unwrap();
    desk
}

fn provisioning_file(env: &PortalEnv, url: &str, name: &str) -> std::path::PathBuf {
    let path = env.path(&format!("{name}.formdesk"));
    let file = path.display().to_string();
    env.cli_ok(&["devices", "enrol", "--name", name, "--provisioning", &file, "--portal-url", url]);
    path
}

fn problem(result: Result<(), SyncError>) -> (ProvisioningProblem, String) {
    match result {
        Err(e @ SyncError::Provisioning { .. }) => {
            let sentence = e.to_string();
            let SyncError::Provisioning { problem, .. } = e else { unreachable!() };
            (problem, sentence)
        }
        other => panic!("not refused as a provisioning file: {other:?}"),
    }
}

#[test]
fn a_desk_is_set_up_from_its_provisioning_file_and_a_used_expired_or_broken_file_is_refused() {
    let env = PortalEnv::new();
    let keys = env.path("keys").display().to_string();
    env.cli_ok(&["keys", "init", "--keys", &keys]);
    env.cli_ok(&["forms", "publish", &forms_dir(), "--keys", &keys]);
    let process = env.serve("127.0.0.1:0");
    let url = process.url();
    let runtime = tokio::runtime::Runtime::new().unwrap();

    let path = provisioning_file(&env, &url, "Bürgerbus 1");
    let file = read_provisioning(&path).unwrap();
    let dir = env.path("desk-1");
    let desk = new_desk(&dir);
    let link = DeskLink::start_with(&dir, None, |_| {}, Duration::from_secs(3600), None).unwrap();
    runtime.block_on(link.enrol_provisioned(&desk, &file)).unwrap();
    let registration = desk.registration().unwrap().expect("enrolled");
    assert_eq!(registration.url, url);
    assert_eq!(registration.device_name, "Bürgerbus 1");
    assert_eq!(formdesk_sync::desk::app_update_key(&dir), None, "the file brought no app-update key");
    let store = formdesk_desk::formsets::open_form_store(&dir).unwrap();

    // The form set comes by itself: the first check runs as the link connects.
    let check = runtime.block_on(link.check_forms_now());
    assert_eq!(check.error, None, "{check:?}");
    assert!(store.current().unwrap().is_some_and(|set| set.manifest.set_version == 1), "the published set");
    drop(link);

    // The same file again, on another desk: used.
    let other = env.path("desk-2");
    let second = new_desk(&other);
    let link = DeskLink::start_with(&other, None, |_| {}, Duration::from_secs(3600), None).unwrap();
    let (used, says) = problem(runtime.block_on(link.enrol_provisioned(&second, &file)));
    assert_eq!(used, ProvisioningProblem::Used);
    assert!(says.starts_with("Diese Einrichtungsdatei wurde schon verwendet"), "{says}");

    // Expired: refused before the portal is asked (a file for an address where nothing answers).
    let expired = Provisioning { expires_at: 1_700_000_000, portal: "https://127.0.0.1:1".into(), ..file.clone() };
    let (what, says) = problem(runtime.block_on(link.enrol_provisioned(&second, &expired)));
    assert_eq!(what, ProvisioningProblem::Expired(1_700_000_000));
    assert!(says.contains("seit 14.11.2023") && says.contains("abgelaufen"), "{says}");

    // A file whose tenant is not the one the portal enrols for.
    let path = provisioning_file(&env, &url, "Bürgerbus 2");
    let mut foreign = read_provisioning(&path).unwrap();
    foreign.tenant.ars = "057580012012".into();
    let (what, _) = problem(runtime.block_on(link.enrol_provisioned(&second, &foreign)));
    assert_eq!(what, ProvisioningProblem::OtherTenant);
    assert_eq!(second.registration().unwrap(), None, "nothing kept of a refused enrolment");
    drop(link);

    // A file with the key of the app's updates: kept with the registration.
    let path = provisioning_file(&env, &url, "Bürgerbus 3");
    let with_key =
        Provisioning { app_update_key: Some("dW50cnVzdGVkIGNvbW1lbnQ6".into()), ..read_provisioning(&path).unwrap() };
    let third_dir = env.path("desk-3");
    let third = new_desk(&third_dir);
    let link = DeskLink::start_with(&third_dir, None, |_| {}, Duration::from_secs(3600), None).unwrap();
    runtime.block_on(link.enrol_provisioned(&third, &with_key)).unwrap();
    assert_eq!(formdesk_sync::desk::app_update_key(&third_dir).as_deref(), Some("dW50cnVzdGVkIGNvbW1lbnQ6"));
    drop(link);

    // Files that are none, and one from a newer Formdesk, by name.
    let broken = env.path("notes.txt");
    std::fs::write(&broken, "Portal: https://portal.example.de").unwrap();
    let (what, says) = problem(read_provisioning(&broken).map(|_| ()));
    assert_eq!(what, ProvisioningProblem::Unreadable("notes.txt".into()));
    assert!(says.contains("„notes.txt“ ist keine Einrichtungsdatei"), "{says}");
    let newer = env.path("newer.formdesk");
    std::fs::write(
        &newer,
        text(&std::fs::read(&path).unwrap()).replace("\"formatVersion\": 1", "\"formatVersion\": 2"),
    )
    .unwrap();
    assert_eq!(problem(read_provisioning(&newer).map(|_| ())).0, ProvisioningProblem::Newer);
    assert!(matches!(
        problem(read_provisioning(&env.path("missing.formdesk")).map(|_| ())).0,
        ProvisioningProblem::Unreadable(_)
    ));
}

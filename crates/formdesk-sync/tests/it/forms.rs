//! The form-update channel from the desk's side, against the real `formdesk-portal serve`: the root from the
//! enrolment, the check over the desk's own client, the report of what it runs and the channel it learns,
//! and what the administrators see in `forms status`.

use crate::support::{PortalEnv, device_key};
use formdesk_channel::{Channel, Checked, FormState, FormStore, Scope, Source};
use formdesk_protocol::decode_base64url;
use formdesk_protocol::wire::EnrolResponse;
use formdesk_sync::forms::pin_enrolment;
use formdesk_sync::portal::{FormsReportError, forms_report};
use formdesk_sync::{DeliveryError, Portal, PortalOptions};
use ring::signature::KeyPair;
use std::path::Path;
use std::sync::Arc;

fn forms_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms").display().to_string()
}

/// The line of `forms status` about the desk named `name`.
fn status_line(env: &PortalEnv, name: &str) -> String {
    let status = env.cli_ok(&["forms", "status"]);
    status.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("no line for {name} in {status}")).to_owned()
}

/// An enrolled, unlocked desk of `env`'s portal at `url` and its form store, which pins the root from the
/// enrolment.
async fn enrolled(env: &PortalEnv, url: &str, name: &str) -> (Portal, FormStore) {
    let (device_id, code) = env.enrol_code(name);
    let key = Arc::new(device_key());
    let registration = Portal::enrol(url, &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap();
    assert!(registration.forms_root.is_some(), "the enrolment brings the form channel's root");
    let store = FormStore::open(&env.path(&format!("desk-{name}"))).unwrap();
    assert!(pin_enrolment(&store, &registration).unwrap());
    let portal_key = decode_base64url(&registration.portal_key).unwrap();
    let portal = Portal::new(url, &device_id, &portal_key, PortalOptions::default()).unwrap();
    portal.unlock(key);
    (portal, store)
}

async fn check(portal: &Portal, store: &FormStore, channel: Channel) -> Checked {
    formdesk_channel::check(store, &portal.forms_source(store.repository().unwrap()).unwrap(), channel).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_installs_what_is_published_reports_it_and_follows_its_channel() {
    let env = PortalEnv::new();
    let keys = env.path("keys").display().to_string();
    env.cli_ok(&["keys", "init", "--keys", &keys]);
    env.cli_ok(&["forms", "publish", &forms_dir(), "--keys", &keys]);
    let process = env.serve("127.0.0.1:0");
    let (portal, store) = enrolled(&env, &process.url(), "Bürgerbus 1").await;
    assert!(status_line(&env, "Bürgerbus 1").ends_with("never reported"));

    let checked = check(&portal, &store, Channel::All).await;
    assert!(matches!(&checked, Checked::Installed { set, .. } if set.manifest.set_version == 1), "{checked:?}");
    assert_eq!(portal.report_forms(&forms_report(checked.set(), None)).await, Ok(Channel::All));
    assert!(status_line(&env, "Bürgerbus 1").ends_with("current"));

    // A new set: the desk is behind until it checks and reports again.
    env.cli_ok(&["forms", "publish", &forms_dir(), "--keys", &keys]);
    assert!(status_line(&env, "Bürgerbus 1").ends_with("behind (channel all has set 2)"));
    let checked = check(&portal, &store, Channel::All).await;
    assert_eq!(checked.set().manifest.set_version, 2);
    portal.report_forms(&forms_report(checked.set(), None)).await.unwrap();
    assert!(status_line(&env, "Bürgerbus 1").ends_with("current"));

    // Made a pilot desk: the report's answer says so, and the next check reads the pilot channel.
    env.cli_ok(&["devices", "channel", "Bürgerbus 1", "pilot"]);
    env.cli_ok(&["forms", "publish", &forms_dir(), "--keys", &keys, "--channel", "pilot"]);
    let channel = portal.report_forms(&forms_report(checked.set(), None)).await.unwrap();
    assert_eq!(channel, Channel::Pilot);
    assert!(status_line(&env, "Bürgerbus 1").contains("behind (channel pilot has set 3)"));
    let checked = check(&portal, &store, channel).await;
    assert_eq!((checked.set().manifest.channel.as_str(), checked.set().manifest.set_version), ("pilot", 3));

    // Withdrawn at once: the desk gets the form marked.
    env.cli_ok(&["forms", "withdraw", "hundeabmeldung", "--now", "--keys", &keys]);
    let checked = check(&portal, &store, channel).await;
    assert_eq!(checked.set().manifest.form("hundeabmeldung").map(|f| f.state), Some(FormState::Withdrawn));

    // A check that failed is reported with its sentence, which the administrators read.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let dead = Source::portal(client, "http://127.0.0.1:9").unwrap();
    let failed = formdesk_channel::check(&store, &dead, channel).await.unwrap_err();
    portal.report_forms(&forms_report(checked.set(), Some(failed.to_string()))).await.unwrap();
    let line = status_line(&env, "Bürgerbus 1");
    assert!(line.ends_with(&format!("error: {failed}")), "{line}");
    assert!(line.contains("current"), "{line}");

    // Locked, the desk reports nothing; signed with a key the portal does not know, it is told so in German.
    portal.lock();
    let report = forms_report(checked.set(), None);
    assert_eq!(portal.report_forms(&report).await, Err(FormsReportError(DeliveryError::Locked)));
    portal.unlock(Arc::new(device_key()));
    let err = portal.report_forms(&report).await.unwrap_err();
    assert!(matches!(err.0, DeliveryError::Unenrolled(_)), "{err:?}");
    assert!(err.reason().starts_with("Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet."), "{err}");
    assert!(err.detail().contains("HTTP 401"), "{}", err.detail());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_without_a_channel_enrols_without_a_root() {
    let env = PortalEnv::new();
    let process = env.serve("127.0.0.1:0");
    let (_, code) = env.enrol_code("Rathaus");
    let key = device_key();
    let registration =
        Portal::enrol(&process.url(), &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap();
    assert_eq!(registration.forms_root, None);
}

/// Tenant 1 of [`PortalEnv`] and a second municipality.
const A: &str = "059580000000";
const B: &str = "057660020020";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A desk of tenant `ars` enrolled through the sync crate's client: its registration and form store (the
/// root pinned as the enrolment says) and its client, unlocked.
async fn enrolled_with(env: &PortalEnv, url: &str, ars: &str, name: &str) -> (EnrolResponse, Portal, FormStore) {
    let out = env.cli_ok(&["devices", "enrol", "--name", name, "--tenant", ars]);
    let field = |f: &str| out.lines().find_map(|l| l.strip_prefix(f).map(|v| v.trim().to_owned())).unwrap();
    let (device_id, code) = (field("device "), field("code "));
    let key = Arc::new(device_key());
    let registration = Portal::enrol(url, &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap();
    let store = FormStore::open(&env.path(&format!("desk-{name}"))).unwrap();
    pin_enrolment(&store, &registration).unwrap();
    let portal_key = decode_base64url(&registration.portal_key).unwrap();
    let portal = Portal::new(url, &device_id, &portal_key, PortalOptions::default()).unwrap();
    portal.unlock(key);
    (registration, portal, store)
}

fn form_ids(checked: &Checked) -> Vec<&str> {
    checked.set().manifest.forms.iter().map(|f| f.id.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_municipalitys_desk_reads_its_own_repository_and_installs_its_own_set() {
    let env = PortalEnv::new();
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    let operator = env.path("keys").display().to_string();
    env.cli_ok(&["keys", "init", "--keys", &operator]);
    env.cli_ok(&["forms", "publish", &forms_dir(), "--keys", &operator]);
    let process = env.serve("127.0.0.1:0");
    let url = process.url();

    // Enrolled before tenant 1 has a repository of its own: the single one, as before tenants.
    let (early, early_portal, early_store) = enrolled_with(&env, &url, A, "Bürgerbus früh").await;
    assert_eq!(early.tenant.as_ref().map(|t| (t.ars.as_str(), t.name.as_str())), Some((A, "Stadt Musterstadt")));
    assert!(early.forms_shared);
    assert_eq!(early_store.repository().unwrap(), Scope::Shared);

    let b_forms = env.path("b-forms");
    copy_dir(Path::new(&forms_dir()), &b_forms);
    std::fs::remove_dir_all(b_forms.join("brauchtumsfeuer")).unwrap();
    for (ars, forms) in [(A, forms_dir()), (B, b_forms.display().to_string())] {
        let editor = env.path(&format!("editor-{ars}")).display().to_string();
        env.cli_ok(&["keys", "init", "--tenant", ars, "--keys", &editor]);
        let public = format!("{editor}/t{ars}.pub");
        env.cli_ok(&["forms", "channel-init", "--tenant", ars, "--keys", &operator, "--editor-key", &public]);
        env.cli_ok(&["forms", "publish", &forms, "--tenant", ars, "--keys", &editor]);
    }

    let (a, a_portal, a_store) = enrolled_with(&env, &url, A, "Bürgerbus A").await;
    let (b, b_portal, b_store) = enrolled_with(&env, &url, B, "Bürgerbus B").await;
    assert_eq!(b.tenant.as_ref().map(|t| t.name.as_str()), Some("Gemeinde Anders"));
    assert!(!a.forms_shared && !b.forms_shared);
    assert_eq!(a_store.repository().unwrap(), Scope::tenant(A).unwrap());
    assert_eq!(b_store.repository().unwrap(), Scope::tenant(B).unwrap());

    let a_set = check(&a_portal, &a_store, Channel::All).await;
    let b_set = check(&b_portal, &b_store, Channel::All).await;
    assert!(form_ids(&a_set).contains(&"brauchtumsfeuer"), "{:?}", form_ids(&a_set));
    assert!(!form_ids(&b_set).contains(&"brauchtumsfeuer"), "B installs its own set: {:?}", form_ids(&b_set));
    assert!(b_set.set().manifest.files().all(|f| f.target.starts_with(&format!("t{B}."))));
    assert_eq!(b_portal.report_forms(&forms_report(b_set.set(), None)).await, Ok(Channel::All));
    let status = env.cli_ok(&["forms", "status", "--tenant", B]);
    assert!(status.contains("Bürgerbus B  channel all  set 1") && status.contains("current"), "{status}");

    // B's desk asking A's repository, with B's root, installs nothing; its set stays.
    let wrong = Source::portal_of(reqwest::Client::new(), &url, Scope::tenant(A).unwrap()).unwrap();
    let refused = formdesk_channel::check(&b_store, &wrong, Channel::All).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(b_store.current().unwrap().map(|s| s.sha256), Some(b_set.set().sha256.clone()));

    // The desk enrolled early goes on with the single repository.
    let early_set = check(&early_portal, &early_store, Channel::All).await;
    assert!(matches!(early_set, Checked::Installed { .. }), "{early_set:?}");
}

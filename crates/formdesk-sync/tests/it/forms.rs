//! The form-update channel from the desk's side, against the real `formdesk-portal serve`: the root from the
//! enrolment, the check over the desk's own client, the report of what it runs and the channel it learns,
//! and what the administrators see in `forms status`.

use crate::support::{PortalEnv, device_key};
use formdesk_channel::{Channel, Checked, FormState, FormStore, Source};
use formdesk_protocol::decode_base64url;
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
    let root = registration.forms_root.expect("the enrolment brings the form channel's root");
    let store = FormStore::open(&env.path(&format!("desk-{name}"))).unwrap();
    store.pin_root(root.as_bytes()).unwrap();
    let portal_key = decode_base64url(&registration.portal_key).unwrap();
    let portal = Portal::new(url, &device_id, &portal_key, PortalOptions::default()).unwrap();
    portal.unlock(key);
    (portal, store)
}

async fn check(portal: &Portal, store: &FormStore, channel: Channel) -> Checked {
    formdesk_channel::check(store, &portal.forms_source().unwrap(), channel).await.unwrap()
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

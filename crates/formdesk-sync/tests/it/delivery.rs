//! Deliveries to the real `formdesk-portal serve` on loopback, sealed for real, checked in the authority's
//! `inbox export`: plainly, through the fault proxy with a portal restart, with lost answers and cut uploads
//! at chosen moments, and for a revoked device.
//!
//! The export decrypts every part and compares the data's SHA-256 with the one the metadata carries, so an
//! exported submission's data is byte for byte what was sealed; the tests compare the JSON and every
//! attachment's bytes on top.

use crate::proxy::{Action, Faults, Proxy};
use crate::support::{PortalEnv, PortalProcess, Sealed, SplitMix, check_export, device_key, seal_submission};
use formdesk_protocol::acceptance::Acceptance;
use formdesk_protocol::decode_base64url;
use formdesk_seal::RecipientKey;
use formdesk_sync::memory::State;
use formdesk_sync::{
    Backoff, DeliveryError, EngineOptions, Entry, MemoryOutbox, Portal, PortalOptions, SyncEngine, check_acceptance,
};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DESTINATION: &str = "ordnungsamt";

/// A portal with the destination `ordnungsamt` and one enrolled device.
struct Setup {
    env: PortalEnv,
    process: Option<PortalProcess>,
    addr: String,
    private_key: PathBuf,
    recipient: RecipientKey,
    device_id: String,
    portal_key: Vec<u8>,
    key: Arc<Ed25519KeyPair>,
}

impl Setup {
    async fn new() -> Setup {
        let env = PortalEnv::new();
        let private_key = env.add_destination(DESTINATION);
        let process = env.serve("127.0.0.1:0");
        let (device_id, code) = env.enrol_code("Test");
        let key = Arc::new(device_key());
        let registration =
            Portal::enrol(&process.url(), &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap();
        assert_eq!(registration.device_id, device_id);
        assert_eq!(registration.name, "Test");
        let portal_key = decode_base64url(&registration.portal_key).unwrap();
        // The destination's key as the desk gets it: from the portal's list.
        let portal = Portal::new(&process.url(), &device_id, &portal_key, PortalOptions::default()).unwrap();
        portal.unlock(Arc::clone(&key));
        let destinations = portal.destinations().await.unwrap();
        let destination = destinations.iter().find(|d| d.id == DESTINATION).expect("the destination is listed");
        let recipient =
            RecipientKey::from_spki_der(&decode_base64url(&destination.public_key).unwrap()).expect("an RSA key");
        assert_eq!(recipient.key_id(), destination.key_id);
        let addr = process.addr.clone();
        Setup { env, process: Some(process), addr, private_key, recipient, device_id, portal_key, key }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An unlocked client of this device, at `url` (the portal's or a proxy's).
    fn portal(&self, url: &str, options: PortalOptions) -> Arc<Portal> {
        let portal = Portal::new(url, &self.device_id, &self.portal_key, options).unwrap();
        portal.unlock(Arc::clone(&self.key));
        Arc::new(portal)
    }

    fn seal(&self, random: &mut SplitMix, count: usize, attachment_size: usize) -> Vec<Sealed> {
        (0..count).map(|n| seal_submission(random, DESTINATION, &self.recipient, n, 1, attachment_size)).collect()
    }

    fn export(&self, sealed: &[Sealed]) -> Duration {
        let out = self.env.path("eingang");
        let started = Instant::now();
        let stdout = self.env.export(DESTINATION, &self.private_key, &out);
        let took = started.elapsed();
        check_export(&out, &stdout, sealed);
        took
    }

    /// Checks that the outbox has each submission delivered exactly once, with an acceptance that verifies.
    fn check_outbox(&self, outbox: &MemoryOutbox, sealed: &[Sealed]) {
        for s in sealed {
            let record = outbox.record(&s.id).unwrap().expect("queued");
            assert_eq!(record.delivered_calls, 1, "{}: delivered {} times", s.id, record.delivered_calls);
            let State::Delivered { acceptance, accepted_at } = &record.state else {
                panic!("{} is not delivered: {record:?}", s.id)
            };
            let checked = check_acceptance(acceptance, &self.portal_key, &self.device_id, &record.entry, &s.parts)
                .expect("the kept acceptance checks out");
            assert_eq!(checked.accepted_at(), *accepted_at);
        }
    }
}

fn queue_all(outbox: &MemoryOutbox, sealed: &[Sealed]) {
    let now = formdesk_sync::Clock::now(&formdesk_sync::SystemClock);
    for s in sealed {
        outbox.queue(&s.id, DESTINATION, s.parts.clone(), now).unwrap();
    }
}

/// Waits (in real time, polling) until `count` entries are delivered or `limit` has passed.
async fn wait_delivered(outbox: &MemoryOutbox, count: usize, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if outbox.delivered_count().unwrap() >= count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    outbox.delivered_count().unwrap() >= count
}

fn undelivered(outbox: &MemoryOutbox) -> String {
    let records = outbox.records().unwrap();
    let left: Vec<String> = records
        .iter()
        .filter(|r| !matches!(r.state, State::Delivered { .. }))
        .take(5)
        .map(|r| {
            format!("{} {:?} after {} attempts: {:?}", r.entry.submission_id, r.state, r.entry.attempts, r.last_error)
        })
        .collect();
    format!("{} of {} not delivered, e.g. {left:#?}", records.len() - outbox.delivered_count().unwrap(), records.len())
}

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_submissions_with_attachments_arrive_byte_for_byte() {
    let setup = Setup::new().await;
    let n = count("FORMDESK_SYNC_N", 1000);
    let started = Instant::now();
    let sealed = setup.seal(&mut SplitMix(1), n, 50_000);
    let sealing = started.elapsed();
    let outbox = MemoryOutbox::new();
    queue_all(&outbox, &sealed);

    let portal = setup.portal(&setup.url(), PortalOptions::default());
    let started = Instant::now();
    let engine = SyncEngine::start(outbox.clone(), portal, EngineOptions::default()).unwrap();
    assert!(wait_delivered(&outbox, n, Duration::from_secs(900)).await, "{}", undelivered(&outbox));
    let sending = started.elapsed();
    let status = engine.status();
    engine.shutdown().await;
    assert_eq!(status.online, Some(true));
    assert_eq!(status.last_error, None);

    setup.check_outbox(&outbox, &sealed);
    let export = setup.export(&sealed);
    eprintln!(
        "plain run: {n} submissions with a 50 KB attachment each delivered in {:.1} s: {:.0} submissions/s \
         (sealing {:.1} s, inbox export {:.1} s)",
        sending.as_secs_f64(),
        n as f64 / sending.as_secs_f64(),
        sealing.as_secs_f64(),
        export.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_faults_and_a_portal_restart_every_submission_arrives_exactly_once() {
    let mut setup = Setup::new().await;
    let n = count("FORMDESK_SYNC_FAULT_N", 300);
    let sealed = setup.seal(&mut SplitMix(2), n, 50_000);
    let outbox = MemoryOutbox::new();
    queue_all(&outbox, &sealed);

    let proxy = Proxy::start(&setup.addr, 0x5eed, Faults { reset: 0.3, cut: 0.1, drop: 0.1 }).await;
    // Pieces of 16 KiB, so an attachment (some 67 KB of JWE) takes five, and uploads are cut and resumed.
    let options = PortalOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        piece_size: 16 * 1024,
        ..PortalOptions::default()
    };
    let portal = setup.portal(&proxy.url(), options);
    let engine_options = EngineOptions {
        retry: Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(4) },
        // Every fault looks like a lost connection and holds all sending until a probe answers; quick probes
        // keep the run short without changing what is tested.
        probe: Backoff { base: Duration::from_millis(20), cap: Duration::from_millis(250) },
        idle_check: Duration::from_secs(2),
        ..EngineOptions::default()
    };
    let started = Instant::now();
    let engine = SyncEngine::start(outbox.clone(), portal, engine_options).unwrap();

    // A third of the way, the portal dies and comes back on the same port and data.
    assert!(wait_delivered(&outbox, n / 3, Duration::from_secs(600)).await, "{}", undelivered(&outbox));
    if let Some(process) = setup.process.take() {
        process.kill();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let restarted_at = outbox.delivered_count().unwrap();
    setup.process = Some(setup.env.serve(&setup.addr));

    let faulty_until = wait_delivered(&outbox, 2 * n / 3, Duration::from_secs(600)).await;
    let under_faults = started.elapsed();
    let delivered_under_faults = outbox.delivered_count().unwrap();
    proxy.set_faults(Faults::NONE);
    engine.wake();
    assert!(wait_delivered(&outbox, n, Duration::from_secs(300)).await, "{}", undelivered(&outbox));
    let total = started.elapsed();
    engine.shutdown().await;

    let counts = proxy.counts();
    let attempts: u32 = outbox.records().unwrap().iter().map(|r| r.entry.attempts).sum();
    eprintln!(
        "fault run: {n} submissions; {delivered_under_faults} delivered in {:.1} s under faults (portal restarted \
         after {restarted_at}), all in {:.1} s; {attempts} failed attempts recorded; proxy: {counts:?}",
        under_faults.as_secs_f64(),
        total.as_secs_f64()
    );
    assert!(faulty_until, "two thirds were not delivered under faults: {}", undelivered(&outbox));
    assert!(counts.reset > 0 && counts.cut > 0 && counts.dropped > 0, "{counts:?}");
    assert!(attempts > 0);
    setup.check_outbox(&outbox, &sealed);
    setup.export(&sealed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_the_submit_is_made_good_by_the_status() {
    let setup = Setup::new().await;
    let sealed = setup.seal(&mut SplitMix(3), 2, 50_000);
    let proxy = Proxy::start(&setup.addr, 1, Faults::NONE).await;
    let portal = setup.portal(&proxy.url(), PortalOptions::default());
    let entry = |s: &Sealed| Entry { submission_id: s.id.clone(), destination_id: DESTINATION.into(), attempts: 0 };

    // Announce, upload, then the portal takes the submit and its answer is lost: the status read right after
    // has the acceptance.
    proxy.script(&[Action::Forward, Action::Forward, Action::Drop, Action::Forward]);
    let delivered = portal.deliver(&entry(&sealed[0]), &sealed[0].parts).await.unwrap();
    assert_eq!(proxy.counts().dropped, 1);
    // Repeating changes nothing: the same acceptance, word for word.
    let again = portal.deliver(&entry(&sealed[0]), &sealed[0].parts).await.unwrap();
    assert_eq!(again.acceptance, delivered.acceptance);

    // The submit never reaches the portal and the status read after it is lost too: the attempt fails as
    // transient, and the next one completes it.
    proxy.script(&[Action::Forward, Action::Forward, Action::Reset, Action::Reset]);
    let failed = portal.deliver(&entry(&sealed[1]), &sealed[1].parts).await.unwrap_err();
    assert!(failed.is_unreachable(), "{failed:?}");
    assert!(failed.reason().starts_with("Das Portal ist nicht erreichbar"), "{}", failed.reason());
    portal.deliver(&entry(&sealed[1]), &sealed[1].parts).await.unwrap();

    let verified = Acceptance::verify(&delivered.acceptance, &setup.portal_key).unwrap();
    assert_eq!(verified.submission_id, sealed[0].id);
    setup.export(&sealed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_upload_resumes_where_the_portal_says() {
    let setup = Setup::new().await;
    let sealed = setup.seal(&mut SplitMix(4), 1, 50_000);
    let s = &sealed[0];
    let proxy = Proxy::start(&setup.addr, 1, Faults::NONE).await;
    let piece = 4096;
    let portal = setup.portal(&proxy.url(), PortalOptions { piece_size: piece, ..PortalOptions::default() });
    let entry = Entry { submission_id: s.id.clone(), destination_id: DESTINATION.into(), attempts: 0 };

    // The announcement and two pieces arrive, the third is cut off halfway.
    proxy.script(&[Action::Forward, Action::Forward, Action::Forward, Action::Cut]);
    let failed = portal.deliver(&entry, &s.parts).await.unwrap_err();
    assert!(failed.is_unreachable(), "{failed:?}");
    let status = portal.submission(&s.id).await.unwrap().expect("announced");
    assert_eq!(status.state, "announced");
    assert_eq!(status.attachments[0].received, 2 * piece as u64);

    // Starting too far ahead: the portal's 409 says where it stands, and the upload goes on from there.
    let (attachment, jwe) = &s.parts.attachments[0];
    let done = portal.upload(&s.id, attachment, jwe, 30_000).await.unwrap();
    assert!(done.complete);
    assert_eq!(done.received, jwe.len() as u64);

    let forwarded = proxy.counts().forwarded;
    portal.deliver(&entry, &s.parts).await.unwrap();
    assert_eq!(proxy.counts().forwarded - forwarded, 2, "a complete attachment is not uploaded again");
    setup.export(&sealed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_fails_permanently_with_a_reason_in_german() {
    let setup = Setup::new().await;
    let sealed = setup.seal(&mut SplitMix(5), 2, 10_000);
    let outbox = MemoryOutbox::new();
    queue_all(&outbox, &sealed[..1]);
    let portal = setup.portal(&setup.url(), PortalOptions::default());
    let engine = SyncEngine::start(outbox.clone(), Arc::clone(&portal), EngineOptions::default()).unwrap();
    assert!(wait_delivered(&outbox, 1, Duration::from_secs(60)).await, "{}", undelivered(&outbox));

    setup.env.cli_ok(&["devices", "revoke", &setup.device_id]);
    queue_all(&outbox, &sealed[1..]);
    engine.wake();
    let id = &sealed[1].id;
    let until = Instant::now() + Duration::from_secs(60);
    while outbox.record(id).unwrap().unwrap().state != State::Failed && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let record = outbox.record(id).unwrap().unwrap();
    assert_eq!(record.state, State::Failed, "{record:?}");
    let reason = record.last_error.unwrap();
    assert!(reason.starts_with("Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet."), "{reason}");
    assert!(!reason.contains("revoked") && !reason.contains("HTTP"), "the portal's words go to the log: {reason}");
    let status = engine.status();
    assert_eq!(status.last_error.as_deref(), Some(reason.as_str()));
    assert_eq!(status.online, Some(true));
    engine.shutdown().await;
    assert!(matches!(portal.destinations().await, Err(DeliveryError::Unenrolled(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_sealed_for_another_key_are_refused_permanently() {
    let setup = Setup::new().await;
    let other = formdesk_seal::DecryptionKey::generate(3072).unwrap().public();
    let sealed = vec![seal_submission(&mut SplitMix(6), DESTINATION, &other, 0, 1, 1000)];
    let outbox = MemoryOutbox::new();
    queue_all(&outbox, &sealed);
    let portal = setup.portal(&setup.url(), PortalOptions::default());
    let engine = SyncEngine::start(outbox.clone(), portal, EngineOptions::default()).unwrap();
    let id = &sealed[0].id;
    let until = Instant::now() + Duration::from_secs(60);
    while outbox.record(id).unwrap().unwrap().state != State::Failed && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let record = outbox.record(id).unwrap().unwrap();
    assert_eq!(record.state, State::Failed, "{record:?}");
    let reason = record.last_error.unwrap();
    assert!(
        reason.starts_with("Ein Teil der Sendung ist nicht für den Schlüssel der Empfangsstelle verschlüsselt."),
        "{reason}"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vaults_outbox_is_delivered_and_shredded_while_the_desk_is_locked() {
    use formdesk_vault::{Delivery, KdfParams, Queued, SealedPart, Status, Vault};
    let setup = Setup::new().await;
    let sealed = setup.seal(&mut SplitMix(7), 20, 20_000);
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.initialize("Anna", "482913", KdfParams::FAST_INSECURE).unwrap();
    // The vault chooses its own ids: seal each submission under the id it travels as.
    let mut desk_sealed = Vec::new();
    let mut ids = Vec::new();
    for s in &sealed {
        let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"{}").unwrap();
        let uuid = vault.load(id).unwrap().item.uuid;
        let mut renamed = s.clone();
        renamed.id = uuid.clone();
        let mut metadata: formdesk_protocol::content::Metadata = serde_json::from_value(s.metadata.clone()).unwrap();
        metadata.submission_id = uuid.clone();
        renamed.metadata = serde_json::to_value(&metadata).unwrap();
        let rng = ring::rand::SystemRandom::new();
        renamed.parts.metadata =
            formdesk_seal::seal(&setup.recipient, &serde_json::to_vec(&metadata).unwrap(), &rng).unwrap();
        let mut parts = vec![
            SealedPart { name: "metadata".into(), jwe: renamed.parts.metadata.clone() },
            SealedPart { name: "data".into(), jwe: renamed.parts.data.clone() },
        ];
        parts.extend(
            renamed.parts.attachments.iter().map(|(name, jwe)| SealedPart { name: name.clone(), jwe: jwe.clone() }),
        );
        vault
            .finalize_and_queue(
                id,
                "Erika Mustermann",
                b"{\"final\":true}",
                Some(&Queued { destination_id: DESTINATION.into(), parts }),
            )
            .unwrap();
        ids.push(id);
        desk_sealed.push(renamed);
    }
    vault.lock();

    let outbox = formdesk_vault::Outbox::open(dir.path()).unwrap();
    let engine =
        SyncEngine::start(outbox, setup.portal(&setup.url(), PortalOptions::default()), EngineOptions::default())
            .unwrap();
    let until = Instant::now() + Duration::from_secs(300);
    let delivered = loop {
        let entries = vault.outbox_entries().unwrap();
        let done = entries.iter().filter(|e| e.state == Delivery::Delivered).count();
        if done == ids.len() || Instant::now() > until {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    engine.shutdown().await;
    assert_eq!(delivered, ids.len(), "{:?}", vault.outbox_entries().unwrap());

    // Delivered, the plaintext waits for the desk to let it go (the shell does on the engine's report), which
    // it can while locked: shredding needs no key.
    assert_eq!(vault.shred_delivered(None).unwrap().len(), ids.len());
    vault.unlock("Anna", "482913").unwrap();
    for (id, s) in ids.iter().zip(&desk_sealed) {
        let record = vault.load(*id).unwrap();
        assert_eq!(record.item.status, Status::Shredded, "delivered and let go means shredded");
        let entry = vault.outbox_entry(*id).unwrap().unwrap();
        let acceptance = Acceptance::verify(entry.acceptance.as_deref().unwrap(), &setup.portal_key).unwrap();
        assert_eq!(acceptance.submission_id, s.id);
    }
    setup.export(&desk_sealed);
}

/// A real vault (in a temporary folder, locked) with one case finalized and `sealed`'s parts queued. The
/// portal only takes the parts; the audit tests read the trail, so the parts need not name the case's id.
fn vault_with_one_queued(sealed: &Sealed) -> (tempfile::TempDir, formdesk_vault::Vault) {
    use formdesk_vault::{KdfParams, Queued, SealedPart, Vault};
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.initialize("Anna", "482913", KdfParams::FAST_INSECURE).unwrap();
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"{}").unwrap();
    let mut parts = vec![
        SealedPart { name: "metadata".into(), jwe: sealed.parts.metadata.clone() },
        SealedPart { name: "data".into(), jwe: sealed.parts.data.clone() },
    ];
    parts
        .extend(sealed.parts.attachments.iter().map(|(name, jwe)| SealedPart { name: name.clone(), jwe: jwe.clone() }));
    vault
        .finalize_and_queue(id, "Erika Mustermann", b"{}", Some(&Queued { destination_id: DESTINATION.into(), parts }))
        .unwrap();
    vault.lock();
    (dir, vault)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desks_audit_trail_goes_up_beside_its_deliveries_and_verifies_on_the_portal() {
    use formdesk_vault::Delivery;
    let setup = Setup::new().await;
    let sealed = setup.seal(&mut SplitMix(11), 1, 1_000);
    let (dir, vault) = vault_with_one_queued(&sealed[0]);

    let outbox = formdesk_vault::Outbox::open(dir.path()).unwrap();
    let engine =
        SyncEngine::start(outbox, setup.portal(&setup.url(), PortalOptions::default()), EngineOptions::default())
            .unwrap();
    // Delivered, and every entry of the desk's trail (the delivery's own among them) acknowledged by the portal.
    let until = Instant::now() + Duration::from_secs(120);
    let check = formdesk_vault::Outbox::open(dir.path()).unwrap();
    loop {
        let delivered = vault.outbox_entries().unwrap().iter().all(|e| e.state == Delivery::Delivered);
        if delivered && check.audit_to_upload(10).unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < until, "not delivered and acknowledged: {:?}", vault.outbox_entries().unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.shutdown().await;
    let formdesk_vault::audit::Verdict::Intact { entries, head } =
        formdesk_vault::audit::verify_dir(dir.path()).unwrap()
    else {
        panic!("the desk's trail is broken")
    };
    assert!(entries >= 3, "setup, finalize and the delivery are recorded: {entries}");
    let out = setup.env.cli_ok(&["audit", "verify", "--device", &setup.device_id]);
    let hash: String = head.hash.iter().map(|b| format!("{b:02x}")).collect();
    assert!(out.contains(&format!("in Ordnung: {} Einträge, Kopf {hash}", head.seq)), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_trail_the_portal_refuses_never_stops_a_delivery() {
    use formdesk_protocol::audit::{self, Action, Head, Record};
    use formdesk_vault::Delivery;
    let setup = Setup::new().await;
    // The portal holds another chain for this device already (a desk restored from an older backup would
    // look like this): the desk's own entries do not continue it.
    let record = Record {
        version: audit::FORMAT_VERSION,
        log: "desk".into(),
        seq: 1,
        at: 1_800_000_000,
        actor: "device".into(),
        action: Action::Lock,
        object: String::new(),
        detail: std::collections::BTreeMap::new(),
    };
    let other = audit::next(&Head::empty("desk"), record).unwrap();
    let portal = setup.portal(&setup.url(), PortalOptions::default());
    assert_eq!(portal.upload_audit(vec![other]).await.unwrap(), 1);

    let sealed = setup.seal(&mut SplitMix(13), 1, 1_000);
    let (dir, vault) = vault_with_one_queued(&sealed[0]);
    let desk_entries = formdesk_vault::Outbox::open(dir.path()).unwrap().audit_to_upload(1000).unwrap();
    let refused = portal.upload_audit(desk_entries).await.unwrap_err();
    assert!(refused.detail().contains("audit_fork"), "{}", refused.detail());

    let outbox = formdesk_vault::Outbox::open(dir.path()).unwrap();
    let engine = SyncEngine::start(outbox, portal, EngineOptions::default()).unwrap();
    let until = Instant::now() + Duration::from_secs(120);
    while !vault.outbox_entries().unwrap().iter().all(|e| e.state == Delivery::Delivered) {
        assert!(Instant::now() < until, "not delivered: {:?}", vault.outbox_entries().unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.shutdown().await;
    // Nothing of the desk's trail was acknowledged: it waits, whole, for someone to look at the fork.
    let waiting = formdesk_vault::Outbox::open(dir.path()).unwrap().audit_to_upload(1000).unwrap();
    assert_eq!(waiting.first().map(|e| e.record.seq), Some(1));
    let out = setup.env.cli_ok(&["audit", "verify", "--device", &setup.device_id]);
    assert!(out.contains("in Ordnung: 1 Einträge"), "{out}");
}

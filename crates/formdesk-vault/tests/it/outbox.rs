//! The outbox: queued with the finalization, worked on through a connection of its own, delivered and
//! shredded in one step.

use crate::new_vault;
use formdesk_vault::{
    Clock, Delivery, Outbox, Queued, Registration, SealedPart, Status, StoredDestination, Vault, VaultError,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

fn clock_at(start: i64) -> (Arc<AtomicI64>, Clock) {
    let now = Arc::new(AtomicI64::new(start));
    let reading = now.clone();
    (now, Arc::new(move || reading.load(Ordering::SeqCst)))
}

pub fn queued(attachments: usize) -> Queued {
    let mut parts = vec![
        SealedPart { name: "metadata".into(), jwe: "eyJtZXRh.a.b.c.d".into() },
        SealedPart { name: "data".into(), jwe: "eyJkYXRh.a.b.c.d".into() },
    ];
    for i in 0..attachments {
        parts.push(SealedPart {
            name: format!("00000000-0000-4000-8000-00000000000{i}"),
            jwe: format!("att{i}.a.b.c.d"),
        });
    }
    Queued { destination_id: "ordnungsamt".into(), parts }
}

#[test]
fn finalizing_queues_and_a_delivered_case_is_shredded_once_the_desk_lets_it_go() {
    let dir = tempfile::tempdir().unwrap();
    let (now, clock) = clock_at(1_800_000_000);
    let mut vault = new_vault(dir.path());
    drop(vault);
    vault = Vault::open_with_clock(dir.path(), clock.clone()).unwrap();
    vault.unlock("Anna", crate::PIN).unwrap();
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"{}").unwrap();
    let uuid = vault.load(id).unwrap().item.uuid;
    vault.finalize_and_queue(id, "Erika Mustermann", br#"{"final":1}"#, Some(&queued(2))).unwrap();
    let entry = vault.outbox_entry(id).unwrap().unwrap();
    assert_eq!((entry.state, entry.attempts, entry.uuid.as_str()), (Delivery::Queued, 0, uuid.as_str()));
    assert_eq!(entry.destination_id, "ordnungsamt");
    assert!(vault.unqueued().unwrap().is_empty());

    // The sync side needs no key: the desk is locked while it works.
    vault.lock();
    let mut outbox = Outbox::open_with_clock(dir.path(), clock.clone()).unwrap();
    let due = outbox.due(1_800_000_000, 10).unwrap();
    assert_eq!(due.len(), 1);
    let parts = outbox.parts(&uuid).unwrap();
    assert_eq!(parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>()[..2], ["metadata", "data"]);
    assert_eq!(parts.len(), 4);
    assert_eq!(parts, queued(2).parts);

    // A transient failure waits until its retry time; a permanent one until "Jetzt senden".
    outbox.failed(&uuid, "Keine Verbindung zum Portal.", false, 1_800_000_060).unwrap();
    assert!(outbox.due(1_800_000_059, 10).unwrap().is_empty());
    assert_eq!(outbox.due(1_800_000_060, 10).unwrap()[0].attempts, 1);
    assert_eq!(outbox.next_due().unwrap(), Some(1_800_000_060));
    outbox.failed(&uuid, "Das Portal lehnt die Sendung ab.", true, 0).unwrap();
    assert!(outbox.due(i64::MAX, 10).unwrap().is_empty());
    let entry = &outbox.entries().unwrap()[0];
    assert_eq!(
        (entry.state, entry.last_error.as_deref()),
        (Delivery::Failed, Some("Das Portal lehnt die Sendung ab."))
    );
    now.store(1_800_000_100, Ordering::SeqCst);
    assert_eq!(outbox.send_now().unwrap(), 1);
    assert_eq!(outbox.due(1_800_000_100, 10).unwrap().len(), 1);

    outbox.delivered(&uuid, "signed.acceptance", 1_800_000_101).unwrap();
    outbox.delivered(&uuid, "another.acceptance", 1_800_000_200).unwrap();
    let entry = &outbox.entries().unwrap()[0];
    assert_eq!(entry.state, Delivery::Delivered);
    assert_eq!((entry.acceptance.as_deref(), entry.delivered_at), (Some("signed.acceptance"), Some(1_800_000_101)));
    assert_eq!(entry.last_error, None);
    assert!(outbox.parts(&uuid).unwrap().is_empty(), "the sealed parts go once delivered");
    assert_eq!(outbox.send_now().unwrap(), 0, "a delivered entry is never sent again");

    // The plaintext stays until the desk lets it go: the case may still be on the clerk's screen, with the
    // citizen's receipt to print.
    vault.unlock("Anna", crate::PIN).unwrap();
    assert_eq!(vault.load(id).unwrap().item.status, Status::Final);
    let other = vault.create("hundeanmeldung", "1.0.0", "Otto", b"{}").unwrap();
    vault.finalize(other, "Otto", b"{}").unwrap();
    assert_eq!(vault.shred_delivered(Some(id)).unwrap().len(), 0, "kept while on screen; the other is not delivered");
    assert!(vault.load(id).unwrap().data.is_some());
    assert_eq!(vault.shred_delivered(None).unwrap().len(), 1);
    let record = vault.load(id).unwrap();
    assert_eq!((record.item.status, record.data), (Status::Shredded, None), "delivered and let go: shredded");
    assert_eq!(vault.load(other).unwrap().item.status, Status::Final, "not delivered: kept");
    assert_eq!(vault.shred_delivered(None).unwrap().len(), 0);
    assert_eq!(vault.outbox_entry(id).unwrap().unwrap().state, Delivery::Delivered);
    assert_eq!(vault.integrity_check().unwrap(), "ok");
}

#[test]
fn a_submission_finalized_without_a_key_is_queued_later_and_retention_keeps_the_parts() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    vault.finalize(id, "Erika", b"{}").unwrap();
    assert_eq!(vault.unqueued().unwrap(), [id]);
    vault.queue(id, &queued(0)).unwrap();
    assert!(vault.unqueued().unwrap().is_empty());
    assert!(matches!(vault.queue(id, &queued(0)), Err(VaultError::Sql(_))), "queued once only");
    let draft = vault.create("hundeanmeldung", "1.0.0", "Otto", b"{}").unwrap();
    assert!(matches!(vault.queue(draft, &queued(0)), Err(VaultError::WrongState { .. })));

    // Retention shreds the plaintext; what is sealed for the authority is still delivered afterwards.
    vault.shred(id).unwrap();
    let uuid = vault.outbox_entries().unwrap()[0].uuid.clone();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.parts(&uuid).unwrap().len(), 2);
    outbox.delivered(&uuid, "a.b", 1).unwrap();
    assert_eq!(vault.load(id).unwrap().item.status, Status::Shredded);
}

#[test]
fn registration_and_destinations_are_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    assert_eq!(vault.registration().unwrap(), None);
    let registration = Registration {
        url: "https://portal.example".into(),
        device_id: "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41".into(),
        device_name: "Bürgerbus 1".into(),
        portal_key: vec![7; 32],
        enrolled_at: 5,
    };
    vault.set_registration(&registration).unwrap();
    let destination = StoredDestination {
        id: "ordnungsamt".into(),
        name: "Ordnungsamt".into(),
        key_id: "kid".into(),
        public_key: vec![1, 2, 3],
        fetched_at: 9,
    };
    vault.set_destinations(std::slice::from_ref(&destination)).unwrap();
    drop(vault);
    let vault = Vault::open(dir.path()).unwrap();
    assert_eq!(vault.registration().unwrap(), Some(registration));
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.destinations().unwrap(), [destination]);
    outbox.set_destinations(&[]).unwrap();
    assert!(vault.destinations().unwrap().is_empty());
}

#[test]
fn the_outbox_needs_an_existing_vault() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(Outbox::open(dir.path()), Err(VaultError::NotInitialized)));
}

//! Attacks on the channel: each is refused with a clear reason and the last good set stays installed.

use crate::support::*;
use formdesk_channel::sign::{signed, to_bytes};
use formdesk_channel::{Channel, ChannelError, FormStore, Rejection, SigningKey};
use std::collections::HashMap;
use std::num::NonZeroU64;
use tough::schema::{Hashes, Root, Signed, Snapshot, Targets, Timestamp};

/// A world with the shipped set installed on a desk and the fee change published (not yet fetched).
fn installed() -> (World, FormStore) {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let desk = world.desk("desk");
    world.check(&desk, Channel::All).expect("the honest set installs");
    world.publish(&with_new_fee(), Channel::All);
    (world, desk)
}

/// Checks that the desk refuses with `kind`, says so in German, and still has what it had.
fn refused(world: &World, desk: &FormStore, kind: Rejection) -> ChannelError {
    refused_as(world, desk, &[kind])
}

/// As [`refused`], for an attack whose kind depends on where it hit.
fn refused_as(world: &World, desk: &FormStore, kinds: &[Rejection]) -> ChannelError {
    let before = desk.current().expect("current");
    let error = world.check(desk, Channel::All).expect_err("the attack must be refused");
    assert!(
        matches!(error, ChannelError::Rejected(k, _) if kinds.contains(&k)),
        "expected {kinds:?}, got {error:?}: {}",
        error.detail()
    );
    let said = error.to_string();
    assert!(said.contains("abgelehnt") && said.contains("bisherigen Formulare bleiben"), "{said}");
    assert_eq!(desk.current().expect("current after"), before, "the last good set stays");
    assert_eq!(
        before.as_ref().and_then(|s| s.manifest.form("hundeanmeldung")).map(|f| f.version.as_str()),
        Some("1.0.0")
    );
    error
}

fn read<T: serde::de::DeserializeOwned>(world: &World, name: &str) -> T {
    serde_json::from_slice(&std::fs::read(metadata(world, name)).expect("read")).expect("parse")
}

fn write<T: serde::Serialize>(world: &World, name: &str, role: &Signed<T>) {
    std::fs::write(metadata(world, name), to_bytes(role).expect("bytes")).expect("write");
}

fn next(v: NonZeroU64) -> NonZeroU64 {
    v.checked_add(1).expect("version")
}

/// Signs a new snapshot naming `forms_version` and a timestamp over it with the portal's online key, as an
/// attacker who took the portal would.
fn resign_online(world: &World, forms_version: NonZeroU64) {
    let online = world.repo.online_key().expect("online key");
    let mut snapshot: Signed<Snapshot> = read(world, "snapshot.json");
    snapshot.signed.version = next(snapshot.signed.version);
    snapshot.signed.meta.get_mut("forms.json").expect("forms meta").version = forms_version;
    let snapshot = signed(snapshot.signed, &[&online]).expect("sign snapshot");
    let bytes = to_bytes(&snapshot).expect("bytes");
    std::fs::write(metadata(world, &format!("{}.snapshot.json", snapshot.signed.version)), &bytes).expect("write");
    let mut timestamp: Signed<Timestamp> = read(world, "timestamp.json");
    timestamp.signed.version = next(timestamp.signed.version);
    let meta = timestamp.signed.meta.get_mut("snapshot.json").expect("snapshot meta");
    meta.version = snapshot.signed.version;
    meta.length = Some(bytes.len() as u64);
    meta.hashes = Some(Hashes {
        sha256: ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref().to_vec().into(),
        _extra: HashMap::new(),
    });
    write(world, "timestamp.json", &signed(timestamp.signed, &[&online]).expect("sign timestamp"));
}

#[test]
fn a_flipped_byte_in_a_form_file_is_refused() {
    let (world, desk) = installed();
    let manifest = world.repo.manifest(Channel::All).expect("manifest").expect("published");
    let form = manifest.form("hundeanmeldung").expect("form");
    flip(&world.repo.targets_dir().join(format!("{}.{}", form.file.sha256, form.file.target)));
    refused(&world, &desk, Rejection::Tampered);
}

#[test]
fn a_flipped_byte_in_the_manifest_is_refused() {
    let (world, desk) = installed();
    let dir = world.repo.targets_dir();
    let manifest = std::fs::read_dir(&dir)
        .expect("targets")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".set.all.json"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).expect("mtime"))
        .expect("manifest file");
    flip(&manifest);
    refused(&world, &desk, Rejection::Tampered);
}

#[test]
fn changed_content_in_each_metadata_role_is_refused() {
    for (role, kind) in [
        ("timestamp", Rejection::Signature),
        ("snapshot", Rejection::Tampered),
        ("targets", Rejection::Signature),
        ("forms", Rejection::Signature),
    ] {
        let (world, desk) = installed();
        if role == "timestamp" {
            extend_expiry(&metadata(&world, "timestamp.json"));
        } else if role == "targets" {
            // The top-level targets did not change with the publication: the attack is a newer version with
            // the old signatures, named in a snapshot signed with the portal's online key.
            let name = format!("{}.targets.json", latest(&world, "targets"));
            let mut targets: Signed<Targets> = read(&world, &name);
            targets.signed.version = next(targets.signed.version);
            let version = targets.signed.version;
            write(&world, &format!("{version}.targets.json"), &targets);
            let online = world.repo.online_key().expect("online");
            let mut snapshot: Signed<Snapshot> = read(&world, "snapshot.json");
            snapshot.signed.meta.get_mut("targets.json").expect("meta").version = version;
            write(&world, "snapshot.json", &signed(snapshot.signed, &[&online]).expect("sign"));
            let forms_version = read::<Signed<Snapshot>>(&world, "snapshot.json").signed.meta["forms.json"].version;
            resign_online(&world, forms_version);
        } else {
            extend_expiry(&metadata(&world, &format!("{}.{role}.json", latest(&world, role))));
        }
        let error = refused(&world, &desk, kind);
        eprintln!("{role}: {}", error.detail());
    }
}

#[test]
fn a_flipped_byte_in_each_metadata_file_is_refused() {
    for role in ["timestamp", "snapshot", "targets", "forms"] {
        let (world, desk) = installed();
        let name = if role == "timestamp" {
            "timestamp.json".to_owned()
        } else {
            format!("{}.{role}.json", latest(&world, role))
        };
        if role == "targets" {
            // Fetched only when the snapshot names a new version; the honest new version is flipped.
            world.repo.rotate(&world.keys, formdesk_channel::repo::KeyRole::Forms, now()).expect("rotate");
            let name = format!("{}.targets.json", latest(&world, "targets"));
            flip(&metadata(&world, &name));
        } else {
            flip(&metadata(&world, &name));
        }
        // Where the byte lands decides whether the JSON still reads; either way nothing is installed.
        refused_as(&world, &desk, &[Rejection::Signature, Rejection::Malformed, Rejection::Tampered, Rejection::Root]);
    }
}

#[test]
fn a_flipped_byte_in_a_new_root_is_refused() {
    let (world, desk) = installed();
    world.repo.rotate(&world.keys, formdesk_channel::repo::KeyRole::Online, now()).expect("rotate");
    extend_expiry(&metadata(&world, "2.root.json"));
    refused(&world, &desk, Rejection::Root);
}

#[test]
fn a_replayed_older_timestamp_and_snapshot_are_refused() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let old_timestamp = std::fs::read(metadata(&world, "timestamp.json")).expect("old timestamp");
    world.publish(&with_new_fee(), Channel::All);
    let desk = world.desk("desk");
    world.check(&desk, Channel::All).expect("the newest installs");
    let newest = desk.current().expect("current");
    // The portal (or someone between) serves yesterday's timestamp, which names yesterday's snapshot.
    std::fs::write(metadata(&world, "timestamp.json"), &old_timestamp).expect("replay");
    let error = world.check(&desk, Channel::All).expect_err("a replay must be refused");
    assert!(matches!(error, ChannelError::Rejected(Rejection::Rollback, _)), "{error:?}");
    assert_eq!(desk.current().expect("current"), newest);
}

#[test]
fn a_replayed_snapshot_under_a_new_timestamp_is_refused() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let old_forms = latest(&world, "forms");
    world.publish(&with_new_fee(), Channel::All);
    let desk = world.desk("desk");
    world.check(&desk, Channel::All).expect("the newest installs");
    // Even with the online key, a snapshot that goes back to the old form set is a rollback.
    resign_online(&world, NonZeroU64::new(old_forms).expect("version"));
    let before = desk.current().expect("current");
    let error = world.check(&desk, Channel::All).expect_err("a rollback must be refused");
    assert!(matches!(error, ChannelError::Rejected(Rejection::Rollback, _)), "{error:?}: {}", error.detail());
    assert_eq!(desk.current().expect("current"), before);
}

#[test]
fn a_mixed_snapshot_is_refused() {
    let (world, desk) = installed();
    // The newest snapshot's file holds an older snapshot: the timestamp's hash does not match it.
    let newest = latest(&world, "snapshot");
    let older = std::fs::read(metadata(&world, &format!("{}.snapshot.json", newest - 1))).expect("older");
    std::fs::write(metadata(&world, &format!("{newest}.snapshot.json")), older).expect("mix");
    refused(&world, &desk, Rejection::Tampered);
}

#[test]
fn an_expired_timestamp_is_refused() {
    let (world, desk) = installed();
    let online = world.repo.online_key().expect("online");
    let mut timestamp: Signed<Timestamp> = read(&world, "timestamp.json");
    timestamp.signed.version = next(timestamp.signed.version);
    timestamp.signed.expires = jiff::Timestamp::from_second(now().timestamp() - 3600).expect("time");
    write(&world, "timestamp.json", &signed(timestamp.signed, &[&online]).expect("sign"));
    refused(&world, &desk, Rejection::Expired);
}

#[test]
fn forms_signed_by_a_key_that_is_not_delegated_are_refused_even_with_the_online_key() {
    let (world, desk) = installed();
    // Someone who took the portal (and so its online key) signs a form set with a key of their own.
    let intruder = SigningKey::generate().expect("key");
    let version = latest(&world, "forms");
    let forms: Signed<Targets> = read(&world, &format!("{version}.forms.json"));
    let mut forged = forms.signed;
    forged.version = next(forged.version);
    let forged = signed(forged, &[&intruder]).expect("sign");
    write(&world, &format!("{}.forms.json", forged.signed.version), &forged);
    resign_online(&world, forged.signed.version);
    refused(&world, &desk, Rejection::Signature);
}

#[test]
fn a_root_rotation_signed_only_by_the_new_key_is_refused() {
    let (world, desk) = installed();
    let new_root_key = SigningKey::generate().expect("key");
    let mut root: Signed<Root> = read(&world, "root.json");
    let mut new = root.signed.clone();
    new.version = next(new.version);
    let id = new_root_key.key_id().expect("id");
    new.keys.insert(id.clone(), new_root_key.tuf_key());
    new.roles.get_mut(&tough::schema::RoleType::Root).expect("root role").keyids = vec![id];
    root = signed(new, &[&new_root_key]).expect("sign");
    write(&world, "2.root.json", &root);
    refused(&world, &desk, Rejection::Root);
}

#[test]
fn a_correct_rotation_of_every_key_is_followed() {
    use formdesk_channel::repo::KeyRole;
    let (world, desk) = installed();
    for role in [KeyRole::Root, KeyRole::Targets, KeyRole::Forms, KeyRole::Online] {
        let version = world.repo.rotate(&world.keys, role, now()).expect("rotate");
        world.check(&desk, Channel::All).unwrap_or_else(|e| panic!("after rotating {role:?}: {e:?} {}", e.detail()));
        let pinned: Signed<Root> = serde_json::from_slice(&desk.trusted_root().expect("root")).expect("parse");
        assert_eq!(pinned.signed.version.get(), version, "the desk pinned the rotated root");
    }
    // After all that, publishing still reaches the desk.
    world.publish(&shipped(), Channel::All);
    let set = world.check(&desk, Channel::All).expect("publish after rotations");
    assert_eq!(set.set().manifest.form("hundeanmeldung").map(|f| f.version.as_str()), Some("1.0.0"));
    // The retired keys are kept apart and no longer sign.
    assert!(
        std::fs::read_dir(&world.keys)
            .expect("keys")
            .any(|e| { e.expect("entry").file_name().to_string_lossy().starts_with("root.key.retired-") })
    );
}

#[test]
fn a_desk_without_a_pinned_root_refuses_to_check() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let store = FormStore::open(&world.tmp.path().join("unpinned")).expect("store");
    let error = world.check(&store, Channel::All).expect_err("no root");
    assert!(matches!(error, ChannelError::NoRoot), "{error:?}");
}

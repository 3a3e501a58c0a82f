//! Publishing and installing: a desk gets a channel's set, only what changed moves, pilot before all.

use crate::support::*;
use formdesk_channel::{Channel, Checked, FormState};

#[test]
fn a_desk_installs_the_published_set_and_then_only_what_changed() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let desk = world.desk("desk");
    let first = world.check(&desk, Channel::All).expect("first check");
    let Checked::Installed { set, files } = &first else { panic!("nothing installed: {first:?}") };
    assert_eq!(*files, set.manifest.files().count());
    assert_eq!(set.manifest.forms.len(), shipped().forms.len());
    assert_eq!(desk.current().expect("current"), Some(set.clone()));

    let again = world.check(&desk, Channel::All).expect("second check");
    assert!(matches!(again, Checked::Unchanged(_)), "{again:?}");

    world.publish(&with_new_fee(), Channel::All);
    let update = world.check(&desk, Channel::All).expect("update");
    let Checked::Installed { set, files } = update else { panic!("no update") };
    assert_eq!(files, 1, "only the changed form moves");
    assert_eq!(set.manifest.form("hundeanmeldung").map(|f| f.version.as_str()), Some("1.1.0"));
}

#[test]
fn pilot_desks_get_a_set_first_and_promote_gives_it_to_all() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    world.publish(&with_new_fee(), Channel::Pilot);
    let pilot = world.desk("pilot");
    let other = world.desk("other");
    let version = |c: &Checked| c.set().manifest.form("hundeanmeldung").map(|f| f.version.clone());
    assert_eq!(version(&world.check(&pilot, Channel::Pilot).expect("pilot")), Some("1.1.0".into()));
    assert_eq!(version(&world.check(&other, Channel::All).expect("other")), Some("1.0.0".into()));
    world.repo.promote(&world.offline().forms, now()).expect("promote");
    assert_eq!(version(&world.check(&other, Channel::All).expect("other after")), Some("1.1.0".into()));
}

#[test]
fn a_pilot_desk_reads_all_while_the_pilot_channel_is_empty() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let pilot = world.desk("pilot");
    let got = world.check(&pilot, Channel::Pilot).expect("pilot");
    assert_eq!(got.set().manifest.channel, "all");
}

#[test]
fn withdrawing_marks_the_form_closing_or_withdrawn_in_every_channel() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    world.publish(&shipped(), Channel::Pilot);
    let changed = world.repo.withdraw(&world.offline().forms, "hundeabmeldung", false, now()).expect("withdraw");
    assert_eq!(changed, vec![Channel::Pilot, Channel::All]);
    let desk = world.desk("desk");
    let set = world.check(&desk, Channel::All).expect("check");
    assert_eq!(set.set().manifest.form("hundeabmeldung").map(|f| f.state), Some(FormState::Closing));
    world.repo.withdraw(&world.offline().forms, "hundeabmeldung", true, now()).expect("withdraw now");
    let set = world.check(&desk, Channel::All).expect("check");
    assert_eq!(set.set().manifest.form("hundeabmeldung").map(|f| f.state), Some(FormState::Withdrawn));
    let unknown = world.repo.withdraw(&world.offline().forms, "gibtsnicht", true, now()).expect_err("unknown form");
    assert!(unknown.to_string().contains("gibtsnicht"), "{unknown}");
}

#[test]
fn the_timestamp_is_renewed_once_half_its_life_is_gone() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let online = world.repo.online_key().expect("online key");
    assert!(!world.repo.refresh(&online, now()).expect("refresh"), "a fresh timestamp stays");
    let later = now() + chrono::Duration::hours(13);
    assert!(world.repo.refresh(&online, later).expect("refresh later"), "renewed after half a day");
    let desk = world.desk("desk");
    world.check(&desk, Channel::All).expect("a desk reads the renewed timestamp");
}

#[test]
fn a_text_withdrawn_at_once_is_named_by_every_later_publication() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let old = world
        .repo
        .manifest(Channel::All)
        .expect("m")
        .expect("published")
        .form("hundeanmeldung")
        .expect("f")
        .file
        .sha256
        .clone();
    world.repo.withdraw(&world.offline().forms, "hundeanmeldung", true, now()).expect("withdraw");
    world.publish(&with_new_fee(), Channel::Pilot);
    world.repo.promote(&world.offline().forms, now()).expect("promote");
    for channel in [Channel::Pilot, Channel::All] {
        let manifest = world.repo.manifest(channel).expect("m").expect("published");
        assert_eq!(manifest.form("hundeanmeldung").map(|f| f.state), Some(FormState::Open));
        assert_eq!(manifest.withdrawn, vec![old.clone()], "{channel}");
    }
    // A closing form is no withdrawal.
    world.repo.withdraw(&world.offline().forms, "hundeabmeldung", false, now()).expect("closing");
    assert_eq!(world.repo.manifest(Channel::All).expect("m").expect("published").withdrawn, vec![old]);
}

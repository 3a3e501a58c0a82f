//! A whole delivery on both backends: announce, upload in pieces (with repeats, overlaps and a portal
//! restart in the middle), submit, the signed acceptance, the authority's export and the deletion after
//! pick-up. On PostgreSQL also two portal instances racing on one database.

use crate::on_both_backends;
use crate::support::{
    Backend, Desk, Env, SECRETS, authority, contains, database_bytes, http, pg, sealed_submission, send, text, uuid,
};
use formdesk_protocol::acceptance::Acceptance;
use formdesk_protocol::{decode_base64url, sha256_hex};

on_both_backends!(delivery);

fn delivery(env: Env) {
    let private = env.add_destination("ordnungsamt", authority());
    let mut portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let key = authority().public();
    let sealed = sealed_submission(&key, "ordnungsamt", 2);
    let (a, b) = (sealed.attachment_ids[0].as_str(), sealed.attachment_ids[1].as_str());
    let client = http();
    let info = send(&client, client.get(portal.url("/v1/portal"))).ok(200);

    let destinations = desk.signed("GET", "/v1/destinations", b"").ok(200);
    assert_eq!(destinations[0]["id"], "ordnungsamt");
    assert_eq!(destinations[0]["keyId"], key.key_id().as_str());
    let spki = decode_base64url(destinations[0]["publicKey"].as_str().expect("key")).expect("base64url");
    assert_eq!(spki, key.to_spki_der());

    let announced = desk.announce(&sealed.id, "ordnungsamt", &[a, b]).ok(201);
    assert_eq!(announced["state"], "announced");
    assert_eq!(
        announced["attachments"][0],
        serde_json::json!({ "id": a, "received": 0, "total": null, "complete": false })
    );

    // Attachment a in three pieces, the second sent twice (its answer was lost), the third overlapping it.
    let part_a = sealed.attachments[0].as_bytes();
    let third = part_a.len() / 3;
    desk.upload(&sealed.id, a, part_a, 0, third).ok(200);
    desk.upload(&sealed.id, a, part_a, third, third).ok(200);
    let again = desk.upload(&sealed.id, a, part_a, third, third).ok(200);
    assert_eq!(again["received"], 2 * third);
    let done = desk.upload(&sealed.id, a, part_a, 2 * third - 17, part_a.len() - 2 * third + 17).ok(200);
    assert_eq!(done, serde_json::json!({ "id": a, "received": part_a.len(), "total": part_a.len(), "complete": true }));

    // Attachment b: half of it, then the portal restarts, then the rest.
    let part_b = sealed.attachments[1].as_bytes();
    let half = part_b.len() / 2;
    desk.upload(&sealed.id, b, part_b, 0, half).ok(200);
    portal.restart(&[]);
    let status = desk.status(&sealed.id).ok(200);
    assert_eq!(status["attachments"][1]["received"], half);
    assert_eq!(send(&client, client.get(portal.url("/v1/portal"))).ok(200), info, "the same key after a restart");
    desk.upload(&sealed.id, b, part_b, half, part_b.len() - half).ok(200);

    let submitted = desk.submit(&sealed.id, &sealed).ok(200);
    let signed = submitted["acceptance"].as_str().expect("acceptance").to_owned();
    let repeat = desk.submit(&sealed.id, &sealed);
    assert_eq!(repeat.body, serde_json::to_vec(&submitted).expect("json"), "a repeat answers byte for byte the same");

    // The acceptance verifies with the portal's published key and hashes exactly what was sent.
    let portal_key = decode_base64url(info["portalKey"].as_str().expect("key")).expect("base64url");
    let acceptance = Acceptance::verify(&signed, &portal_key).expect("a valid acceptance");
    assert_eq!(acceptance.submission_id, sealed.id);
    assert_eq!(acceptance.destination_id, "ordnungsamt");
    assert_eq!(acceptance.device_id, desk.device_id);
    assert!((acceptance.accepted_at - crate::support::now()).abs() < 600);
    let names: Vec<&str> = acceptance.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["metadata", "data", &format!("attachment:{a}"), &format!("attachment:{b}")]);
    for (name, sent) in [
        ("metadata".to_owned(), &sealed.metadata),
        ("data".to_owned(), &sealed.data),
        (format!("attachment:{a}"), &sealed.attachments[0]),
        (format!("attachment:{b}"), &sealed.attachments[1]),
    ] {
        let part = acceptance.part(&name).expect("part");
        assert_eq!((part.sha256.as_str(), part.size), (sha256_hex(sent.as_bytes()).as_str(), sent.len() as u64));
    }
    let status = desk.status(&sealed.id).ok(200);
    assert_eq!(status["state"], "submitted");
    assert_eq!(status["acceptance"], signed.as_str());

    // The portal's database holds ciphertext only.
    if env.backend == Backend::Sqlite {
        let bytes = database_bytes(&env.dir.path().join("data"));
        assert!(contains(&bytes, &sealed.metadata.as_bytes()[..60]), "the scan reads the database");
        for secret in SECRETS {
            assert!(!contains(&bytes, secret.as_bytes()), "{secret} is in the database");
        }
    }

    // The authority exports: every part decrypted byte for byte, and the submission marked picked up.
    let out = env.dir.path().join("eingang");
    let exported = env.cli_ok(&[
        "inbox",
        "export",
        "--destination",
        "ordnungsamt",
        "--key",
        private.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(exported.contains(&format!("exported {}", sealed.id)), "{exported}");
    assert!(exported.lines().last().is_some_and(|l| l.starts_with("1 submission(s) exported")), "{exported}");
    let folder = out.join(&sealed.id);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("submission.json")).expect("submission.json")).expect("json");
    let metadata: serde_json::Value = serde_json::from_slice(&sealed.metadata_plain).expect("json");
    let data: serde_json::Value = serde_json::from_slice(&sealed.data_plain).expect("json");
    assert_eq!(written, serde_json::json!({ "metadata": metadata, "data": data }));
    for (i, id) in sealed.attachment_ids.iter().enumerate() {
        let file = folder.join("attachments").join(format!("{id}-_Impfpass {i}.pdf"));
        assert_eq!(std::fs::read(&file).expect("attachment file"), sealed.files[i].1, "{}", file.display());
    }
    assert_eq!(desk.status(&sealed.id).ok(200)["state"], "picked_up");
    let second = env.cli_ok(&[
        "inbox",
        "export",
        "--destination",
        "ordnungsamt",
        "--key",
        private.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(second.starts_with("0 submission(s) exported"), "{second}");

    // Kept for a week by default: still there after a restart. With no grace time, gone at the next start.
    portal.restart(&[]);
    assert!(ciphertext_left(&env, &sealed.metadata), "kept within the grace time");
    portal.restart(&["--keep-after-pickup", "0"]);
    assert_eq!(desk.status(&sealed.id).ok(200)["state"], "picked_up", "the id and the acceptance stay");
    assert_eq!(desk.submit(&sealed.id, &sealed).ok(200), submitted);
    portal.stop();
    assert!(!ciphertext_left(&env, &sealed.metadata), "the ciphertext is deleted");
}

/// Whether the database still holds the submission's ciphertext.
fn ciphertext_left(env: &Env, metadata: &str) -> bool {
    match &env.database {
        None => contains(&database_bytes(&env.dir.path().join("data")), &metadata.as_bytes()[100..160]),
        Some(url) => {
            let left = pg::cluster().query(
                url,
                "SELECT (SELECT count(*) FROM submissions WHERE metadata IS NOT NULL OR data IS NOT NULL)
                      + (SELECT count(*) FROM attachment_chunks)",
            );
            left != "0"
        }
    }
}

#[test]
fn two_instances_on_one_postgres_database_agree() {
    let env = Env::new(Backend::Postgres);
    env.add_destination("ordnungsamt", authority());
    let first = env.serve(&[]);
    let second = env.serve(&[]);
    let client = http();
    let key_of = |portal: &crate::support::Portal| send(&client, client.get(portal.url("/v1/portal"))).ok(200);
    assert_eq!(key_of(&first), key_of(&second), "both sign with the one key in the database");

    let desk = Desk::enrolled(&env, &first, "Bürgerbus 1");
    let desks = [desk.via(&first), desk.via(&second)];
    let sealed = sealed_submission(&authority().public(), "ordnungsamt", 1);
    let a = sealed.attachment_ids[0].as_str();
    let part = sealed.attachments[0].as_bytes();

    // Ten rounds of the same announcement sent to both instances at once: exactly one creates it.
    for _ in 0..10 {
        let id = uuid();
        let mut statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> =
                desks.iter().map(|d| s.spawn(|| d.announce(&id, "ordnungsamt", &[a]).status)).collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201]);
    }

    // The whole delivery through both at once: one acceptance, whoever answers.
    desk.announce(&sealed.id, "ordnungsamt", &[a]).ok(201);
    let acceptances: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = desks
            .iter()
            .map(|d| {
                s.spawn(|| {
                    let half = part.len() / 2;
                    for (offset, len) in [(0, half), (half, part.len() - half)] {
                        let answer = d.upload(&sealed.id, a, part, offset, len);
                        assert_eq!(answer.status, 200, "{}", text(&answer.body));
                    }
                    d.submit(&sealed.id, &sealed).ok(200)["acceptance"].as_str().expect("acceptance").to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert_eq!(acceptances[0], acceptances[1]);
    let url = env.database.as_deref().expect("postgres");
    assert_eq!(pg::cluster().query(url, "SELECT count(*) FROM submissions WHERE state = 'submitted'"), "1");
}

#[test]
fn export_keeps_a_submission_whose_hashes_do_not_match() {
    let env = Env::new(Backend::Sqlite);
    let private = env.add_destination("ordnungsamt", authority());
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let key = authority().public();
    let good = sealed_submission(&key, "ordnungsamt", 1);
    let mut bad = sealed_submission(&key, "ordnungsamt", 1);
    let mut metadata: formdesk_protocol::content::Metadata = serde_json::from_slice(&bad.metadata_plain).expect("json");
    metadata.attachments[0].sha256 = sha256_hex(b"something else");
    bad.metadata = crate::support::seal(&key, &serde_json::to_vec(&metadata).expect("json"));
    for sealed in [&good, &bad] {
        let ids: Vec<&str> = sealed.attachment_ids.iter().map(String::as_str).collect();
        desk.announce(&sealed.id, "ordnungsamt", &ids).ok(201);
        let part = sealed.attachments[0].as_bytes();
        desk.upload(&sealed.id, ids[0], part, 0, part.len()).ok(200);
        desk.submit(&sealed.id, sealed).ok(200);
    }

    let out = env.dir.path().join("eingang");
    let args = [
        "inbox",
        "export",
        "--destination",
        "ordnungsamt",
        "--key",
        private.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    let export = env.cli(&args);
    let (stdout, stderr) = (text(&export.stdout), text(&export.stderr));
    assert_eq!(export.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("exported {}", good.id)), "{stdout}");
    let expected = format!("submission {}: attachment {}: its SHA-256 is", bad.id, bad.attachment_ids[0]);
    assert!(stderr.contains(&expected), "{expected:?} not in {stderr}");
    assert!(!out.join(&bad.id).exists() && out.join(&good.id).exists());
    assert_eq!(desk.status(&good.id).ok(200)["state"], "picked_up");
    assert_eq!(desk.status(&bad.id).ok(200)["state"], "submitted", "not marked");
    // It stays in the inbox for the next export.
    let again = env.cli(&args);
    assert!(text(&again.stderr).contains(&bad.id), "{}", text(&again.stderr));
}

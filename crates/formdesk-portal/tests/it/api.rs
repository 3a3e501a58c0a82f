//! The portal's API against a real server process, on both backends: enrolment, signed requests, and every
//! refusal the protocol names.

use crate::on_both_backends;
use crate::support::{Desk, Env, authority, http, other_authority, seal, sealed_submission, send, text, uuid};

on_both_backends!(enrolment, authentication, revoked_while_the_body_arrives, refusals, ownership, limits);

fn enrolment(env: Env) {
    let portal = env.serve(&[]);
    let client = http();
    let health = send(&client, client.get(portal.url("/healthz")));
    assert_eq!((health.status, text(&health.body).as_str()), (200, "ok"));
    let info = send(&client, client.get(portal.url("/v1/portal"))).ok(200);
    assert_eq!(info["protocolVersion"], 1);

    let (device, code) = env.enrol_code("Bürgerbus 1");
    let pending = env.cli_ok(&["devices", "list"]);
    assert!(pending.contains(&device) && pending.contains("pending") && pending.contains("Bürgerbus 1"), "{pending}");

    let mut desk = Desk::new(&portal);
    // Typed the way a person would: lower case, spaces instead of hyphens.
    let first = desk.enrol(&code.to_lowercase().replace('-', " ")).ok(200);
    assert_eq!(first["deviceId"], device.as_str());
    assert_eq!(first["name"], "Bürgerbus 1");
    assert_eq!(first["portalKey"], info["portalKey"]);
    // The desk whose answer was lost asks again and gets the same answer.
    assert_eq!(desk.enrol(&code).ok(200), first);
    // Another key with the used code is refused.
    Desk::new(&portal).enrol(&code).error(409, "enrolment_code_used", "already used with another key");
    // A well-formed code nobody handed out, and one that is no code at all.
    Desk::new(&portal).enrol("0000-0000-0000-0000").error(401, "enrolment_code_unknown", "not known");
    Desk::new(&portal).enrol("ABCD").error(400, "bad_request", "16 characters");
    // A code whose time ran out, and the code of a desk revoked before it enrolled.
    let (expired, expired_code) = env.enrol_code("Bürgerbus 2");
    env.execute(&format!("UPDATE devices SET code_expires_at = 1000 WHERE id = '{expired}'"));
    Desk::new(&portal).enrol(&expired_code).error(401, "enrolment_code_expired", "expired at 1970-01-01");
    let (revoked, revoked_code) = env.enrol_code("Bürgerbus 3");
    env.cli_ok(&["devices", "revoke", &revoked]);
    Desk::new(&portal).enrol(&revoked_code).error(401, "device_revoked", "was revoked");
    let bad_key = serde_json::json!({ "code": code, "publicKey": "AAAA" }).to_string();
    send(&client, client.post(portal.url("/v1/enrolment")).body(bad_key)).error(400, "bad_request", "publicKey");

    let listed = env.cli_ok(&["devices", "list"]);
    assert!(listed.contains("enrolled  since"), "{listed}");
    // The enrolled desk can now list the destinations.
    assert_eq!(desk.signed("GET", "/v1/destinations", b"").ok(200), serde_json::json!([]));
}

fn authentication(env: Env) {
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let client = http();

    let unsigned = send(&client, client.get(portal.url("/v1/destinations")));
    unsigned.error(401, "unauthorized", "no Authorization header");
    let garbled = client.get(portal.url("/v1/destinations")).header("Authorization", "Bearer x");
    send(&client, garbled).error(401, "unauthorized", "expected");

    // A device the portal never registered.
    let stranger = Desk::new(&portal);
    stranger.signed("GET", "/v1/destinations", b"").error(401, "unauthorized", "is not known");
    // A registered device that has not enrolled yet, signing with some key.
    let (pending, _) = env.enrol_code("Bürgerbus 2");
    let mut impostor = Desk::new(&portal);
    impostor.device_id = pending;
    impostor.signed("GET", "/v1/destinations", b"").error(401, "unauthorized", "has not enrolled");
    // The right id with the wrong key.
    let mut forger = Desk::new(&portal);
    forger.device_id = desk.device_id.clone();
    forger.signed("GET", "/v1/destinations", b"").error(401, "unauthorized", "does not verify");
    // A request signed for another path.
    let header = formdesk_protocol::auth::authorize(
        &ring::signature::Ed25519KeyPair::from_pkcs8(&desk.pkcs8).expect("key"),
        &desk.device_id,
        "GET",
        "/v1/destinations?x=1",
        crate::support::now(),
        b"",
    );
    let moved = client.get(portal.url("/v1/destinations")).header("Authorization", header);
    send(&client, moved).error(401, "unauthorized", "does not verify");
    // Too far from the portal's clock.
    desk.signed_at("GET", "/v1/destinations", b"", crate::support::now() - 3600).error(401, "clock_skew", "apart");
    // The extreme times are refused as well, not wrapped around (nor a panic in the handler).
    for time in [i64::MIN, i64::MIN + 1, i64::MAX] {
        desk.signed_at("GET", "/v1/destinations", b"", time).error(401, "clock_skew", &time.to_string());
    }

    desk.signed("GET", "/v1/destinations", b"").ok(200);
    // Revoked from the command line while the server runs.
    let revoked = env.cli_ok(&["devices", "revoke", &desk.device_id]);
    assert!(revoked.contains("revoked since"), "{revoked}");
    desk.signed("GET", "/v1/destinations", b"").error(401, "device_revoked", "was revoked");
    let listed = env.cli_ok(&["devices", "list"]);
    assert!(listed.contains("revoked   since"), "{listed}");
    let unknown = env.cli(&["devices", "revoke", &uuid()]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("is not known"), "{}", text(&unknown.stderr));
}

fn refusals(env: Env) {
    env.add_destination("ordnungsamt", authority());
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let key = authority().public();
    let sealed = sealed_submission(&key, "ordnungsamt", 2);
    let (a, b) = (sealed.attachment_ids[0].as_str(), sealed.attachment_ids[1].as_str());

    desk.announce(&uuid(), "bauamt", &[]).error(422, "unknown_destination", "bauamt");
    desk.announce("Not-A-Uuid", "ordnungsamt", &[]).error(400, "bad_request", "submission id \"Not-A-Uuid\"");
    desk.announce(&uuid(), "ordnungsamt", &["x"]).error(400, "bad_request", "attachment id \"x\"");
    desk.announce(&uuid(), "ordnungsamt", &[a, a]).error(400, "bad_request", "twice");
    desk.announce(&uuid(), "Ordnungsamt", &[]).error(400, "bad_request", "destination id");
    let path = format!("/v1/submissions/{}", uuid());
    desk.signed("PUT", &path, b"{\"destinationId\": ").error(400, "bad_request", "not a valid announcement");
    desk.signed("PUT", &path, b"{\"destination\": \"x\", \"attachments\": []}").error(
        400,
        "bad_request",
        "unknown field `destination`",
    );

    desk.announce(&sealed.id, "ordnungsamt", &[a, b]).ok(201);
    desk.announce(&sealed.id, "ordnungsamt", &[a, b]).ok(200);
    desk.announce(&sealed.id, "ordnungsamt", &[b, a]).error(409, "conflict", "was announced with attachments");
    env.add_destination("bauamt", other_authority());
    desk.announce(&sealed.id, "bauamt", &[a, b]).error(409, "conflict", "for destination ordnungsamt");

    // Uploads: an attachment that was not announced, a gap, a changed total, a piece past the total.
    let part = sealed.attachments[0].as_bytes();
    desk.upload(&sealed.id, &uuid(), part, 0, 10).error(404, "not_found", "was not announced");
    desk.upload(&sealed.id, a, part, 0, 10).ok(200);
    let gap = desk.upload(&sealed.id, a, part, 20, 10).error(409, "conflict", "resume at 10");
    assert_eq!(
        gap["attachment"],
        serde_json::json!({ "id": a, "received": 10, "total": part.len(), "complete": false })
    );
    let changed = formdesk_protocol::wire::attachment_path(&sealed.id, a, 10, part.len() as u64 + 1);
    desk.signed("PUT", &changed, &part[10..20]).error(409, "conflict", "total was given as");
    let past = formdesk_protocol::wire::attachment_path(&sealed.id, a, 10, part.len() as u64);
    desk.signed("PUT", &past, part).error(400, "bad_request", "go beyond the total");
    let query = format!("/v1/submissions/{}/attachments/{a}?offset=10", sealed.id);
    desk.signed("PUT", &query, b"x").error(400, "bad_request", "offset and total");
    let query = format!("/v1/submissions/{}/attachments/{a}?offset=ten&total=10", sealed.id);
    desk.signed("PUT", &query, b"x").error(400, "bad_request", "offset=\"ten\"");
    // A repeated piece that differs from what is stored.
    let mut altered = part[..10].to_vec();
    altered[3] ^= 1;
    let repeat = formdesk_protocol::wire::attachment_path(&sealed.id, a, 0, part.len() as u64);
    desk.signed("PUT", &repeat, &altered).error(409, "conflict", "bytes 0..10 differ");

    // Submitting before the attachments are complete names the missing one.
    desk.submit(&sealed.id, &sealed).error(409, "incomplete", &format!("attachment {a} is incomplete: 10 of"));
    desk.upload(&sealed.id, a, part, 10, part.len() - 10).ok(200);
    desk.submit(&sealed.id, &sealed).error(409, "incomplete", &format!("attachment {b} is incomplete: 0 of an"));

    // A part that is not a JWE, and one sealed for another key, are discarded when complete.
    let not_jwe = b"just some bytes that are no JWE";
    let discarded = desk.upload(&sealed.id, b, not_jwe, 0, not_jwe.len());
    discarded.error(422, "invalid_part", "not a JWE");
    let wrong_key = seal(&other_authority().public(), b"for the Bauamt");
    desk.upload(&sealed.id, b, wrong_key.as_bytes(), 0, wrong_key.len()).error(422, "invalid_part", "sealed for key");
    let status = desk.status(&sealed.id).ok(200);
    assert_eq!(
        status["attachments"][1],
        serde_json::json!({ "id": b, "received": 0, "total": null, "complete": false })
    );
    let right = sealed.attachments[1].as_bytes();
    desk.upload(&sealed.id, b, right, 0, right.len()).ok(200);

    // Metadata and data must be JWEs for the destination too.
    let mut bad = sealed.clone();
    bad.metadata = "a.b.c".into();
    desk.submit(&sealed.id, &bad).error(422, "invalid_part", "metadata is not a JWE");
    bad = sealed.clone();
    bad.data = wrong_key.clone();
    desk.submit(&sealed.id, &bad).error(422, "invalid_part", "data is sealed for key");
    let submit = format!("/v1/submissions/{}/submit", sealed.id);
    desk.signed("POST", &submit, b"[]").error(400, "bad_request", "not a valid submit request");

    desk.submit(&sealed.id, &sealed).ok(200);
    bad = sealed.clone();
    bad.data = seal(&key, b"other data");
    desk.submit(&sealed.id, &bad).error(409, "conflict", "other metadata or data");
    // After the submit, an identical announcement still answers with the status; uploads are repeats.
    let status = desk.announce(&sealed.id, "ordnungsamt", &[a, b]).ok(200);
    assert_eq!(status["state"], "submitted");
    desk.upload(&sealed.id, a, part, 0, 100).ok(200);
    desk.signed("PUT", &repeat, &altered).error(409, "conflict", "differ");

    // Paths and methods the API does not have still answer with an ErrorBody.
    let client = http();
    send(&client, client.get(portal.url("/v2/nothing"))).error(404, "not_found", "/v2/nothing");
    send(&client, client.delete(portal.url("/v1/portal"))).error(405, "bad_request", "DELETE");
    desk.status(&uuid()).error(404, "not_found", "is not known");
    desk.status("nope").error(400, "bad_request", "submission id");
}

fn ownership(env: Env) {
    env.add_destination("ordnungsamt", authority());
    let portal = env.serve(&[]);
    let owner = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let other = Desk::enrolled(&env, &portal, "Bürgerbus 2");
    let sealed = sealed_submission(&authority().public(), "ordnungsamt", 1);
    let a = sealed.attachment_ids[0].as_str();
    owner.announce(&sealed.id, "ordnungsamt", &[a]).ok(201);

    // The other desk learns nothing about the submission, and cannot touch it.
    let taken = other.announce(&sealed.id, "ordnungsamt", &[a]).error(409, "conflict", "is taken");
    assert_eq!(taken["message"], format!("submission id {} is taken", sealed.id));
    other.status(&sealed.id).error(404, "not_found", "is not known");
    let part = sealed.attachments[0].as_bytes();
    other.upload(&sealed.id, a, part, 0, part.len()).error(404, "not_found", "is not known");
    owner.upload(&sealed.id, a, part, 0, part.len()).ok(200);
    other.submit(&sealed.id, &sealed).error(404, "not_found", "is not known");
    owner.submit(&sealed.id, &sealed).ok(200);
    other.status(&sealed.id).error(404, "not_found", "is not known");
}

fn limits(env: Env) {
    env.add_destination("ordnungsamt", authority());
    let portal = env.serve(&["--max-piece-bytes", "4096", "--max-part-bytes", "6000", "--max-request-bytes", "5000"]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let id = uuid();
    let a = uuid();
    desk.announce(&id, "ordnungsamt", &[&a]).ok(201);
    let big = vec![b'x'; 5000];
    let path = formdesk_protocol::wire::attachment_path(&id, &a, 0, 5000);
    desk.signed("PUT", &path, &big).error(413, "payload_too_large", "larger than 4096 bytes");
    let path = formdesk_protocol::wire::attachment_path(&id, &a, 0, 7000);
    desk.signed("PUT", &path, &big[..100]).error(413, "payload_too_large", "more than the 6000 bytes");
    let huge = format!("{{\"code\": \"{}\", \"publicKey\": \"\"}}", "A".repeat(5000));
    let client = http();
    send(&client, client.post(portal.url("/v1/enrolment")).body(huge)).error(413, "payload_too_large", "4096");
    // A submit has its own limit; an announcement and an enrolment have theirs, whatever the options say.
    let submit = format!("/v1/submissions/{id}/submit");
    desk.signed("POST", &submit, &[b' '; 5001]).error(413, "payload_too_large", "larger than 5000 bytes");
    // An announcement's limit is checked from Content-Length, before the body (which is not even sent here).
    let mut stream = std::net::TcpStream::connect(portal.base.trim_start_matches("http://")).expect("connects");
    let header = formdesk_protocol::auth::authorize(
        &ring::signature::Ed25519KeyPair::from_pkcs8(&desk.pkcs8).expect("key"),
        &desk.device_id,
        "PUT",
        &format!("/v1/submissions/{id}"),
        crate::support::now(),
        b"",
    );
    let head = format!(
        "PUT /v1/submissions/{id} HTTP/1.1\r\nhost: portal\r\nauthorization: {header}\r\ncontent-length: 65537\r\n\r\n"
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("sent");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"payload_too_large\"") && answer.contains("larger than 65536 bytes"),
        "{answer}"
    );
    let many: Vec<String> = (0..1001).map(|_| uuid()).collect();
    let too_many: Vec<&str> = many.iter().map(String::as_str).collect();
    desk.announce(&uuid(), "ordnungsamt", &too_many).error(400, "bad_request", "at most 1000");
    // A GET has no body.
    desk.signed("GET", "/v1/destinations", b"x").error(413, "payload_too_large", "larger than 0 bytes");
    // Within the limits all is well.
    let path = formdesk_protocol::wire::attachment_path(&id, &a, 0, 5000);
    desk.signed("PUT", &path, &big[..4000]).ok(200);
}

/// A device revoked after its request was let in, while the body still arrives, is refused when the body is
/// in: the portal checks the device before the body and again after it. `Expect: 100-continue` shows the
/// moment the portal starts reading the body (it answers "100 Continue" then, past the first check).
fn revoked_while_the_body_arrives(env: Env) {
    use std::io::{BufRead as _, Read as _, Write as _};
    env.add_destination("ordnungsamt", authority());
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let id = uuid();
    let body =
        serde_json::to_vec(&serde_json::json!({ "destinationId": "ordnungsamt", "attachments": [] })).expect("json");
    let path = formdesk_protocol::wire::submission_path(&id);
    let header = formdesk_protocol::auth::authorize(
        &ring::signature::Ed25519KeyPair::from_pkcs8(&desk.pkcs8).expect("key"),
        &desk.device_id,
        "PUT",
        &path,
        crate::support::now(),
        &body,
    );
    let mut stream = std::net::TcpStream::connect(portal.base.trim_start_matches("http://")).expect("connects");
    let head = format!(
        "PUT {path} HTTP/1.1\r\nhost: portal\r\nauthorization: {header}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("sent");
    let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("an interim answer");
    assert!(line.starts_with("HTTP/1.1 100"), "the portal did not start reading the body: {line}");
    reader.read_line(&mut line).expect("the empty line after it");

    env.cli_ok(&["devices", "revoke", &desk.device_id]);
    stream.write_all(&body).expect("the body");
    let mut answer = String::new();
    reader.read_to_string(&mut answer).expect("the answer");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("\"code\":\"device_revoked\""), "{answer}");
}

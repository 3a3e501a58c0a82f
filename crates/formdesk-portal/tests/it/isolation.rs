//! Isolation of tenants (docs/tenants.md, section 2), on SQLite and PostgreSQL: tenant A's desks against
//! tenant B's objects. The attack tests 1 to 7 of the design, and the walk over every API route of the
//! portal's route table (`src/routes.rs`, included here as the server builds its router from it): for each
//! route, ids of B's objects (known, purged, guessed) get the status and body that never-used ids get; for
//! each route of the form channel, B's files asked for under A's repository (and the portal's single one) get
//! what never-used file names get.

#[path = "../../src/routes.rs"]
pub mod routes;

use crate::support::{
    ARS, Answer, Desk, Env, Portal, Sealed, authority, http, other_authority, sealed_submission, send, text, uuid,
};
use routes::{Endpoint, IdKind, Kind, ROUTES, RouteSpec};

/// Tenant B.
const B: &str = "057660020020";

/// A submission of B's, for the walk: its id and its (first) attachment's id.
#[derive(Debug, Clone)]
struct Target {
    what: &'static str,
    id: String,
    attachment: String,
}

/// Tenants A and B, each with an enrolled and a revoked desk and destination `steueramt` (B also
/// `kaemmerei`, which A lacks); B with a submitted, a half-uploaded and a purged submission.
struct World {
    env: Env,
    portal: Portal,
    a: Desk,
    a_revoked: Desk,
    b: Desk,
    b_pending_code: String,
    b_live: Sealed,
    b_half: Sealed,
    b_purged: Sealed,
}

fn enrol(env: &Env, portal: &Portal, ars: &str, name: &str) -> Desk {
    let out = env.cli_of(ars, &["devices", "enrol", "--name", name]);
    let code = out.lines().find_map(|l| l.strip_prefix("code ")).expect("a code").trim().to_owned();
    let mut desk = Desk::new(portal);
    desk.enrol(&code).ok(200);
    desk
}

fn add_destination(env: &Env, ars: &str, id: &str, key: &formdesk_seal::DecryptionKey) -> String {
    let public = env.dir.path().join(format!("{ars}-{id}.pub.pem"));
    let private = env.dir.path().join(format!("{ars}-{id}.pem"));
    std::fs::write(&public, key.public().to_pem()).expect("write");
    std::fs::write(&private, key.to_pkcs8_pem().expect("pem").as_bytes()).expect("write");
    env.cli_of(
        ars,
        &["destinations", "add", "--id", id, "--name", "Steueramt", "--key", public.to_str().expect("utf-8")],
    );
    private.display().to_string()
}

/// Announces, uploads (the first `upload` bytes of each attachment) and, if `submit`, submits.
fn deliver(desk: &Desk, sealed: &Sealed, upload: Option<usize>, submit: bool) {
    let ids: Vec<&str> = sealed.attachment_ids.iter().map(String::as_str).collect();
    desk.announce(&sealed.id, "steueramt", &ids).ok(201);
    for (id, part) in sealed.attachment_ids.iter().zip(&sealed.attachments) {
        let len = upload.unwrap_or(part.len()).min(part.len());
        desk.upload(&sealed.id, id, part.as_bytes(), 0, len).ok(200);
    }
    if submit {
        desk.submit(&sealed.id, sealed).ok(200);
    }
}

fn world(env: Env) -> World {
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    add_destination(&env, ARS, "steueramt", authority());
    let b_key = add_destination(&env, B, "steueramt", other_authority());
    add_destination(&env, B, "kaemmerei", other_authority());
    let mut portal = env.serve(&[]);
    let a = enrol(&env, &portal, ARS, "Bürgerbus A");
    let a_revoked = enrol(&env, &portal, ARS, "Bürgerbus A alt");
    env.cli_of(ARS, &["devices", "revoke", &a_revoked.device_id]);
    let b = enrol(&env, &portal, B, "Bürgerbus B");
    let b_revoked = enrol(&env, &portal, B, "Bürgerbus B alt");
    env.cli_of(B, &["devices", "revoke", &b_revoked.device_id]);
    let out = env.cli_of(B, &["devices", "enrol", "--name", "Bürgerbus B neu"]);
    let b_pending_code = out.lines().find_map(|l| l.strip_prefix("code ")).expect("a code").trim().to_owned();

    let b_purged = sealed_submission(&other_authority().public(), "steueramt", 1);
    deliver(&b, &b_purged, None, true);
    let exported = env.dir.path().join("eingang-b");
    let out = env.cli_of(
        B,
        &["inbox", "export", "--destination", "steueramt", "--key", &b_key, "--out", exported.to_str().expect("utf-8")],
    );
    assert!(out.contains("1 submission(s) exported"), "{out}");
    // The purge runs when the portal starts.
    portal.restart(&["--keep-after-pickup", "0"]);
    let purged =
        env.query(&format!("SELECT count(*) FROM submissions WHERE id = '{}' AND purged_at IS NOT NULL", b_purged.id));
    assert_eq!(purged, "1");
    let b_live = sealed_submission(&other_authority().public(), "steueramt", 1);
    deliver(&b, &b_live, None, true);
    let b_half = sealed_submission(&other_authority().public(), "steueramt", 1);
    deliver(&b, &b_half, Some(100), false);
    World { env, portal, a, a_revoked, b, b_pending_code, b_live, b_half, b_purged }
}

/// The answer with each of `ids` replaced by a placeholder, for comparing answers about different ids.
fn normalized(answer: &Answer, ids: &[&str]) -> (u16, String) {
    let mut body = text(&answer.body);
    for (n, id) in ids.iter().enumerate() {
        body = body.replace(id, &format!("{{id{n}}}"));
    }
    (answer.status, body)
}

/// B's ids, keys and names that no answer to A may contain.
fn b_markers(w: &World) -> Vec<String> {
    let mut markers = vec![
        w.b.device_id.clone(),
        other_authority().public().key_id(),
        "kaemmerei".to_owned(),
        "Gemeinde Anders".to_owned(),
        B.to_owned(),
    ];
    for s in [&w.b_live, &w.b_half, &w.b_purged] {
        markers.push(s.id.clone());
        markers.extend(s.attachment_ids.iter().cloned());
    }
    markers
}

#[track_caller]
fn assert_tells_nothing_of_b(w: &World, answer: &Answer, allowed: &[&str], what: &str) {
    let body = text(&answer.body);
    for marker in b_markers(w) {
        if !allowed.contains(&marker.as_str()) {
            assert!(!body.contains(&marker), "{what}: the answer names B's {marker}: {body}");
        }
    }
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A request of A's desk on `spec` with the path filled with `ids`, with a body the route takes.
fn request(w: &World, spec: &RouteSpec, ids: &[&str]) -> Answer {
    let path = routes::fill(spec.path, ids);
    let method = spec.method.as_str();
    match spec.endpoint {
        Endpoint::Enrol => {
            let client = http();
            let body = serde_json::json!({ "code": "0000-0000-0000-0000", "publicKey": w.a.public_key() });
            send(&client, client.post(w.portal.url(&path)).body(body.to_string()))
        }
        Endpoint::Announce => {
            let body = serde_json::json!({ "destinationId": "steueramt", "attachments": [] });
            w.a.signed(method, &path, body.to_string().as_bytes())
        }
        Endpoint::Upload => w.a.signed(method, &format!("{path}?offset=0&total=10"), b"0123456789"),
        Endpoint::Submit => {
            let sealed = sealed_submission(&authority().public(), "steueramt", 0);
            let body = serde_json::json!({ "metadata": sealed.metadata, "data": sealed.data });
            w.a.signed(method, &path, body.to_string().as_bytes())
        }
        Endpoint::ReportForms => {
            let body = serde_json::json!({
                "channel": "all", "setVersion": 1, "manifestSha256": "ab".repeat(32),
                "published": "2026-12-06T10:00:00Z",
            });
            w.a.signed(method, &path, body.to_string().as_bytes())
        }
        Endpoint::AuditUpload => w.a.signed(method, &path, br#"{"entries":[]}"#),
        Endpoint::Health
        | Endpoint::Portal
        | Endpoint::Destinations
        | Endpoint::Submission
        | Endpoint::ChannelMetadata
        | Endpoint::ChannelTarget
        | Endpoint::TenantChannelMetadata
        | Endpoint::TenantChannelTarget
        | Endpoint::AppManifest
        | Endpoint::AppBundle => w.a.signed(method, &path, b""),
        // Not walked here (see `Kind::Console` below).
        Endpoint::Console(_) => w.a.signed(method, &path, b""),
    }
}

/// Test 16 of the design for the API: every route of the table, as A's desk, with the ids of each of B's
/// objects and with never-used ids.
fn every_route_answers_for_b_as_for_nothing(env: Env) {
    let w = world(env);
    let b_before: Vec<serde_json::Value> =
        [&w.b_live, &w.b_half, &w.b_purged].iter().map(|s| w.b.status(&s.id).ok(200)).collect();
    let targets = [
        Target { what: "submitted", id: w.b_live.id.clone(), attachment: w.b_live.attachment_ids[0].clone() },
        Target { what: "half-uploaded", id: w.b_half.id.clone(), attachment: w.b_half.attachment_ids[0].clone() },
        Target { what: "purged", id: w.b_purged.id.clone(), attachment: w.b_purged.attachment_ids[0].clone() },
        Target { what: "guessed", id: uuid(), attachment: uuid() },
    ];
    // An announcement makes the id A's own, so the routes that take a new id go last.
    let mut walk: Vec<&RouteSpec> = ROUTES.iter().collect();
    walk.sort_by_key(|r| r.ids.contains(&IdKind::NewSubmission));
    let mut walked = 0;
    for spec in walk {
        let name = format!("{} {}", spec.method.as_str(), spec.path);
        match spec.kind {
            // Public and signed in itself; walked by `every_channel_route_answers_for_b_as_for_nothing`.
            Kind::Channel => continue,
            // People's pages with a session cookie: walked with tenant B's ids in `console.rs`.
            Kind::Console => continue,
            // The same for every tenant: walked like the API, so an answer with B's ids tells nothing of B.
            Kind::Api | Kind::AppUpdate => {}
        }
        walked += 1;
        if spec.ids.is_empty() {
            let answer = request(&w, spec, &[]);
            assert!(answer.status < 500, "{name}: {}", text(&answer.body));
            assert_tells_nothing_of_b(&w, &answer, &[], &name);
            continue;
        }
        for target in &targets {
            let fill = |id: &str, attachment: &str| -> Vec<String> {
                spec.ids
                    .iter()
                    .map(|kind| match kind {
                        IdKind::Submission | IdKind::NewSubmission => id.to_owned(),
                        IdKind::Attachment => attachment.to_owned(),
                        IdKind::ChannelFile => "root.json".to_owned(),
                        IdKind::ChannelTenant => format!("t{ARS}"),
                        IdKind::AppChannel => "pilot".to_owned(),
                        IdKind::AppBundle => id.to_owned(),
                        IdKind::Device | IdKind::SetupToken | IdKind::StaticFile | IdKind::Form => String::new(),
                    })
                    .collect()
            };
            let b_ids = fill(&target.id, &target.attachment);
            let (never, never_attachment) = (uuid(), uuid());
            let never_ids = fill(&never, &never_attachment);
            let for_b = request(&w, spec, &as_strs(&b_ids));
            let for_nothing = request(&w, spec, &as_strs(&never_ids));
            assert_eq!(
                normalized(&for_b, &[&target.id, &target.attachment]),
                normalized(&for_nothing, &[&never, &never_attachment]),
                "{name} with B's {} ids",
                target.what
            );
            assert_tells_nothing_of_b(&w, &for_b, &[&target.id, &target.attachment], &name);
        }
    }
    assert_eq!(walked, ROUTES.iter().filter(|r| matches!(r.kind, Kind::Api | Kind::AppUpdate)).count());
    // B's submissions are as they were.
    let b_after: Vec<serde_json::Value> =
        [&w.b_live, &w.b_half, &w.b_purged].iter().map(|s| w.b.status(&s.id).ok(200)).collect();
    assert_eq!(b_before, b_after);
}

/// The names of the files in a folder of a tenant's repository.
fn served_names(env: &Env, ars: &str, folder: &str) -> Vec<String> {
    let dir = env.dir.path().join("data").join("channel").join(format!("t{ars}")).join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the tenant's repository")
        .filter_map(|e| e.ok()?.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A and B each with a repository of its own and a set published with its own editor's key; A (tenant 1)
/// also has the portal's single repository.
fn channel_world(env: &Env) -> Portal {
    let data = env.dir.path().join("data").display().to_string();
    let keys = env.dir.path().join("operator-keys").display().to_string();
    let forms = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms").display().to_string();
    let run = |args: &[&str]| {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    };
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    run(&["keys", "init", "--keys", &keys, "--data-dir", &data]);
    env.cli_ok(&["forms", "publish", &forms, "--keys", &keys]);
    for ars in [ARS, B] {
        let editor = env.dir.path().join(format!("editor-{ars}")).display().to_string();
        run(&["keys", "init", "--tenant", ars, "--keys", &editor]);
        let public = format!("{editor}/t{ars}.pub");
        env.cli_of(ars, &["forms", "channel-init", "--keys", &keys, "--editor-key", &public]);
        env.cli_ok(&["forms", "publish", &forms, "--tenant", ars, "--keys", &editor, "--channel", "pilot"]);
    }
    env.serve(&[])
}

/// Test 16 of the design for the form channel: every channel route of the table, asked by anyone for B's
/// files under A's repository (and under the portal's single one), answers as for a file that never was; the
/// files are there under B's own.
fn every_channel_route_answers_for_b_as_for_nothing(env: Env) {
    let portal = channel_world(&env);
    let client = http();
    let get = |path: &str| send(&client, client.get(portal.url(path)));
    let mut walked = 0;
    for spec in ROUTES.iter().filter(|r| r.kind == Kind::Channel) {
        walked += 1;
        let name = format!("{} {}", spec.method.as_str(), spec.path);
        let folder = if spec.path.contains("/metadata/") { "metadata" } else { "targets" };
        // B's own files: its role's metadata and every target (snapshot and timestamp A has too).
        let b_files: Vec<String> =
            served_names(&env, B, folder).into_iter().filter(|f| f.contains(&format!("t{B}"))).collect();
        assert!(!b_files.is_empty(), "{name}: B has files in {folder}");
        let never = format!("{}.t{B}.set.all.json", "0".repeat(64));
        let fill = |repository: &str, file: &str| -> String {
            let ids: Vec<&str> = spec
                .ids
                .iter()
                .map(|kind| match kind {
                    IdKind::ChannelTenant => repository,
                    _ => file,
                })
                .collect();
            routes::fill(spec.path, &ids)
        };
        let for_nothing = get(&fill(&format!("t{ARS}"), &never));
        assert_eq!(for_nothing.status, 404, "{name}: {}", text(&for_nothing.body));
        for file in &b_files {
            let for_b = get(&fill(&format!("t{ARS}"), file));
            assert_eq!(normalized(&for_b, &[file]), normalized(&for_nothing, &[&never]), "{name}: B's {file}");
            if spec.ids.contains(&IdKind::ChannelTenant) {
                // Under B's own repository it is served: the names asked for are real.
                let own = get(&fill(&format!("t{B}"), file));
                assert_eq!(own.status, 200, "{name}: B's {file} under B");
                // And under a repository no tenant has, as under A's.
                let guessed = get(&fill("t000000000001", file));
                assert_eq!(normalized(&guessed, &[file]), normalized(&for_nothing, &[&never]), "{name}: guessed");
            }
        }
        // A file both repositories have (the root) is A's under A's name, never B's.
        if folder == "metadata" && spec.ids.contains(&IdKind::ChannelTenant) {
            let a_root = get(&fill(&format!("t{ARS}"), "root.json")).ok(200);
            let b_root = get(&fill(&format!("t{B}"), "root.json")).ok(200);
            assert_ne!(a_root, b_root, "{name}: A's root is not B's");
        }
    }
    assert_eq!(walked, 4, "the single repository's two routes and the tenants' two");
}

/// Attack tests 1 to 7 of docs/tenants.md, section 2.
fn attacks(env: Env) {
    let w = world(env);
    let fresh = uuid();
    let same_as_fresh = |answer: &Answer, id: &str, fresh_answer: &Answer| {
        assert_eq!(normalized(answer, &[id]), normalized(fresh_answer, &[&fresh]));
    };
    // 1: B's submission is not found, as a fresh id.
    let answer = w.a.status(&w.b_live.id);
    answer.error(404, "not_found", &format!("submission {} is not known", w.b_live.id));
    same_as_fresh(&answer, &w.b_live.id, &w.a.status(&fresh));
    // 3: an upload to B's submission and attachment.
    let att = &w.b_half.attachment_ids[0];
    let part = w.b_half.attachments[0].as_bytes();
    let answer = w.a.upload(&w.b_half.id, att, part, 100, 50);
    answer.error(404, "not_found", "is not known");
    let fresh_answer = w.a.upload(&fresh, att, part, 100, 50);
    same_as_fresh(&answer, &w.b_half.id, &fresh_answer);
    // 4: a submit of B's submission.
    let sealed = sealed_submission(&authority().public(), "steueramt", 0);
    let answer = w.a.submit(&w.b_half.id, &sealed);
    answer.error(404, "not_found", "is not known");
    same_as_fresh(&answer, &w.b_half.id, &w.a.submit(&fresh, &sealed));
    // A destination only B has is unknown to A, as one nobody has.
    let answer = w.a.announce(&uuid(), "kaemmerei", &[]);
    answer.error(422, "unknown_destination", "destination kaemmerei is not known");
    // 2: announcing B's id makes a new submission of A's; B's is unchanged.
    let b_status = w.b.status(&w.b_live.id).ok(200);
    let created = w.a.announce(&w.b_live.id, "steueramt", &[]).ok(201);
    assert_eq!(created["state"], "announced");
    assert_eq!(created["attachments"], serde_json::json!([]));
    assert_eq!(w.b.status(&w.b_live.id).ok(200), b_status);
    assert_eq!(b_status["state"], "submitted");
    assert_eq!(w.env.query(&format!("SELECT count(*) FROM submissions WHERE id = '{}'", w.b_live.id)), "2");
    // A's submission of that id goes to A's steueramt, sealed for A's key, and is A's to export.
    let mut own = sealed_submission(&authority().public(), "steueramt", 0);
    own.id = w.b_live.id.clone();
    w.a.submit(&own.id, &own).ok(200);
    // 5: A's destinations only.
    let destinations = w.a.signed("GET", "/v1/destinations", b"").ok(200);
    assert_eq!(destinations.as_array().map(Vec::len), Some(1), "{destinations}");
    assert_eq!(destinations[0]["id"], "steueramt");
    assert_eq!(destinations[0]["keyId"], authority().public().key_id());
    // 7: the report's answer is A's channel, whatever B's desks read.
    w.env.cli_of(B, &["devices", "channel", &w.b.device_id, "pilot"]);
    let report = serde_json::json!({
        "channel": "all", "setVersion": 1, "manifestSha256": "ab".repeat(32), "published": "2026-12-06T10:00:00Z",
    });
    let answer = w.a.signed("POST", "/v1/forms/report", report.to_string().as_bytes()).ok(200);
    assert_eq!(answer, serde_json::json!({ "channel": "all" }));
    // A's administrators do not reach B's desks either.
    let out = w.env.cli(&["devices", "channel", &w.b.device_id, "pilot", "--tenant", ARS]);
    assert!(!out.status.success() && text(&out.stderr).contains("is known to this portal"), "{}", text(&out.stderr));
    let out = w.env.cli(&["devices", "revoke", &w.b.device_id, "--tenant", ARS]);
    assert!(text(&out.stderr).contains(&format!("device {} is not known to this portal", w.b.device_id)));
    assert_eq!(w.b.signed("GET", "/v1/destinations", b"").status, 200);
    // 6: A's revoked desk is refused, as before tenants; so is every desk of a suspended tenant, and its codes.
    w.a_revoked.signed("GET", "/v1/destinations", b"").error(401, "device_revoked", "was revoked at");
    w.env.cli_ok(&["tenants", "suspend", "--ars", B]);
    w.b.signed("GET", "/v1/destinations", b"").error(401, "device_revoked", "its municipality was suspended");
    let mut newcomer = Desk::new(&w.portal);
    newcomer.enrol(&w.b_pending_code).error(401, "device_revoked", "was revoked at");
    // A goes on.
    w.a.signed("GET", "/v1/destinations", b"").ok(200);
}

crate::on_both_backends!(
    every_route_answers_for_b_as_for_nothing,
    attacks,
    every_channel_route_answers_for_b_as_for_nothing
);

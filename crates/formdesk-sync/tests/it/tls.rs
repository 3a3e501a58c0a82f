//! The portal's own HTTPS (`serve --tls-cert --tls-key`), with a certificate from a test authority made here:
//! a desk that trusts the authority enrols and delivers; one that does not, or that speaks plain HTTP to the
//! HTTPS port, gets a clear failure and sends nothing; a portal with an unusable certificate or key does not
//! start and says which file is wrong.

use crate::support::{PortalEnv, SplitMix, check_export, device_key, seal_submission};
use formdesk_protocol::decode_base64url;
use formdesk_seal::RecipientKey;
use formdesk_sync::{
    EngineOptions, EnrolFailure, Entry, MemoryOutbox, Portal, PortalOptions, SyncEngine, SyncError, check_acceptance,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use ring::signature::KeyPair as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A certificate authority and a server certificate it issued for `localhost` and 127.0.0.1.
struct TestPki {
    /// The authority's certificate, PEM.
    ca_pem: String,
    /// The server's certificate chain and key, as files.
    cert: PathBuf,
    key: PathBuf,
}

fn pki(env: &PortalEnv) -> TestPki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Zertifizierungsstelle Musterstadt (Test)");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    server.distinguished_name.push(DnType::CommonName, "portal.musterstadt.test");
    let server_key = KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();

    let cert = env.path("portal.pem");
    let key = env.path("portal.key");
    std::fs::write(&cert, server_cert.pem()).unwrap();
    std::fs::write(&key, server_key.serialize_pem()).unwrap();
    TestPki { ca_pem: ca_cert.pem(), cert, key }
}

fn tls_args(pki: &TestPki) -> Vec<String> {
    vec!["--tls-cert".into(), pki.cert.display().to_string(), "--tls-key".into(), pki.key.display().to_string()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_that_trusts_the_portals_authority_enrols_and_delivers_over_https() {
    let env = PortalEnv::new();
    let private_key = env.add_destination("ordnungsamt");
    let pki = pki(&env);
    let args = tls_args(&pki);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let process = env.serve_with("127.0.0.1:0", &args).unwrap();
    assert_eq!(process.scheme, "https");
    let port = process.addr.rsplit(':').next().unwrap().to_owned();
    // By name, as a real desk would address it; the certificate names localhost.
    let url = format!("https://localhost:{port}");
    let options = PortalOptions { extra_roots_pem: pki.ca_pem.clone().into_bytes(), ..PortalOptions::default() };

    let (device_id, code) = env.enrol_code("Bürgerbus 1");
    let key = Arc::new(device_key());
    let registration = Portal::enrol(&url, &code, key.public_key().as_ref(), &options).await.unwrap();
    assert_eq!(registration.device_id, device_id);
    let portal_key = decode_base64url(&registration.portal_key).unwrap();
    let portal = Arc::new(Portal::new(&url, &device_id, &portal_key, options).unwrap());
    portal.unlock(Arc::clone(&key));

    let destinations = portal.destinations().await.unwrap();
    let recipient = RecipientKey::from_spki_der(&decode_base64url(&destinations[0].public_key).unwrap()).unwrap();
    let sealed = seal_submission(&mut SplitMix(7), "ordnungsamt", &recipient, 0, 2, 50_000);
    let entry = Entry { submission_id: sealed.id.clone(), destination_id: "ordnungsamt".into(), attempts: 0 };
    let delivered = portal.deliver(&entry, &sealed.parts).await.unwrap();
    check_acceptance(&delivered.acceptance, &portal_key, &device_id, &entry, &sealed.parts).unwrap();

    // The sync engine over HTTPS, with a 50 KB attachment each, as the plain run in `delivery` does.
    let n = std::env::var("FORMDESK_SYNC_TLS_N").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let mut random = SplitMix(8);
    let batch: Vec<_> =
        (1..=n).map(|i| seal_submission(&mut random, "ordnungsamt", &recipient, i, 1, 50_000)).collect();
    let outbox = MemoryOutbox::new();
    for s in &batch {
        outbox.queue(&s.id, "ordnungsamt", s.parts.clone(), 0).unwrap();
    }
    let started = Instant::now();
    let engine = SyncEngine::start(outbox.clone(), Arc::clone(&portal), EngineOptions::default()).unwrap();
    while outbox.delivered_count().unwrap() < n && started.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    engine.shutdown().await;
    assert_eq!(outbox.delivered_count().unwrap(), n, "{:?}", outbox.records().unwrap().first());
    eprintln!(
        "https run: {n} submissions with a 50 KB attachment each delivered in {:.2} s: {:.0} submissions/s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );

    let out = env.path("eingang");
    let stdout = env.export("ordnungsamt", &private_key, &out);
    let mut all = vec![sealed];
    all.extend(batch);
    check_export(&out, &stdout, &all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_or_plain_http_to_the_https_port_sends_nothing() {
    let env = PortalEnv::new();
    let pki = pki(&env);
    let args = tls_args(&pki);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let process = env.serve_with("127.0.0.1:0", &args).unwrap();
    let (_, code) = env.enrol_code("Bürgerbus 2");
    let key = device_key();

    // The system's authorities only: the test authority is not among them.
    let err =
        Portal::enrol(&process.url(), &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap_err();
    let SyncError::Enrolment { failure: EnrolFailure::Certificate, detail, .. } = &err else { panic!("{err:?}") };
    assert!(detail.contains("UnknownIssuer"), "the log says why: {detail}");
    assert!(err.to_string().starts_with("Das Zertifikat des Portals https://127.0.0.1:"), "{err}");

    // The certificate does not name the address used.
    let other = PortalOptions { extra_roots_pem: pki.ca_pem.clone().into_bytes(), ..PortalOptions::default() };
    let port = process.addr.rsplit(':').next().unwrap();
    let err = Portal::enrol(&format!("https://[::1]:{port}"), &code, key.public_key().as_ref(), &other).await;
    assert!(err.is_err(), "::1 is not in the certificate (nor listened on)");

    // Plain HTTP to the HTTPS port: the portal answers nothing a client can take for the protocol.
    let err =
        Portal::enrol(&format!("http://{}", process.addr), &code, key.public_key().as_ref(), &other).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Enrolment { failure: EnrolFailure::NotAPortal | EnrolFailure::Unreachable, .. }),
        "{err:?}"
    );

    // None of it used the code: a desk that trusts the authority still enrols with it.
    Portal::enrol(&format!("https://localhost:{port}"), &code, key.public_key().as_ref(), &other).await.unwrap();

    // Garbage as the extra authorities is the desk's own configuration error, before anything is sent.
    let bad = PortalOptions { extra_roots_pem: b"kein Zertifikat".to_vec(), ..PortalOptions::default() };
    let err = Portal::enrol(&process.url(), &code, key.public_key().as_ref(), &bad).await.unwrap_err();
    assert!(matches!(err, SyncError::Client(_)), "{err:?}");
}

#[test]
fn a_portal_with_an_unusable_certificate_or_key_does_not_start_and_names_the_file() {
    let env = PortalEnv::new();
    let pki = pki(&env);
    let other_key = env.path("other.key");
    std::fs::write(&other_key, KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let not_pem = env.path("not.pem");
    std::fs::write(&not_pem, "dies ist kein Zertifikat\n").unwrap();
    let missing = env.path("missing.pem");
    let cert = pki.cert.display().to_string();
    let key = pki.key.display().to_string();
    let cases = [
        (missing.display().to_string(), key.clone(), format!("cannot read the certificate {}", missing.display())),
        (not_pem.display().to_string(), key.clone(), format!("{} holds no certificate", not_pem.display())),
        (cert.clone(), cert.clone(), format!("{} holds no PEM private key", pki.cert.display())),
        (cert.clone(), other_key.display().to_string(), format!("the key {} does not fit", other_key.display())),
    ];
    for (cert, key, expected) in cases {
        let log = env
            .serve_with("127.0.0.1:0", &["--tls-cert", &cert, "--tls-key", &key])
            .map(|p| format!("it started on {}", p.url()))
            .unwrap_err();
        assert!(log.contains(&expected), "expected {expected:?} in: {log}");
    }
    // One without the other is a usage error from the command line itself.
    let out = env.cli(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", &cert]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"), "{out:?}");
}

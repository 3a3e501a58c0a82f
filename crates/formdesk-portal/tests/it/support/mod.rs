//! What the portal tests share: a portal process on loopback over either backend, a desk that signs its
//! requests, the administrators' commands and sealed test content.

pub mod pg;

use formdesk_protocol::auth::authorize;
use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::{encode_base64url, sha256_hex};
use formdesk_seal::{DecryptionKey, RecipientKey};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The authority's key, made once per test binary: RSA-4096 takes a while.
pub fn authority() -> &'static DecryptionKey {
    static KEY: OnceLock<DecryptionKey> = OnceLock::new();
    KEY.get_or_init(|| DecryptionKey::generate(4096).expect("an RSA key"))
}

/// A second authority's key, for parts sealed for the wrong destination.
pub fn other_authority() -> &'static DecryptionKey {
    static KEY: OnceLock<DecryptionKey> = OnceLock::new();
    KEY.get_or_init(|| DecryptionKey::generate(3072).expect("an RSA key"))
}

pub fn seal(key: &RecipientKey, plaintext: &[u8]) -> String {
    formdesk_seal::seal(key, plaintext, &SystemRandom::new()).expect("sealed")
}

pub fn uuid() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut bytes).expect("random");
    formdesk_protocol::ids::uuid_from_random(bytes)
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A test's own portal data: a data folder and, for PostgreSQL, its own database.
#[derive(Debug)]
pub struct Env {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub database: Option<String>,
}

/// The tenant every [`Env::new`] has: the only one, so commands may leave out `--tenant`.
pub const ARS: &str = "059580000000";

impl Env {
    /// A portal serving one municipality, tenant [`ARS`].
    pub fn new(backend: Backend) -> Env {
        let env = Env::bare(backend);
        env.cli_ok(&["tenants", "add", "--ars", ARS, "--name", "Stadt Musterstadt"]);
        env
    }

    /// A portal without a tenant (and, for PostgreSQL, an empty database).
    pub fn bare(backend: Backend) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(pg::cluster().database()),
        };
        Env { backend, dir, database }
    }

    pub fn store_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.dir.path().join("data").display().to_string()];
        if let Some(url) = &self.database {
            args.extend(["--database".to_owned(), url.clone()]);
        }
        args
    }

    /// Runs an administrators' command on this portal's store.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
            .args(args)
            .args(self.store_args())
            .stdin(Stdio::null())
            .output()
            .expect("formdesk-portal runs")
    }

    /// Runs a command that does not use the store.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_formdesk-portal")).args(args).stdin(Stdio::null()).output().expect("runs")
    }

    /// Runs a command that must succeed and returns its standard output.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(out.status.success(), "{args:?}: {}\n{}", text(&out.stdout), text(&out.stderr));
        text(&out.stdout)
    }

    /// Registers a desk and returns its enrolment code.
    pub fn enrol_code(&self, name: &str) -> (String, String) {
        let out = self.cli_ok(&["devices", "enrol", "--name", name]);
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                .unwrap_or_else(|| panic!("no {name} in {out}"))
        };
        (field("device "), field("code "))
    }

    /// Writes the authority's keys and adds destination `id` with them.
    pub fn add_destination(&self, id: &str, key: &DecryptionKey) -> PathBuf {
        let public = self.dir.path().join(format!("{id}.pub.pem"));
        let private = self.dir.path().join(format!("{id}.pem"));
        std::fs::write(&public, key.public().to_pem()).expect("write");
        std::fs::write(&private, key.to_pkcs8_pem().expect("pem").as_bytes()).expect("write");
        self.cli_ok(&[
            "destinations",
            "add",
            "--id",
            id,
            "--name",
            "Ordnungsamt Musterstadt",
            "--key",
            public.to_str().expect("utf-8"),
        ]);
        private
    }

    /// Runs one SQL statement on this portal's database, behind the server's back (to put the store into a
    /// state that only time would bring about).
    pub fn execute(&self, sql: &str) {
        match &self.database {
            Some(url) => {
                pg::cluster().query(url, sql);
            }
            None => {
                let db = rusqlite::Connection::open(self.dir.path().join("data").join("portal.sqlite")).expect("open");
                db.execute_batch(sql).expect("the statement runs");
            }
        }
    }

    /// Runs one query on this portal's database and returns the first column of its first row as text
    /// (empty if there is none).
    pub fn query(&self, sql: &str) -> String {
        match &self.database {
            Some(url) => pg::cluster().query(url, sql),
            None => {
                let db = rusqlite::Connection::open(self.dir.path().join("data").join("portal.sqlite")).expect("open");
                let value: Option<rusqlite::types::Value> = db
                    .query_row(sql, [], |r| r.get(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .expect("the query runs");
                match value {
                    None | Some(rusqlite::types::Value::Null) => String::new(),
                    Some(rusqlite::types::Value::Integer(i)) => i.to_string(),
                    Some(rusqlite::types::Value::Text(t)) => t,
                    Some(other) => format!("{other:?}"),
                }
            }
        }
    }

    /// Runs an administrators' command of tenant `ars` (`--tenant ars`) that must succeed.
    pub fn cli_of(&self, ars: &str, args: &[&str]) -> String {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--tenant", ars]);
        self.cli_ok(&all)
    }

    pub fn serve(&self, extra: &[&str]) -> Portal {
        Portal::start(self, extra)
    }
}

/// A running `formdesk-portal serve`.
#[derive(Debug)]
pub struct Portal {
    child: Child,
    pub base: String,
    args: Vec<String>,
}

impl Portal {
    fn start(env: &Env, extra: &[&str]) -> Portal {
        let mut args: Vec<String> = vec!["serve".into(), "--listen".into(), "127.0.0.1:0".into()];
        args.extend(env.store_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Portal::spawn(args)
    }

    fn spawn(args: Vec<String>) -> Portal {
        let mut child = Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("formdesk-portal serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("a line from the portal");
        let base = line
            .trim()
            .strip_prefix("formdesk-portal: listening on ")
            .unwrap_or_else(|| panic!("not the listening line: {line:?}"))
            .to_owned();
        Portal { child, base, args }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server with SIGTERM and waits for it; it must exit cleanly.
    pub fn stop(&mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().expect("the portal exits");
        assert!(exit.success(), "the portal exited with {exit}");
    }

    /// Stops the server and starts it again on the same address with the same options, plus `extra`.
    pub fn restart(&mut self, extra: &[&str]) {
        self.stop();
        let mut args = self.args.clone();
        let address = self.base.trim_start_matches("http://").to_owned();
        if let Some(listen) = args.iter().position(|a| a == "--listen") {
            args[listen + 1] = address;
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        *self = Portal::spawn(args);
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&self.body)))
    }

    /// Asserts an error answer: the status, the code of its ErrorBody and a part of its message.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str, message: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", text(&self.body));
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        let said = body["message"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{message:?} not in {said:?}");
        body
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", text(&self.body));
        self.json()
    }
}

pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().no_proxy().build().expect("HTTP client")
}

pub fn send(client: &reqwest::blocking::Client, request: reqwest::blocking::RequestBuilder) -> Answer {
    let response = client.execute(request.build().expect("request")).expect("the portal answers");
    let status = response.status().as_u16();
    Answer { status, body: response.bytes().expect("body").to_vec() }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs() as i64
}

/// A desk: its device key and, once enrolled, its id.
#[derive(Debug)]
pub struct Desk {
    pub pkcs8: Vec<u8>,
    key: Ed25519KeyPair,
    pub device_id: String,
    base: String,
    client: reqwest::blocking::Client,
}

impl Desk {
    pub fn new(portal: &Portal) -> Desk {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("key").as_ref().to_vec();
        let key = Ed25519KeyPair::from_pkcs8(&pkcs8).expect("key");
        Desk { pkcs8, key, device_id: uuid(), base: portal.base.clone(), client: http() }
    }

    /// A device key that no portal knows yet (for a database written by hand), with a fresh id.
    pub fn unattached() -> Desk {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("key").as_ref().to_vec();
        let key = Ed25519KeyPair::from_pkcs8(&pkcs8).expect("key");
        Desk { pkcs8, key, device_id: uuid(), base: String::new(), client: http() }
    }

    /// The raw public key in hex, for SQL.
    pub fn public_key_hex(&self) -> String {
        self.key.public_key().as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The same device, talking to another portal instance.
    pub fn via(&self, portal: &Portal) -> Desk {
        let key = Ed25519KeyPair::from_pkcs8(&self.pkcs8).expect("key");
        Desk {
            pkcs8: self.pkcs8.clone(),
            key,
            device_id: self.device_id.clone(),
            base: portal.base.clone(),
            client: http(),
        }
    }

    pub fn public_key(&self) -> String {
        encode_base64url(self.key.public_key().as_ref())
    }

    pub fn enrol(&mut self, code: &str) -> Answer {
        let body = serde_json::json!({ "code": code, "publicKey": self.public_key() }).to_string();
        let answer = send(&self.client, self.client.post(format!("{}/v1/enrolment", self.base)).body(body));
        if answer.status == 200 {
            self.device_id = answer.json()["deviceId"].as_str().expect("deviceId").to_owned();
        }
        answer
    }

    /// Enrols with a fresh code from the administrators' command.
    pub fn enrolled(env: &Env, portal: &Portal, name: &str) -> Desk {
        let mut desk = Desk::new(portal);
        let (_, code) = env.enrol_code(name);
        desk.enrol(&code).ok(200);
        desk
    }

    pub fn signed_at(&self, method: &str, path: &str, body: &[u8], time: i64) -> Answer {
        let header = authorize(&self.key, &self.device_id, method, path, time, body);
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", header)
            .body(body.to_vec());
        send(&self.client, request)
    }

    pub fn signed(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        self.signed_at(method, path, body, now())
    }

    pub fn announce(&self, id: &str, destination: &str, attachments: &[&str]) -> Answer {
        let body = serde_json::json!({ "destinationId": destination, "attachments": attachments }).to_string();
        self.signed("PUT", &format!("/v1/submissions/{id}"), body.as_bytes())
    }

    pub fn upload(&self, id: &str, attachment: &str, part: &[u8], offset: usize, len: usize) -> Answer {
        let piece = &part[offset..offset + len];
        let path = formdesk_protocol::wire::attachment_path(id, attachment, offset as u64, part.len() as u64);
        self.signed("PUT", &path, piece)
    }

    pub fn submit(&self, id: &str, sealed: &Sealed) -> Answer {
        let body = serde_json::json!({ "metadata": sealed.metadata, "data": sealed.data }).to_string();
        self.signed("POST", &format!("/v1/submissions/{id}/submit"), body.as_bytes())
    }

    pub fn status(&self, id: &str) -> Answer {
        self.signed("GET", &format!("/v1/submissions/{id}"), b"")
    }
}

/// A submission sealed for an authority, with the plaintext it was made from.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub id: String,
    pub attachment_ids: Vec<String>,
    pub metadata: String,
    pub data: String,
    pub attachments: Vec<String>,
    pub metadata_plain: Vec<u8>,
    pub data_plain: Vec<u8>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Values of the plaintext that must never be found in the portal's database.
pub const SECRETS: [&str; 3] = ["Bello-vom-Sonnenhof", "Erika Mustermann-Geheim", "DE89370400440532013000"];

pub fn sealed_submission(key: &RecipientKey, destination: &str, files: usize) -> Sealed {
    let id = uuid();
    let form = FormRef {
        id: "hundeanmeldung".into(),
        version: "1.0.0".into(),
        title: "Anmeldung eines Hundes".into(),
        sha256: None,
        set_sha256: None,
    };
    let data = SubmissionData {
        format_version: CONTENT_VERSION,
        form: form.clone(),
        answers: serde_json::json!({ "hund_name": SECRETS[0], "halter_name": SECRETS[1], "sepa_iban": SECRETS[2] }),
        clerk: "Petra Schmidt".into(),
        citizen_language: None,
    };
    let data_plain = serde_json::to_vec(&data).expect("json");
    let files: Vec<(String, Vec<u8>)> = (0..files)
        .map(|i| {
            let mut bytes = format!("%PDF-1.7 Impfpass {} Nr. {i}\n", SECRETS[0]).into_bytes();
            bytes.extend((0..3000u32).map(|n| (n % 251) as u8));
            (format!("../Impfpass {i}.pdf"), bytes)
        })
        .collect();
    let attachment_ids: Vec<String> = files.iter().map(|_| uuid()).collect();
    let metadata = Metadata {
        format_version: CONTENT_VERSION,
        submission_id: id.clone(),
        destination_id: destination.into(),
        form,
        reference: "HUND-7K3F-Q9XN".into(),
        finalized_at: "2026-11-24T10:42:00+01:00".into(),
        data_sha256: sha256_hex(&data_plain),
        attachments: files
            .iter()
            .zip(&attachment_ids)
            .map(|((name, bytes), id)| AttachmentMeta {
                id: id.clone(),
                filename: name.clone(),
                media_type: "application/pdf".into(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
    };
    let metadata_plain = serde_json::to_vec(&metadata).expect("json");
    Sealed {
        id,
        metadata: seal(key, &metadata_plain),
        data: seal(key, &data_plain),
        attachments: files.iter().map(|(_, bytes)| seal(key, bytes)).collect(),
        attachment_ids,
        metadata_plain,
        data_plain,
        files,
    }
}

/// Every file of a SQLite database (the main file, its WAL and shared memory), read as bytes.
pub fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["portal.sqlite", "portal.sqlite-wal", "portal.sqlite-shm", "portal.sqlite-journal"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            all.extend(bytes);
        }
    }
    all
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::support::Env::new($crate::support::Backend::Sqlite));
                }
                #[test]
                fn postgres() {
                    super::$name($crate::support::Env::new($crate::support::Backend::Postgres));
                }
            }
        )*
    };
}

/// Runs a test body once per backend, on a portal without a tenant ([`Env::bare`]).
#[macro_export]
macro_rules! on_both_backends_bare {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::support::Env::bare($crate::support::Backend::Sqlite));
                }
                #[test]
                fn postgres() {
                    super::$name($crate::support::Env::bare($crate::support::Backend::Postgres));
                }
            }
        )*
    };
}

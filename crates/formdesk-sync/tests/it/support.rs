//! What the tests share: a seeded random generator, the real `formdesk-portal` process with its
//! administrators' commands, and submissions sealed for real.
//!
//! The portal binary: `FORMDESK_PORTAL_BIN` if set; otherwise this runs `cargo build -p formdesk-portal` into
//! the test binary's own target folder once per test process (a no-op when it is fresh, so the tests never
//! run a stale portal) and takes `<target>/<profile>/formdesk-portal` from there.

use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::{ids, sha256_hex};
use formdesk_seal::RecipientKey;
use formdesk_sync::Parts;
use ring::rand::SystemRandom;
use ring::signature::Ed25519KeyPair;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// SplitMix64: small, seeded and good enough for schedules and test data.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }

    pub fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        ids::uuid_from_random(bytes)
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn device_key() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("a key");
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("a key")
}

/// The `formdesk-portal` binary; see the module's description.
pub fn portal_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("FORMDESK_PORTAL_BIN").filter(|p| !p.is_empty()) {
            return PathBuf::from(path);
        }
        // A test binary lives in <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("<target>/<profile>/deps/<test>");
        let target_dir = profile_dir.parent().expect("<target>/<profile>");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_owned(),
            Some("release") => "release".to_owned(),
            Some(other) => other.to_owned(),
        };
        let out = Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .args(["build", "--quiet", "-p", "formdesk-portal", "--bin", "formdesk-portal", "--profile", &profile])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "building formdesk-portal failed:\n{}", text(&out.stderr));
        let bin = profile_dir.join("formdesk-portal");
        assert!(bin.is_file(), "{} is missing after the build", bin.display());
        bin
    })
}

/// A portal's data folder, its keys and its administrators' commands.
#[derive(Debug)]
pub struct PortalEnv {
    pub dir: tempfile::TempDir,
}

impl PortalEnv {
    /// A portal serving one municipality (so its commands need no `--tenant`).
    pub fn new() -> PortalEnv {
        let env = PortalEnv { dir: tempfile::tempdir().expect("tempdir") };
        env.cli_ok(&["tenants", "add", "--ars", "059580000000", "--name", "Stadt Musterstadt"]);
        env
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs a command on this portal's store.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(portal_bin())
            .args(args)
            .args(["--data-dir", &self.data_dir()])
            .stdin(Stdio::null())
            .output()
            .expect("formdesk-portal runs")
    }

    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(out.status.success(), "{args:?}: {}\n{}", text(&out.stdout), text(&out.stderr));
        text(&out.stdout)
    }

    /// `destinations keygen` (3072 bits: the smallest the portal takes, and the quickest to make) and
    /// `destinations add`; returns the private key's path.
    pub fn add_destination(&self, id: &str) -> PathBuf {
        let private = self.path(&format!("{id}.pem"));
        let public = self.path(&format!("{id}.pub.pem"));
        let out = Command::new(portal_bin())
            .args(["destinations", "keygen", "--bits", "3072", "--out"])
            .arg(&private)
            .arg("--public")
            .arg(&public)
            .stdin(Stdio::null())
            .output()
            .expect("keygen runs");
        assert!(out.status.success(), "keygen: {}", text(&out.stderr));
        let public = public.display().to_string();
        self.cli_ok(&["destinations", "add", "--id", id, "--name", "Ordnungsamt", "--key", &public]);
        private
    }

    /// `devices enrol`: the device's id and its one-time code, from the lines `device   <id>` and
    /// `code     <code>`.
    pub fn enrol_code(&self, name: &str) -> (String, String) {
        let out = self.cli_ok(&["devices", "enrol", "--name", name]);
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                .unwrap_or_else(|| panic!("no {name} in {out}"))
        };
        (field("device "), field("code "))
    }

    /// `inbox export` into `out`; returns its standard output.
    pub fn export(&self, destination: &str, key: &Path, out: &Path) -> String {
        let key = key.display().to_string();
        let out = out.display().to_string();
        self.cli_ok(&["inbox", "export", "--destination", destination, "--key", &key, "--out", &out])
    }

    /// `formdesk-portal serve` on `listen` (`127.0.0.1:0` for any free port).
    pub fn serve(&self, listen: &str) -> PortalProcess {
        self.serve_with(listen, &[]).unwrap_or_else(|log| panic!("the portal did not start: {log}"))
    }

    /// `formdesk-portal serve` on `listen` with `extra` arguments; the portal's log if it exits instead of
    /// listening.
    pub fn serve_with(&self, listen: &str, extra: &[&str]) -> Result<PortalProcess, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("portal.log"))
            .expect("the portal's log");
        let mut child = Command::new(portal_bin())
            .args(["serve", "--listen", listen, "--data-dir", &self.data_dir()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("formdesk-portal serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep reading, so the portal never blocks on a full pipe.
            for _ in lines {}
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            let status = child.wait().expect("the portal's exit");
            return Err(format!("{status}: {}", self.log()));
        };
        let url = line
            .strip_prefix("formdesk-portal: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .trim();
        let (scheme, addr) = url.split_once("://").unwrap_or_else(|| panic!("no scheme in {line:?}"));
        Ok(PortalProcess { child, scheme: scheme.to_owned(), addr: addr.to_owned() })
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("portal.log")).unwrap_or_default()
    }
}

/// A running `formdesk-portal serve`; killed when dropped.
#[derive(Debug)]
pub struct PortalProcess {
    child: Child,
    /// `http` or `https`.
    pub scheme: String,
    /// Where it listens, `127.0.0.1:PORT`.
    pub addr: String,
}

impl PortalProcess {
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Kills it hard, as a crash or a power cut would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PortalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A submission as the desk sealed it, with the plaintext to compare the authority's export with.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub id: String,
    pub parts: Parts,
    pub metadata: serde_json::Value,
    pub data: serde_json::Value,
    /// Each attachment's id, file name and bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// Seals submission number `n` for `destination`, with `attachments` attachments of `size` bytes each.
pub fn seal_submission(
    random: &mut SplitMix,
    destination: &str,
    key: &RecipientKey,
    n: usize,
    attachments: usize,
    size: usize,
) -> Sealed {
    let rng = SystemRandom::new();
    let id = random.uuid();
    let form = FormRef {
        id: "hundeanmeldung".into(),
        version: "1.0.0".into(),
        title: "Anmeldung eines Hundes".into(),
        sha256: None,
        set_sha256: None,
    };
    let files: Vec<(String, String, Vec<u8>)> =
        (0..attachments).map(|a| (random.uuid(), format!("Impfpass {n}-{a}.pdf"), random.bytes(size))).collect();
    let data = SubmissionData {
        format_version: CONTENT_VERSION,
        form: form.clone(),
        answers: serde_json::json!({
            "name": format!("Erika Mustermann {n}"),
            "hund": "Bello",
            "impfpass": files.iter().map(|(id, _, _)| id.clone()).collect::<Vec<_>>(),
        }),
        clerk: "Frau Beispiel".into(),
        citizen_language: None,
    };
    let data_bytes = serde_json::to_vec(&data).expect("json");
    let metadata = Metadata {
        format_version: CONTENT_VERSION,
        submission_id: id.clone(),
        destination_id: destination.into(),
        form,
        reference: format!("HUND-{n:04}-TEST"),
        finalized_at: "2026-11-24T10:42:00+01:00".into(),
        data_sha256: sha256_hex(&data_bytes),
        attachments: files
            .iter()
            .map(|(id, filename, bytes)| AttachmentMeta {
                id: id.clone(),
                filename: filename.clone(),
                media_type: "application/pdf".into(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
    };
    let metadata_bytes = serde_json::to_vec(&metadata).expect("json");
    let seal = |plaintext: &[u8]| formdesk_seal::seal(key, plaintext, &rng).expect("sealed");
    let parts = Parts {
        metadata: seal(&metadata_bytes),
        data: seal(&data_bytes),
        attachments: files.iter().map(|(id, _, bytes)| (id.clone(), seal(bytes))).collect(),
    };
    Sealed {
        id,
        parts,
        metadata: serde_json::to_value(&metadata).expect("json"),
        data: serde_json::to_value(&data).expect("json"),
        attachments: files,
    }
}

/// Checks the authority's export in `out` against what was sealed: every submission exactly once, nothing
/// else, the data and metadata equal and every attachment byte for byte. `stdout` is the export's output.
pub fn check_export(out: &Path, stdout: &str, sealed: &[Sealed]) {
    let mut exported: Vec<&str> =
        stdout.lines().filter_map(|l| l.strip_prefix("exported ")).filter_map(|l| l.split(':').next()).collect();
    exported.sort_unstable();
    let mut expected: Vec<&str> = sealed.iter().map(|s| s.id.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(exported.len(), expected.len(), "exported {} submissions, sealed {}", exported.len(), expected.len());
    assert_eq!(exported, expected, "the export lists other submissions than were sealed");
    let folders = std::fs::read_dir(out).expect("the export folder").count();
    assert_eq!(folders, sealed.len(), "the export folder has {folders} entries");
    for s in sealed {
        let folder = out.join(&s.id);
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder.join("submission.json")).expect("submission.json"))
                .expect("json");
        assert_eq!(json["metadata"], s.metadata, "{}: metadata", s.id);
        assert_eq!(json["data"], s.data, "{}: data", s.id);
        let files = std::fs::read_dir(folder.join("attachments")).expect("attachments").count();
        assert_eq!(files, s.attachments.len(), "{}: attachments", s.id);
        for (id, filename, bytes) in &s.attachments {
            let written = std::fs::read(folder.join("attachments").join(format!("{id}-{filename}"))).expect("file");
            assert!(written == *bytes, "{}: attachment {id} differs from what was sealed", s.id);
        }
    }
}

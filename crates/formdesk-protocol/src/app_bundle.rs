//! The desk app's update bundles: what a Debian package says about itself, and the signature the desk's
//! updater checks.
//!
//! A bundle is the `.deb` Tauri's bundler makes (`cargo xtask bundle`): an `ar` archive of `debian-binary`,
//! `control.tar.gz` and `data.tar.*`. [`read_control`] reads the package's name, version and architecture
//! from its control file, so that the portal can refuse a bundle of another app or one whose own version is
//! not the version it is offered as (the updater's manifest version is not covered by the signature).
//!
//! [`verify_signature`] checks a bundle against the `.sig` file `tauri signer sign` writes (base64 of a
//! minisign signature) with the public key `tauri signer generate` writes (base64 of a minisign public key),
//! using `minisign-verify` as `tauri-plugin-updater` does, and reads the signed `version:` of its trusted
//! comment (`tauri signer sign --app-version X`).
//!
//! Non-goals: no I/O, no unpacking of the package's data, no compression of control files other than gzip
//! and none (xz and zstd control archives are refused by name).

use std::io::Read as _;

/// The most bytes of a control archive, unpacked, that are read (a control file is a few hundred bytes).
const MAX_CONTROL_TAR_BYTES: u64 = 4 * 1024 * 1024;

/// The fields of a package's control file the portal checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebControl {
    /// `Package:` (`formdesk` for the desk app).
    pub package: String,
    /// `Version:`.
    pub version: String,
    /// `Architecture:` (`amd64`, `arm64`, …).
    pub architecture: String,
}

/// Why a file is not a package whose control fields can be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The file does not start with the `ar` archive's magic.
    #[error("not a Debian package: the file is not an ar archive")]
    NotAr,
    /// An archive member's header or contents run past the end of the file.
    #[error("not a Debian package: the ar archive is cut off or damaged ({0})")]
    DamagedAr(String),
    /// The first member is not `debian-binary` with format 2.0.
    #[error("not a Debian package: it does not begin with debian-binary 2.0")]
    NotDebian,
    /// No `control.tar*` member.
    #[error("the package has no control.tar.gz")]
    NoControlArchive,
    /// A control archive compressed in a way this reader does not take.
    #[error("the package's control archive is {0}; only control.tar.gz (as Tauri's bundler writes it) is read")]
    ControlCompression(String),
    /// The control archive is not valid gzip or tar.
    #[error("the package's control archive cannot be read: {0}")]
    DamagedControl(String),
    /// The control archive has no `control` file.
    #[error("the package's control archive has no control file")]
    NoControlFile,
    /// The control file lacks a field, or has it empty.
    #[error("the package's control file has no {0} field")]
    MissingField(&'static str),
}

/// Reads the control fields of the Debian package `deb`.
pub fn read_control(deb: &[u8]) -> Result<DebControl, BundleError> {
    let members = ar_members(deb)?;
    match members.first() {
        Some((name, body)) if *name == "debian-binary" && body.starts_with(b"2.") => {}
        _ => return Err(BundleError::NotDebian),
    }
    let (name, body) =
        members.iter().find(|(name, _)| name.starts_with("control.tar")).ok_or(BundleError::NoControlArchive)?;
    let tar = match *name {
        "control.tar.gz" => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(*body)
                .take(MAX_CONTROL_TAR_BYTES)
                .read_to_end(&mut out)
                .map_err(|e| BundleError::DamagedControl(format!("gzip: {e}")))?;
            out
        }
        "control.tar" => body.to_vec(),
        other => return Err(BundleError::ControlCompression(other.to_owned())),
    };
    let control = tar_file(&tar, "control")?.ok_or(BundleError::NoControlFile)?;
    let text = String::from_utf8_lossy(control);
    let field = |name: &'static str| {
        control_field(&text, name).filter(|v| !v.is_empty()).ok_or(BundleError::MissingField(name))
    };
    Ok(DebControl { package: field("Package")?, version: field("Version")?, architecture: field("Architecture")? })
}

/// The members of an `ar` archive (common format, as dpkg writes it): name and contents, in order.
fn ar_members(bytes: &[u8]) -> Result<Vec<(&str, &[u8])>, BundleError> {
    let mut rest = bytes.strip_prefix(b"!<arch>\n").ok_or(BundleError::NotAr)?;
    let mut members = Vec::new();
    while !rest.is_empty() {
        // Members start on even offsets; a lone padding byte may end the archive.
        if rest == b"\n" {
            break;
        }
        let header = rest.get(..60).ok_or_else(|| BundleError::DamagedAr("a member's header is cut off".into()))?;
        if &header[58..60] != b"`\n" {
            return Err(BundleError::DamagedAr("a member's header has no end mark".into()));
        }
        let name = std::str::from_utf8(&header[..16])
            .map_err(|_| BundleError::DamagedAr("a member's name is not text".into()))?
            .trim_end()
            .trim_end_matches('/');
        let size: usize = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| BundleError::DamagedAr(format!("member {name:?} has no size")))?;
        let body = rest
            .get(60..60usize.saturating_add(size))
            .ok_or_else(|| BundleError::DamagedAr(format!("member {name:?} is cut off")))?;
        members.push((name, body));
        let next = 60 + size + size % 2;
        rest = rest.get(next..).unwrap_or_default();
    }
    Ok(members)
}

/// The contents of the regular file `wanted` (or `./wanted`) in a tar archive, if it has one.
fn tar_file<'a>(tar: &'a [u8], wanted: &str) -> Result<Option<&'a [u8]>, BundleError> {
    let damaged = |what: &str| BundleError::DamagedControl(format!("tar: {what}"));
    let mut offset = 0usize;
    while let Some(header) = tar.get(offset..offset + 512) {
        if header.iter().all(|b| *b == 0) {
            return Ok(None);
        }
        let text = |range: std::ops::Range<usize>| {
            let field = &header[range];
            let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
            String::from_utf8_lossy(&field[..end]).into_owned()
        };
        let size = u64::from_str_radix(text(124..136).trim(), 8).map_err(|_| damaged("an entry has no size"))?;
        let size = usize::try_from(size).map_err(|_| damaged("an entry is too large"))?;
        let (prefix, name) = (text(345..500), text(0..100));
        let path = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let start = offset + 512;
        let body = tar.get(start..start.saturating_add(size)).ok_or_else(|| damaged("an entry is cut off"))?;
        let regular = matches!(header[156], b'0' | 0);
        if regular && path.trim_start_matches("./") == wanted {
            return Ok(Some(body));
        }
        offset = start + size.div_ceil(512) * 512;
    }
    Ok(None)
}

/// The value of a control file's field `name` (field names are case-insensitive; continuation lines are
/// not needed for the fields read here).
fn control_field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (field, value) = line.split_once(':')?;
        field.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
    })
}

/// Why a bundle's signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The key file is not base64 of a minisign public key.
    #[error("the key is not an update signing key's public half (as `tauri signer generate` writes it)")]
    BadKey,
    /// The signature file is not base64 of a minisign signature.
    #[error("the signature file is not an update signature (as `tauri signer sign` writes it)")]
    BadSignatureFile,
    /// The signature was made with another key.
    #[error("the signature was made with another key than this one")]
    OtherKey,
    /// The signature does not verify: the bundle or the signed comment was changed.
    #[error("the signature does not verify: the bundle is not the one that was signed")]
    Invalid,
    /// The signature is of an old kind (not prehashed) that is not taken.
    #[error("the signature is of an old kind (legacy minisign); sign with `tauri signer sign`")]
    Legacy,
    /// The trusted comment has no `version:` (signed without `--app-version`).
    #[error("the signature names no version (sign with `tauri signer sign --app-version X`)")]
    NoVersion,
}

/// A verified signature: what its trusted comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBundle {
    /// The signed `version:`.
    pub version: String,
    /// The whole trusted comment (`timestamp:…\tfile:…\tversion:…`).
    pub trusted_comment: String,
}

/// Checks `bundle` against `signature_file` (the `.sig` file's text) with `public_key_file` (the `.pub`
/// file's text), and reads the signed version.
pub fn verify_signature(
    bundle: &[u8],
    signature_file: &str,
    public_key_file: &str,
) -> Result<SignedBundle, SignatureError> {
    let key = base64_text(public_key_file)
        .and_then(|text| minisign_verify::PublicKey::decode(&text).ok())
        .ok_or(SignatureError::BadKey)?;
    let signature = base64_text(signature_file)
        .and_then(|text| minisign_verify::Signature::decode(&text).ok())
        .ok_or(SignatureError::BadSignatureFile)?;
    key.verify(bundle, &signature, false).map_err(|e| match e {
        minisign_verify::Error::UnexpectedKeyId => SignatureError::OtherKey,
        minisign_verify::Error::UnexpectedAlgorithm => SignatureError::Legacy,
        _ => SignatureError::Invalid,
    })?;
    let trusted_comment = signature.trusted_comment().to_owned();
    let version = signed_version(&trusted_comment).ok_or(SignatureError::NoVersion)?;
    Ok(SignedBundle { version, trusted_comment })
}

/// The `version:` of a trusted comment of tab-separated `name:value` pairs.
fn signed_version(trusted_comment: &str) -> Option<String> {
    trusted_comment
        .split('\t')
        .find_map(|pair| pair.strip_prefix("version:"))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The text inside a file that holds base64 (standard alphabet) of UTF-8 text.
fn base64_text(file: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(file.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// A package built with `dpkg-deb --build` from a folder with `control` as its control file.
    fn deb(control: &str, compression: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("DEBIAN")).expect("mkdir");
        std::fs::create_dir_all(root.join("usr/bin")).expect("mkdir");
        std::fs::write(root.join("DEBIAN/control"), control).expect("write");
        std::fs::write(root.join("usr/bin/formdesk"), b"#!/bin/sh\n").expect("write");
        let out = dir.path().join("p.deb");
        build(&root, &out, compression);
        std::fs::read(out).expect("read")
    }

    /// A package put together with tar and ar, for control files dpkg-deb would refuse to build.
    fn deb_by_hand(control: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("control"), control).expect("write");
        std::fs::write(dir.path().join("debian-binary"), "2.0\n").expect("write");
        let run = |program: &str, args: &[&str]| {
            let status = Command::new(program).args(args).current_dir(dir.path()).status().expect("runs");
            assert!(status.success(), "{program} {args:?}");
        };
        run("tar", &["czf", "control.tar.gz", "./control"]);
        run("tar", &["czf", "data.tar.gz", "--files-from", "/dev/null"]);
        run("ar", &["rc", "p.deb", "debian-binary", "control.tar.gz", "data.tar.gz"]);
        std::fs::read(dir.path().join("p.deb")).expect("read")
    }

    fn build(root: &Path, out: &Path, compression: &str) {
        let status = Command::new("dpkg-deb")
            .args(["--root-owner-group", &format!("-Z{compression}"), "--build"])
            .arg(root)
            .arg(out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("dpkg-deb runs");
        assert!(status.success());
    }

    const CONTROL: &str = "Package: formdesk\nVersion: 0.0.1\nArchitecture: amd64\nMaintainer: Formdesk \
                           <formdesk@example.org>\nDescription: Formdesk\n";

    #[test]
    fn reads_the_control_fields_of_a_real_package() {
        let control = read_control(&deb(CONTROL, "gzip")).expect("readable");
        assert_eq!(
            control,
            DebControl { package: "formdesk".into(), version: "0.0.1".into(), architecture: "amd64".into() }
        );
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(read_control(b"PK\x03\x04 a zip file"), Err(BundleError::NotAr));
        assert_eq!(read_control(&deb(CONTROL, "xz")), Err(BundleError::ControlCompression("control.tar.xz".into())));
        let without_version = CONTROL.replace("Version: 0.0.1\n", "");
        assert_eq!(read_control(&deb_by_hand(&without_version)), Err(BundleError::MissingField("Version")));
        // An ar archive that is no package.
        let mut ar = b"!<arch>\n".to_vec();
        ar.extend_from_slice(format!("{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", "notes.txt/", 0, 0, 0, 644, 2).as_bytes());
        ar.extend_from_slice(b"hi");
        assert_eq!(read_control(&ar), Err(BundleError::NotDebian));
        // A package without its control archive.
        let mut no_control = b"!<arch>\n".to_vec();
        no_control.extend_from_slice(
            format!("{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", "debian-binary", 0, 0, 0, 644, 4).as_bytes(),
        );
        no_control.extend_from_slice(b"2.0\n");
        assert_eq!(read_control(&no_control), Err(BundleError::NoControlArchive));
        // Cut off in the middle.
        let whole = deb(CONTROL, "gzip");
        assert!(
            matches!(read_control(&whole[..200]), Err(BundleError::DamagedAr(_))),
            "{:?}",
            read_control(&whole[..200])
        );
    }

    /// One real package for the property tests, built once.
    fn sample() -> &'static [u8] {
        static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        SAMPLE.get_or_init(|| deb(CONTROL, "gzip"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// A package changed anywhere, or cut off anywhere, is read or refused, never a panic; the control
        /// fields read are never empty.
        #[test]
        fn a_damaged_package_is_read_or_refused_without_panic(
            edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 0..8),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let mut bytes = sample().to_vec();
            for (at, value) in &edits {
                let at = at.index(bytes.len());
                bytes[at] = *value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(control) = read_control(&bytes) {
                proptest::prop_assert!(!control.package.is_empty() && !control.version.is_empty());
            }
        }

        /// Any bytes after the ar magic, and any key and signature text, never panic.
        #[test]
        fn any_archive_or_signature_text_is_refused_without_panic(
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            signature in ".{0,200}",
            key in ".{0,120}",
        ) {
            let mut bytes = b"!<arch>\n".to_vec();
            bytes.extend_from_slice(&tail);
            let _ = read_control(&bytes);
            let _ = verify_signature(&tail, &signature, &key);
        }
    }

    #[test]
    fn reads_the_signed_version() {
        assert_eq!(signed_version("timestamp:1\tfile:a.deb\tversion:0.0.2"), Some("0.0.2".into()));
        assert_eq!(signed_version("timestamp:1\tfile:a.deb"), None);
    }

    /// Runs the Tauri command line from ui's npm dependencies (`npm ci` in ui/ installs it).
    fn tauri(args: &[&str]) {
        let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/.bin/tauri");
        let out = Command::new(&cli).args(args).output().expect("the Tauri command line runs (npm ci in ui/)");
        assert!(out.status.success(), "tauri {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn verifies_signatures_of_tauri_signer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = |name: &str| dir.path().join(name).display().to_string();
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("read");
        for key in ["one.key", "two.key"] {
            tauri(&["signer", "generate", "--ci", "-p", "", "-w", &path(key)]);
        }
        let bundle = deb(CONTROL, "gzip");
        std::fs::write(dir.path().join("p.deb"), &bundle).expect("write");
        tauri(&["signer", "sign", "-f", &path("one.key"), "-p", "", "--app-version", "0.0.1", &path("p.deb")]);
        let signed = verify_signature(&bundle, &read("p.deb.sig"), &read("one.key.pub")).expect("verifies");
        assert_eq!(signed.version, "0.0.1");
        assert!(signed.trusted_comment.contains("file:p.deb"), "{}", signed.trusted_comment);

        let mut changed = bundle.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(verify_signature(&changed, &read("p.deb.sig"), &read("one.key.pub")), Err(SignatureError::Invalid));
        assert_eq!(verify_signature(&bundle, &read("p.deb.sig"), &read("two.key.pub")), Err(SignatureError::OtherKey));

        tauri(&["signer", "sign", "-f", &path("one.key"), "-p", "", &path("p.deb")]);
        assert_eq!(verify_signature(&bundle, &read("p.deb.sig"), &read("one.key.pub")), Err(SignatureError::NoVersion));
    }

    #[test]
    fn refuses_files_that_are_no_key_or_signature() {
        assert_eq!(verify_signature(b"x", "c2ln", "not base64!"), Err(SignatureError::BadKey));
        let key = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../formdesk-portal/tests/it/fixtures/app-update.key.pub"),
        )
        .expect("the sample key");
        assert_eq!(verify_signature(b"x", "bm8gc2lnbmF0dXJl", &key), Err(SignatureError::BadSignatureFile));
    }
}

//! What the desk checks in an update of the app itself before installing it, beyond the signature that
//! tauri-plugin-updater checks (minisign, with the version the bundle was signed for): the Debian package
//! inside must be Formdesk's, of the version announced, and newer than the one running. A validly signed old
//! bundle offered under a new version number (advisory GHSA-j38x-g3m3-95fr), another program's package and
//! a downgrade are refused, each with a German sentence for the start screen and the log.

use formdesk_protocol::app_bundle::read_control;
use std::cmp::Ordering;

/// The Debian package name of the desk app.
pub const PACKAGE: &str = "formdesk";

/// Why an offered update is not installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateRefusal {
    /// The signature does not verify with the desk's update key, or does not name the announced version.
    #[error(
        "Die angebotene neue Version von Formdesk ist nicht mit dem Schlüssel Ihrer Verwaltung signiert und wird \
         nicht installiert. Bitte verständigen Sie die IT-Betreuung."
    )]
    Signature(String),
    /// The bundle is no Debian package, or one that cannot be read.
    #[error(
        "Die angebotene neue Version von Formdesk ist kein lesbares Installationspaket und wird nicht installiert. \
         Bitte verständigen Sie die IT-Betreuung."
    )]
    NotAPackage(String),
    /// The package is another program's.
    #[error(
        "Das angebotene Paket „{0}“ ist nicht Formdesk und wird nicht installiert. Bitte verständigen Sie die \
         IT-Betreuung."
    )]
    OtherApp(String),
    /// The package inside is not the version the portal announced.
    #[error(
        "Das Portal kündigt Version {announced} an, das Paket enthält aber Version {inside}; es wird nicht \
         installiert. Bitte verständigen Sie die IT-Betreuung."
    )]
    VersionMismatch {
        /// What the update manifest says.
        announced: String,
        /// What the package says.
        inside: String,
    },
    /// Not newer than what runs.
    #[error(
        "Die angebotene Version {offered} ist nicht neuer als die laufende Version {current} und wird nicht \
         installiert."
    )]
    NotNewer {
        /// The offered version.
        offered: String,
        /// The running version.
        current: String,
    },
}

/// Compares two versions as Debian and semver agree for Formdesk's `MAJOR.MINOR.PATCH`: numerically, part by
/// part; `None` when one is not of that form.
fn compare(a: &str, b: &str) -> Option<Ordering> {
    let parts = |v: &str| -> Option<Vec<u64>> {
        let v = v.trim().trim_start_matches('v');
        let parts: Option<Vec<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| p.len() == 3)
    };
    Some(parts(a)?.cmp(&parts(b)?))
}

/// Checks the downloaded `bundle` (its signature already verified) against the `announced` version and the
/// `current` one.
pub fn check_bundle(bundle: &[u8], announced: &str, current: &str) -> Result<(), UpdateRefusal> {
    let control = read_control(bundle).map_err(|e| UpdateRefusal::NotAPackage(e.to_string()))?;
    if control.package != PACKAGE {
        return Err(UpdateRefusal::OtherApp(control.package));
    }
    if compare(&control.version, announced) != Some(Ordering::Equal) {
        return Err(UpdateRefusal::VersionMismatch { announced: announced.to_owned(), inside: control.version });
    }
    if compare(&control.version, current) != Some(Ordering::Greater) {
        return Err(UpdateRefusal::NotNewer { offered: control.version, current: current.to_owned() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_not_by_text() {
        assert_eq!(compare("0.10.0", "0.9.9"), Some(Ordering::Greater));
        assert_eq!(compare("v1.2.3", "1.2.3"), Some(Ordering::Equal));
        assert_eq!(compare("1.2", "1.2.0"), None);
        assert_eq!(compare("1.2.x", "1.2.0"), None);
    }

    /// A Debian package made by dpkg-deb, as Tauri's bundler makes them (gzip members).
    fn deb(package: &str, version: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::fs::write(root.join("usr/bin").join(package), "#!/bin/sh\n").unwrap();
        let control = format!(
            "Package: {package}\nVersion: {version}\nArchitecture: amd64\nMaintainer: Formdesk\nDescription: test\n"
        );
        std::fs::write(root.join("DEBIAN/control"), control).unwrap();
        let out = dir.path().join("package.deb");
        let status = std::process::Command::new("dpkg-deb")
            .args(["-Zgzip", "--root-owner-group", "--build"])
            .arg(&root)
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(out).unwrap()
    }

    #[test]
    fn only_formdesk_of_the_announced_newer_version_is_taken() {
        assert_eq!(check_bundle(&deb("formdesk", "0.0.2"), "0.0.2", "0.0.1"), Ok(()));
        // An old, validly signed bundle under a new number: the number inside gives it away.
        assert_eq!(
            check_bundle(&deb("formdesk", "0.0.1"), "0.0.3", "0.0.2"),
            Err(UpdateRefusal::VersionMismatch { announced: "0.0.3".into(), inside: "0.0.1".into() })
        );
        // A downgrade, announced as what it is.
        let older = check_bundle(&deb("formdesk", "0.0.1"), "0.0.1", "0.0.2").unwrap_err();
        assert_eq!(older, UpdateRefusal::NotNewer { offered: "0.0.1".into(), current: "0.0.2".into() });
        assert!(older.to_string().contains("nicht neuer als die laufende Version 0.0.2"), "{older}");
        // Another program's package.
        let other = check_bundle(&deb("formdesk-portal", "9.0.0"), "9.0.0", "0.0.1").unwrap_err();
        assert_eq!(other, UpdateRefusal::OtherApp("formdesk-portal".into()));
    }

    #[test]
    fn what_is_no_package_is_refused_as_such() {
        let refusal = check_bundle(b"#!/bin/sh\necho not a package\n", "0.0.2", "0.0.1").unwrap_err();
        assert!(matches!(refusal, UpdateRefusal::NotAPackage(_)), "{refusal:?}");
        assert!(refusal.to_string().starts_with("Die angebotene neue Version von Formdesk ist kein lesbares"));
    }
}

//! The portal's Debian package (`cargo xtask bundle portal`), and the test that installs it on this machine.
//!
//! The package is put together from `packaging/portal/` and the built binary and made with Debian's own
//! `dpkg-deb`: the portal is one static-enough binary (it links libc, libm and libgcc_s only), a systemd unit
//! and a config file, which needs no more than a control file; `cargo-deb` would add a tool to install and a
//! second description of the same files.
//!
//! The test (part of `cargo xtask test`, as root or through sudo) installs the package built from the debug
//! binary with `dpkg -i`, checks the unit with `systemd-analyze verify`, runs the installed binary with the
//! packaged config until it answers `/healthz`, removes the package and checks that the data stays.

use crate::{is_root, root, run};
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const NAME: &str = "formdesk-portal";

fn architecture() -> Result<String> {
    let out = Command::new("dpkg").arg("--print-architecture").output().context("running dpkg")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn copy(from: &Path, to: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("making {}", parent.display()))?;
    }
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// Makes `formdesk-portal_<version>_<arch>.deb` in `out` from the binary `binary`; returns its path.
pub fn portal_deb(binary: &Path, out: &Path) -> Result<PathBuf> {
    if !binary.is_file() {
        bail!("{} is not built", binary.display());
    }
    // xtask shares the workspace's version.
    let version = env!("CARGO_PKG_VERSION");
    let arch = architecture()?;
    let stage = out.join(format!("{NAME}-stage"));
    let _ = std::fs::remove_dir_all(&stage);
    let files = root().join("packaging").join("portal");
    copy(binary, &stage.join("usr/bin").join(NAME), 0o755)?;
    copy(&files.join("formdesk-portal.service"), &stage.join("lib/systemd/system/formdesk-portal.service"), 0o644)?;
    copy(&files.join("portal.toml"), &stage.join("etc/formdesk-portal/portal.toml"), 0o644)?;
    copy(&files.join("README"), &stage.join("usr/share/doc").join(NAME).join("README"), 0o644)?;
    std::fs::write(
        stage.join("usr/share/doc").join(NAME).join("copyright"),
        "Formdesk portal\nLicense: EUPL-1.2 (European Union Public Licence 1.2)\n",
    )?;
    for script in ["postinst", "prerm", "postrm"] {
        copy(&files.join(script), &stage.join("DEBIAN").join(script), 0o755)?;
    }
    std::fs::write(stage.join("DEBIAN/conffiles"), "/etc/formdesk-portal/portal.toml\n")?;
    let size_kb = std::fs::metadata(binary)?.len() / 1024 + 8;
    std::fs::write(
        stage.join("DEBIAN/control"),
        format!(
            "Package: {NAME}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: Formdesk <formdesk@example.de>\n\
             Installed-Size: {size_kb}\nDepends: libc6, libgcc-s1, adduser\nSection: net\nPriority: optional\n\
             Description: Formdesk portal for citizen-service desks\n \
             Receives the desks' sealed submissions and delivers each exactly once, serves the signed form\n \
             channel, and the administrators' web console at /admin.\n"
        ),
    )?;
    let deb = out.join(format!("{NAME}_{version}_{arch}.deb"));
    run(Command::new("dpkg-deb").args(["--root-owner-group", "--build"]).arg(&stage).arg(&deb))?;
    std::fs::remove_dir_all(&stage)?;
    Ok(deb)
}

/// A command as root: itself when this process is root, through `sudo` otherwise.
fn as_root(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut cmd = Command::new("sudo");
        cmd.arg(program);
        cmd
    }
}

fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().with_context(|| format!("could not start {shown}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        bail!("{shown} failed with {}:\n{text}", out.status);
    }
    Ok(text)
}

/// GET `/healthz` on `addr` (plain HTTP/1.1); the status line's code.
fn healthz(addr: &str) -> Result<u16> {
    let mut stream = std::net::TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let code = answer.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok(code)
}

/// Installs the package made from the debug binary, checks its unit, runs it with its config, removes it.
pub fn test_portal_deb(target: &Path) -> Result<()> {
    if !is_root() && !Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        bail!("the package test installs the portal's .deb with dpkg: run the tests as root or with sudo");
    }
    let out = target.join("package-test");
    std::fs::create_dir_all(&out)?;
    let deb = portal_deb(&target.join("debug").join(NAME), &out)?;
    // A data folder from an earlier run would be taken for the user's; start clean.
    let data = Path::new("/var/lib/formdesk-portal");
    if data.exists() {
        bail!("{} exists: this machine runs a portal already; the package test would touch it", data.display());
    }
    run(as_root("dpkg").arg("-i").arg(&deb))?;
    let result = check_installed(data);
    let removed = run(as_root("dpkg").args(["-r", NAME]));
    let after = removal_checks(data);
    let _ = run(as_root("dpkg").args(["--purge", NAME]));
    let _ = run(as_root("rm").args(["-rf", "/var/lib/formdesk-portal"]));
    let _ = run(as_root("userdel").arg(NAME));
    result.and(removed).and(after)
}

fn check_installed(data: &Path) -> Result<()> {
    let verified = output(as_root("systemd-analyze").args(["verify", "/lib/systemd/system/formdesk-portal.service"]))?;
    if !verified.trim().is_empty() {
        bail!("systemd-analyze verify is not clean:\n{verified}");
    }
    let version = output(Command::new("/usr/bin/formdesk-portal").arg("--version"))?;
    println!("installed: {}", version.trim());
    if !data.is_dir() {
        bail!("the package did not make {}", data.display());
    }
    // The packaged config as the service uses it, on a free port instead of 8440, as the portal's user
    // (setpriv runs it in place, so the process signalled below is the portal itself).
    let mut serve = as_root("setpriv");
    serve
        .args(["--reuid", NAME, "--regid", NAME, "--init-groups", "/usr/bin/formdesk-portal", "serve"])
        .args(["--config", "/etc/formdesk-portal/portal.toml", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = serve.spawn().context("starting the installed portal")?;
    let mut line = String::new();
    let stdout = child.stdout.take().context("the portal's output")?;
    BufReader::new(stdout).read_line(&mut line)?;
    let answer = line
        .trim()
        .strip_prefix("formdesk-portal: listening on http://")
        .map(str::to_owned)
        .with_context(|| format!("the installed portal did not start: {line:?}"));
    let code = answer.and_then(|addr| healthz(&addr));
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    match code? {
        200 => {}
        other => bail!("the installed portal answered /healthz with {other}"),
    }
    if !data.join("portal.sqlite").is_file() {
        bail!("the installed portal kept no database in {}", data.display());
    }
    println!("the installed portal answered /healthz with the packaged config");
    Ok(())
}

fn removal_checks(data: &Path) -> Result<()> {
    if Path::new("/usr/bin/formdesk-portal").exists() {
        bail!("dpkg -r left /usr/bin/formdesk-portal");
    }
    if !data.join("portal.sqlite").is_file() {
        bail!("removing the package removed the portal's data in {}", data.display());
    }
    println!("removed; the data in {} stays", data.display());
    Ok(())
}

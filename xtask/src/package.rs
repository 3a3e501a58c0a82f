//! The packages: the desk app's Debian package and RPM (`cargo xtask bundle`), made with Tauri's bundler, and
//! the portal's Debian package (`cargo xtask bundle portal`); and the tests that install them on this machine.
//!
//! The desk app's packages come from `tauri build` (release) or `tauri bundle --debug` (the test, from the
//! debug build the other tests use) with the Tauri command line of `ui/`'s npm packages: the desktop entry,
//! the icons, the dependencies (WebKitGTK and GTK found by the bundler, the CUPS client from
//! `src-tauri/tauri.conf.json`) and the licences of the fonts the receipt embeds. The AppImage is not made:
//! the bundler downloads linuxdeploy and its plugins from GitHub at build time, which neither this machine
//! nor CI can reach. Windows' installers (NSIS, WiX) are made on Windows (`docs/platforms.md`).
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

/// The desk app's package name and installed program.
const DESK: &str = "formdesk";
const DESK_BINARY: &str = "/usr/bin/formdesk";

/// The Tauri command line from `ui/node_modules` (a dev dependency of the UI, so `npm ci` installs it).
fn tauri_cli() -> Command {
    let mut cmd = Command::new(root().join("ui/node_modules/.bin/tauri"));
    cmd.current_dir(root().join("src-tauri"));
    cmd
}

/// The packages the bundler wrote into `dir` (`…/bundle/deb/*.deb` and `…/bundle/rpm/*.rpm`).
fn bundles(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for (folder, ext) in [("deb", "deb"), ("rpm", "rpm")] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else { continue };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The desk app's .deb and .rpm from the release build (`tauri build` compiles it with the web assets
/// embedded); returns their paths. The UI must be built.
pub fn desk_bundles(target: &Path) -> Result<Vec<PathBuf>> {
    let dir = target.join("release").join("bundle");
    let _ = std::fs::remove_dir_all(&dir);
    run(tauri_cli().args(["build", "--ci", "--bundles", "deb,rpm"]))?;
    bundles(&dir)
}

/// The desk app's .deb and .rpm from the debug build in `target/debug`, without compiling again.
fn desk_bundles_debug(target: &Path) -> Result<Vec<PathBuf>> {
    if !target.join("debug").join(DESK).is_file() {
        bail!("{} is not built", target.join("debug").join(DESK).display());
    }
    let dir = target.join("debug").join("bundle");
    let _ = std::fs::remove_dir_all(&dir);
    run(tauri_cli().args(["bundle", "--ci", "--debug", "--bundles", "deb,rpm"]))?;
    bundles(&dir)
}

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

fn may_install() -> Result<()> {
    if !is_root() && !Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        bail!("the package tests install .deb files with dpkg: run the tests as root or with sudo");
    }
    Ok(())
}

/// Installs the desk app's .deb made from the debug build as an IT department would (`dpkg -i`, then
/// `apt-get -f install` for what it depends on), runs `formdesk --version` from the installed path, opens the
/// installed app's window under Xvfb through the end-to-end harness (`tests/e2e/package/`), which sets a desk
/// up in a home folder of its own, removes the package and checks that the desk's data stays.
pub fn test_desk_deb(target: &Path) -> Result<()> {
    may_install()?;
    if crate::installed(DESK) {
        bail!("the package {DESK} is installed on this machine already; the package test would replace it");
    }
    let made = desk_bundles_debug(target)?;
    let deb = made.iter().find(|p| p.extension().is_some_and(|e| e == "deb")).context("the bundler made no .deb")?;
    if !made.iter().any(|p| p.extension().is_some_and(|e| e == "rpm")) {
        bail!("the bundler made no .rpm");
    }
    let home = target.join("package-test").join("desk-home");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    if run(as_root("dpkg").arg("-i").arg(deb)).is_err() {
        // dpkg leaves the package unconfigured when something it depends on is missing; apt installs that.
        println!("dpkg -i left dependencies open; apt-get -f install brings them");
        if crate::apt(&["-f", "install", "-y", "-qq"]).is_err() {
            crate::apt(&["update", "-qq"])?;
            crate::apt(&["-f", "install", "-y", "-qq"])?;
        }
    }
    let result = check_desk_installed(&home).and_then(|()| test_desk_update(target, deb));
    let removed = run(as_root("dpkg").args(["-r", DESK]));
    let after = desk_removal_checks(&home);
    let _ = run(as_root("dpkg").args(["--purge", DESK]));
    if result.is_ok() && removed.is_ok() && after.is_ok() {
        let _ = std::fs::remove_dir_all(&home);
    }
    result.and(removed).and(after)
}

fn check_desk_installed(home: &Path) -> Result<()> {
    if !crate::installed(DESK) {
        bail!("{DESK} is not installed after dpkg -i and apt-get -f install");
    }
    let version = output(Command::new(DESK_BINARY).arg("--version"))?;
    if version.trim() != format!("{DESK} {}", env!("CARGO_PKG_VERSION")) {
        bail!("the installed {DESK_BINARY} --version said {:?}", version.trim());
    }
    println!("installed: {}", version.trim());
    let entry = std::fs::read_to_string("/usr/share/applications/Formdesk.desktop")
        .context("the package installed no desktop entry")?;
    for line in ["Exec=formdesk", "Icon=formdesk", "Name=Formdesk"] {
        if !entry.lines().any(|l| l == line) {
            bail!("the desktop entry lacks {line:?}:\n{entry}");
        }
    }
    for file in ["/usr/share/doc/formdesk/fonts/NotoSans-OFL.txt", "/usr/share/icons/hicolor/128x128/apps/formdesk.png"]
    {
        if !Path::new(file).is_file() {
            bail!("the package did not install {file}");
        }
    }
    run(Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", "tests/e2e/run.sh", "package/installed.spec.mjs"])
        .env("FORMDESK_BIN", DESK_BINARY)
        .env("FORMDESK_INSTALLED_HOME", home)
        .current_dir(root()))
}

/// The version after `version`: its patch number one up.
fn next_version(version: &str) -> Result<String> {
    let parts: Vec<u64> = version.split('.').map(str::parse).collect::<Result<_, _>>()?;
    let [major, minor, patch] = parts[..] else { bail!("version {version} is not MAJOR.MINOR.PATCH") };
    Ok(format!("{major}.{minor}.{}", patch + 1))
}

/// Signs `file` for `version` with the update key in `dir` (`tauri signer sign`, the version inside the
/// signature); the signature lands beside it as `<file>.sig`.
fn sign(dir: &Path, file: &Path, version: &str) -> Result<()> {
    let key = dir.join("update.key");
    let mut cmd = tauri_cli();
    cmd.args(["signer", "sign", "-f"]).arg(&key).args(["-p", "", "--app-version", version]).arg(file);
    run(cmd.env_remove("TAURI_SIGNING_PRIVATE_KEY").env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD"))
}

/// The update from the installed version N to N+1, through the portal, in the installed app's window
/// (`tests/e2e/package/update.spec.mjs`): makes an update key, N+1 from this build with the version raised
/// and N+2 (the same package selection as the test command's build, so only the app's crate is compiled
/// again, with `TAURI_CONFIG`; the build is put back afterwards), signs
/// N+1, N and a package that is not Formdesk, and runs the spec.
fn test_desk_update(target: &Path, current_deb: &Path) -> Result<()> {
    let current = env!("CARGO_PKG_VERSION");
    let next = next_version(current)?;
    let dir = target.join("package-test").join("update");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    run(tauri_cli().args(["signer", "generate", "--ci", "-f", "-p", "", "-w"]).arg(dir.join("update.key")))?;
    std::fs::copy(current_deb, dir.join("current.deb"))?;
    sign(&dir, &dir.join("current.deb"), current)?;

    // N+1 for "Jetzt neu starten", N+2 for the update a desk installs by itself when locked while idle.
    let after_next = next_version(&next)?;
    let built = [(&next, "next.deb"), (&after_next, "after-next.deb")].into_iter().try_for_each(|(version, name)| {
        let config = format!(r#"{{"version":"{version}"}}"#);
        run(crate::cargo_once(&["build", "--workspace", "--locked"]).env("TAURI_CONFIG", &config))?;
        let out = target.join("debug").join("bundle");
        let _ = std::fs::remove_dir_all(&out);
        run(tauri_cli().args(["bundle", "--ci", "--debug", "--bundles", "deb", "--config", &config]))?;
        let made = bundles(&out)?;
        let deb = made.first().with_context(|| format!("the bundler made no .deb of version {version}"))?;
        std::fs::copy(deb, dir.join(name))?;
        Ok::<_, anyhow::Error>(())
    });
    // The build of this version again, whatever happened: the other tests run it.
    let restored = run(&mut crate::cargo_once(&["build", "--workspace", "--locked"]));
    built.and(restored)?;
    sign(&dir, &dir.join("next.deb"), &next)?;
    sign(&dir, &dir.join("after-next.deb"), &after_next)?;

    // A package that is not Formdesk, validly signed for its version.
    let other_version = next_version(&next)?;
    let stage = dir.join("other-stage");
    std::fs::create_dir_all(stage.join("DEBIAN"))?;
    std::fs::write(
        stage.join("DEBIAN/control"),
        format!(
            "Package: formdesk-fremd\nVersion: {other_version}\nArchitecture: {}\nMaintainer: Formdesk\n\
             Description: not the desk app\n",
            architecture()?
        ),
    )?;
    run(Command::new("dpkg-deb")
        .args(["-Zgzip", "--root-owner-group", "--build"])
        .arg(&stage)
        .arg(dir.join("other.deb")))?;
    sign(&dir, &dir.join("other.deb"), &other_version)?;
    std::fs::write(
        dir.join("versions.json"),
        format!(r#"{{"current":"{current}","next":"{next}","afterNext":"{after_next}","other":"{other_version}"}}"#),
    )?;

    let home = target.join("package-test").join("update-home");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    run(Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", "tests/e2e/run.sh", "package/update.spec.mjs"])
        .env("FORMDESK_BIN", DESK_BINARY)
        .env("FORMDESK_UPDATE_DIR", &dir)
        .env("FORMDESK_UPDATE_HOME", &home)
        .current_dir(root()))?;
    let _ = std::fs::remove_dir_all(&home);
    println!("the installed desk updated itself from {current} to {next} through its portal");
    Ok(())
}

fn desk_removal_checks(home: &Path) -> Result<()> {
    if Path::new(DESK_BINARY).exists() {
        bail!("dpkg -r left {DESK_BINARY}");
    }
    let vault = home.join("data/de.formdesk.desk").join("vault.sqlite3");
    if !vault.is_file() {
        bail!("the desk's vault {} is gone after the package was removed", vault.display());
    }
    println!("removed; the desk's data in {} stays", vault.display());
    Ok(())
}

/// Installs the package made from the debug binary, checks its unit, runs it with its config, removes it.
pub fn test_portal_deb(target: &Path) -> Result<()> {
    may_install()?;
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

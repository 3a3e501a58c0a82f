//! The portal under load: its data (a folder, and on PostgreSQL a database in the tests' throwaway cluster),
//! the administrators' commands on it and running `formdesk-portal serve` instances.

use crate::measure::process_cpu;
use crate::{PORTAL, pg};
use anyhow::{Context as _, Result, anyhow, ensure};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A portal's data: its folder and, on PostgreSQL, its own database in the throwaway cluster.
#[derive(Debug)]
pub(crate) struct Store {
    _dir: tempfile::TempDir,
    pub(crate) args: Vec<String>,
    /// On PostgreSQL, the database's name.
    database: Option<String>,
}

impl Store {
    pub(crate) fn new(backend: Backend) -> Result<Store> {
        let dir = tempfile::Builder::new().prefix("formdesk-portal-load-").tempdir().context("a temporary folder")?;
        let mut args = vec!["--data-dir".to_owned(), dir.path().join("data").display().to_string()];
        let mut database = None;
        if backend == Backend::Postgres {
            let url = pg::cluster().database();
            database = url.rsplit_once('/').map(|(_, name)| name.to_owned());
            args.extend(["--database".to_owned(), url]);
        }
        Ok(Store { _dir: dir, args, database })
    }

    /// Runs an administrators' command on this store and returns what it printed.
    pub(crate) fn admin(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(PORTAL)
            .args(args)
            .args(&self.args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {PORTAL}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        ensure!(
            out.status.success(),
            "formdesk-portal {args:?}: {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(stdout)
    }
}

/// A running `formdesk-portal serve`; killed when dropped, unless it was stopped.
#[derive(Debug)]
pub(crate) struct Portal {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// On PostgreSQL, the name of the database it serves.
    pub(crate) database: Option<String>,
}

impl Portal {
    pub(crate) fn start(store: &Store) -> Result<Portal> {
        Portal::start_with(store, &[])
    }

    /// Starts a portal with `extra` options of `serve`.
    pub(crate) fn start_with(store: &Store, extra: &[&str]) -> Result<Portal> {
        let mut child = Command::new(PORTAL)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .args(&store.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting formdesk-portal serve")?;
        let stdout = child.stdout.take().context("the portal's standard output")?;
        // From here on the portal is killed on every way out.
        let mut portal = Portal { child, base: String::new(), database: store.database.clone() };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
        });
        let line = receiver
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| anyhow!("the portal printed no line within {START_TIMEOUT:?}"))?
            .context("reading the portal's standard output")?;
        portal.base = line
            .trim()
            .strip_prefix("formdesk-portal: listening on ")
            .ok_or_else(|| anyhow!("not the listening line: {line:?}"))?
            .to_owned();
        Ok(portal)
    }

    /// The CPU time the portal used so far, all its threads.
    pub(crate) fn cpu(&self) -> Option<Duration> {
        process_cpu(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Stops the portal with SIGTERM; it must exit cleanly within [`STOP_TIMEOUT`].
    pub(crate) fn stop(&mut self) -> Result<()> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().context("kill")?;
        ensure!(status.success(), "kill -TERM {} failed", self.child.id());
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(exit) = self.child.try_wait().context("waiting for the portal")? {
                ensure!(exit.success(), "the portal exited with {exit}");
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "the portal did not stop within {STOP_TIMEOUT:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
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

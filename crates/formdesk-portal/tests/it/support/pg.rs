//! A throwaway PostgreSQL cluster, started once per test binary from the binaries of the Debian package
//! `postgresql` (/usr/lib/postgresql/*/bin), listening on 127.0.0.1 on a free port, its data and socket in a
//! temporary folder. Each test gets its own database.
//!
//! PostgreSQL refuses to run as root, so under uid 0 the cluster runs as the `postgres` system user. A
//! watchdog shell started with the server stops it and removes its folder once the test process is gone,
//! however it ended: statics are never dropped, and a test binary can end in a panic.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    port: u16,
    next: AtomicUsize,
    /// The shell that stops the server once the test process is gone.
    _watchdog: std::process::Child,
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(Cluster::start)
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's binaries in /usr/lib/postgresql (Debian package postgresql)")
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file() && p.join("postgres").is_file())
        .collect();
    found.sort();
    found.pop().expect("initdb and postgres in /usr/lib/postgresql/*/bin")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Cluster {
    // The watchdog is never waited for: it outlives the test process on purpose, to stop the server after it.
    #[expect(clippy::zombie_processes)]
    fn start() -> Cluster {
        let bin = bin_dir();
        let as_postgres = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
        // Kept past the end of the test binary; the watchdog removes it.
        let root = tempfile::Builder::new().prefix("formdesk-portal-pg-").tempdir().expect("tempdir").keep();
        let data = root.join("data");
        let socket = root.join("socket");
        std::fs::create_dir_all(&socket).expect("mkdir");
        if as_postgres {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&root).status().expect("chown");
            assert!(status.success(), "chown of {} to postgres", root.display());
        }
        let initdb = run_as(as_postgres, &bin.join("initdb"))
            .args(["--no-sync", "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-locale", "-D"])
            .arg(&data)
            .current_dir(&root)
            .stdout(Stdio::null())
            .output()
            .expect("initdb runs");
        assert!(initdb.status.success(), "initdb: {}", String::from_utf8_lossy(&initdb.stderr));

        let port = free_port();
        let postgres = format!(
            "{} -D {} -k {} -h 127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300",
            bin.join("postgres").display(),
            data.display(),
            socket.display()
        );
        let postgres = if as_postgres {
            format!("setpriv --reuid=postgres --regid=postgres --init-groups -- {postgres}")
        } else {
            postgres
        };
        let watchdog = format!(
            "cd {root} || exit 1
             {postgres} >{log} 2>&1 &
             pg=$!
             while kill -0 {test} 2>/dev/null && kill -0 $pg 2>/dev/null; do sleep 0.2; done
             kill -INT $pg 2>/dev/null
             wait $pg
             rm -rf {root}",
            log = root.join("postgres.log").display(),
            test = std::process::id(),
            root = root.display(),
        );
        let watchdog = Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the PostgreSQL watchdog starts");

        let ready = bin.join("pg_isready");
        for _ in 0..600 {
            let status = Command::new(&ready)
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .status()
                .expect("pg_isready runs");
            if status.success() {
                return Cluster { bin, port, next: AtomicUsize::new(0), _watchdog: watchdog };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(root.join("postgres.log")).unwrap_or_default();
        panic!("PostgreSQL did not come up on port {port}:\n{log}");
    }

    /// A new, empty database and its URL.
    pub fn database(&self) -> String {
        let name = format!("portal_{}_{}", std::process::id(), self.next.fetch_add(1, Ordering::SeqCst));
        let out = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", &name])
            .output()
            .expect("createdb runs");
        assert!(out.status.success(), "createdb: {}", String::from_utf8_lossy(&out.stderr));
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs one SQL statement and returns its result as text.
    pub fn query(&self, url: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql")).args(["-tA", "-d", url, "-c", sql]).output().expect("psql runs");
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

fn run_as(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut command = Command::new("setpriv");
        command.args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

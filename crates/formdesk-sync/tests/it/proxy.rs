//! A fault-injecting HTTP/1.1 proxy of our own, between the engine and a real portal, on loopback only.
//!
//! Each client connection carries one request (the proxy asks the portal to close after its answer, and
//! passes that on), and for each the proxy draws from a seeded schedule what befalls it:
//!
//! - [`Action::Reset`] resets the connection before anything is read or forwarded;
//! - [`Action::Cut`] reads the request whole and lets only the first half of its body reach the portal, then
//!   closes both connections (a request without a body is forwarded as it is);
//! - [`Action::Drop`] forwards the request whole, reads the portal's answer whole, throws it away and closes
//!   the client's connection without it;
//! - [`Action::Forward`] passes request and answer unchanged.
//!
//! A script of actions, if given, comes before the random schedule. Every read is bounded in size and time,
//! and the accept loop in count; the proxy stops when dropped.

use crate::support::SplitMix;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Forward,
    Reset,
    Cut,
    Drop,
}

/// The shares of connections that are reset, cut and dropped; the rest is forwarded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    pub reset: f64,
    pub cut: f64,
    pub drop: f64,
}

impl Faults {
    pub const NONE: Faults = Faults { reset: 0.0, cut: 0.0, drop: 0.0 };
}

/// How many connections met each fate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub forwarded: usize,
    pub reset: usize,
    pub cut: usize,
    pub dropped: usize,
    /// Connections whose portal could not be reached (while it was down).
    pub no_upstream: usize,
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_CONNECTIONS: usize = 1_000_000;
const IO_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    faults: Mutex<Faults>,
    random: Mutex<SplitMix>,
    script: Mutex<VecDeque<Action>>,
    forwarded: AtomicUsize,
    reset: AtomicUsize,
    cut: AtomicUsize,
    dropped: AtomicUsize,
    no_upstream: AtomicUsize,
}

impl Shared {
    fn next_action(&self) -> Action {
        if let Some(action) = self.script.lock().expect("script").pop_front() {
            return action;
        }
        let faults = *self.faults.lock().expect("faults");
        let r = self.random.lock().expect("random").next_f64();
        if r < faults.reset {
            Action::Reset
        } else if r < faults.reset + faults.cut {
            Action::Cut
        } else if r < faults.reset + faults.cut + faults.drop {
            Action::Drop
        } else {
            Action::Forward
        }
    }
}

/// A running proxy.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream`, which must be on loopback too.
    pub async fn start(upstream: &str, seed: u64, faults: Faults) -> Proxy {
        let upstream: SocketAddr = upstream.parse().expect("an address");
        assert!(upstream.ip().is_loopback(), "the proxy forwards to loopback only, not {upstream}");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared {
            upstream,
            faults: Mutex::new(faults),
            random: Mutex::new(SplitMix(seed)),
            script: Mutex::new(VecDeque::new()),
            forwarded: AtomicUsize::new(0),
            reset: AtomicUsize::new(0),
            cut: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            no_upstream: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((client, _)) = listener.accept().await else { continue };
                let shared = Arc::clone(&accepting);
                tokio::spawn(async move {
                    let _ = handle(client, &shared).await;
                });
            }
        });
        Proxy { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().expect("faults") = faults;
    }

    /// Actions for the next connections, before the random schedule.
    pub fn script(&self, actions: &[Action]) {
        self.shared.script.lock().expect("script").extend(actions.iter().copied());
    }

    pub fn counts(&self) -> Counts {
        let s = &self.shared;
        Counts {
            forwarded: s.forwarded.load(Ordering::Relaxed),
            reset: s.reset.load(Ordering::Relaxed),
            cut: s.cut.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
            no_upstream: s.no_upstream.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(mut client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let action = shared.next_action();
    if action == Action::Reset {
        shared.reset.fetch_add(1, Ordering::Relaxed);
        // Closing with SO_LINGER 0 sends a RST instead of a FIN: a real reset.
        client.set_zero_linger()?;
        return Ok(());
    }
    let (head, body) = tokio::time::timeout(IO_TIMEOUT, read_request(&mut client)).await??;
    let head = close_after_answer(&head);
    let Ok(Ok(mut upstream)) = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(shared.upstream)).await else {
        shared.no_upstream.fetch_add(1, Ordering::Relaxed);
        client.set_zero_linger()?;
        return Ok(());
    };
    if action == Action::Cut && !body.is_empty() {
        shared.cut.fetch_add(1, Ordering::Relaxed);
        upstream.write_all(head.as_bytes()).await?;
        upstream.write_all(&body[..body.len() / 2]).await?;
        upstream.flush().await?;
        // Give the portal a moment to take the half it got, so the cut lands inside its body read.
        tokio::time::sleep(Duration::from_millis(5)).await;
        upstream.set_zero_linger()?;
        client.set_zero_linger()?;
        return Ok(());
    }
    upstream.write_all(head.as_bytes()).await?;
    upstream.write_all(&body).await?;
    upstream.flush().await?;
    let mut answer = Vec::new();
    tokio::time::timeout(IO_TIMEOUT, (&mut upstream).take(MAX_BODY as u64).read_to_end(&mut answer)).await??;
    if action == Action::Drop {
        shared.dropped.fetch_add(1, Ordering::Relaxed);
        client.set_zero_linger()?;
        return Ok(());
    }
    shared.forwarded.fetch_add(1, Ordering::Relaxed);
    tokio::time::timeout(IO_TIMEOUT, client.write_all(&answer)).await??;
    client.shutdown().await?;
    Ok(())
}

/// Reads one request: its head (up to the blank line) and a body of its Content-Length.
async fn read_request(client: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err(bad("request head too long"));
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("closed before the request head ended"));
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).map_err(|_| bad("request head not UTF-8"))?;
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    if head.to_ascii_lowercase().contains("transfer-encoding:") {
        return Err(bad("chunked requests are not supported"));
    }
    if length > MAX_BODY {
        return Err(bad("request body too large"));
    }
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("closed before the body ended"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok((head, body))
}

/// The request head with `Connection: close`, so the portal's answer ends with its connection and one
/// connection carries one request.
fn close_after_answer(head: &str) -> String {
    let mut out = String::with_capacity(head.len() + 20);
    for line in head.trim_end_matches("\r\n").split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("connection: close\r\n\r\n");
    out
}

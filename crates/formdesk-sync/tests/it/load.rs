//! The portal under a flood, while a real desk delivers: 500 connections at once sending large bodies signed
//! for a made-up device or with a wrong signature for the desk's own, and 200 slow clients sending a byte a second, against the real
//! `formdesk-portal serve` on loopback. The desk's sync engine must get its submissions through, and the
//! portal's memory (VmRSS from /proc) must stay under [`PEAK_RSS_BOUND`] during the flood and fall under
//! [`AFTER_RSS_BOUND`] after it.
//!
//! Before the portal checked requests ahead of their bodies and bounded what it holds, 32 such requests took
//! it from 16 MB to 302 MB, and it stayed at 270–420 MB afterwards. The flood stops by itself once the desk
//! is done or after [`FLOOD_LIMIT`]; the portal's short header and body timeouts keep the slow clients'
//! rounds short. It prints its figures; docs/benchmarks.md records them.

use crate::support::{PortalEnv, SplitMix, device_key, seal_submission};
use formdesk_protocol::{auth, decode_base64url};
use formdesk_sync::{Backoff, EngineOptions, MemoryOutbox, Portal, PortalOptions, SyncEngine};
use ring::signature::KeyPair;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const DESTINATION: &str = "ordnungsamt";

/// The most the portal may hold during the flood. A debug build of the portal is some 20 MB at rest; its
/// limits allow 64 MiB of bodies, 32 KiB of buffer for each of up to 1024 connections, and the pieces the
/// store writes.
const PEAK_RSS_BOUND: u64 = 150 * 1024 * 1024;

/// What the portal must fall under within ten seconds of the flood's end: its allocator (jemalloc, see
/// `.cargo/config.toml`) hands freed memory back to the system within a second (measured: 32–46 MB, from a
/// peak of 124–131 MB); before, the portal stayed at 270–420 MB.
const AFTER_RSS_BOUND: u64 = 60 * 1024 * 1024;

/// The longest the flood runs, whatever the desk does.
const FLOOD_LIMIT: Duration = Duration::from_secs(60);

const FLOODERS: usize = 500;
const SLOW_CLIENTS: usize = 200;
const SUBMISSIONS: usize = 20;
/// Two pieces of the desk's 1 MiB each.
const ATTACHMENT_SIZE: usize = 1_200_000;

/// What the flood got as answers.
#[derive(Debug, Default)]
struct Tally {
    requests: AtomicU64,
    unauthorized: AtomicU64,
    busy: AtomicU64,
    too_large: AtomicU64,
    timed_out: AtomicU64,
    other: AtomicU64,
    cut: AtomicU64,
}

impl Tally {
    fn count(&self, answer: Option<u16>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let counter = match answer {
            Some(401) => &self.unauthorized,
            Some(503) => &self.busy,
            Some(413) => &self.too_large,
            Some(408) => &self.timed_out,
            Some(_) => &self.other,
            None => &self.cut,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn summary(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "{} requests: {} × 401, {} × 503, {} × 413, {} × 408, {} other, {} cut off",
            get(&self.requests),
            get(&self.unauthorized),
            get(&self.busy),
            get(&self.too_large),
            get(&self.timed_out),
            get(&self.other),
            get(&self.cut)
        )
    }
}

/// The portal process serving `data_dir`, found by its command line.
fn portal_pid(data_dir: &str) -> u32 {
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        if args.contains(&b"serve".as_slice()) && args.contains(&data_dir.as_bytes()) {
            return pid;
        }
    }
    panic!("no portal process serves {data_dir}");
}

/// A field of /proc/<pid>/status in bytes (VmRSS, VmHWM).
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field} in {status}"));
    let kb: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap();
    kb * 1024
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Sends one request with `headers` and a body of `length` bytes as fast as the portal takes it, and reads
/// the status of the answer; `None` if the connection was cut first.
async fn large_request(addr: &str, headers: &str, length: usize) -> Option<u16> {
    static CHUNK: [u8; 64 * 1024] = [b'A'; 64 * 1024];
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(headers.as_bytes()).await.ok()?;
    let (mut reader, mut writer) = stream.into_split();
    let send = async move {
        let mut left = length;
        while left > 0 {
            let n = left.min(CHUNK.len());
            if writer.write_all(&CHUNK[..n]).await.is_err() {
                break;
            }
            left -= n;
        }
        // Keep the writing half open until the answer is read.
        writer
    };
    let read = async move {
        let mut answer = [0u8; 12];
        reader.read_exact(&mut answer).await.ok()?;
        std::str::from_utf8(&answer[9..12]).ok()?.parse().ok()
    };
    let (_, status) = tokio::join!(send, read);
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_and_slow_requests_neither_stops_the_desk_nor_fills_the_portals_memory() {
    let env = PortalEnv::new();
    env.add_destination(DESTINATION);
    let process = env
        .serve_with("127.0.0.1:0", &["--header-timeout", "2", "--body-timeout", "2"])
        .unwrap_or_else(|log| panic!("the portal did not start: {log}"));
    let addr = process.addr.clone();
    let url = process.url();
    let pid = portal_pid(&env.dir.path().join("data").display().to_string());
    let rss_at_rest = status_bytes(pid, "VmRSS:");

    // The desk: enrolled, the destination's key fetched, its submissions sealed and queued.
    let (device_id, code) = env.enrol_code("Bürgerbus 1");
    let key = Arc::new(device_key());
    let registration = Portal::enrol(&url, &code, key.public_key().as_ref(), &PortalOptions::default()).await.unwrap();
    let portal_key = decode_base64url(&registration.portal_key).unwrap();
    let portal = Portal::new(&url, &device_id, &portal_key, PortalOptions::default()).unwrap();
    portal.unlock(Arc::clone(&key));
    let destinations = portal.destinations().await.unwrap();
    let destination = destinations.iter().find(|d| d.id == DESTINATION).unwrap();
    let recipient = formdesk_seal::RecipientKey::from_spki_der(&decode_base64url(&destination.public_key).unwrap())
        .expect("an RSA key");
    let mut random = SplitMix(7);
    let sealed: Vec<_> = (0..SUBMISSIONS)
        .map(|n| seal_submission(&mut random, DESTINATION, &recipient, n, 1, ATTACHMENT_SIZE))
        .collect();
    let outbox = MemoryOutbox::new();
    let now = formdesk_sync::Clock::now(&formdesk_sync::SystemClock);
    for s in &sealed {
        outbox.queue(&s.id, DESTINATION, s.parts.clone(), now).unwrap();
    }

    // The flood: nine in ten flooders name a device nobody enrolled, one in ten the desk's own id with a
    // signature over other bytes; their bodies are as large as the routes take. The slow clients send headers, or an
    // enrolment's body, a byte a second.
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let mut flood = Vec::new();
    for n in 0..FLOODERS {
        let (addr, stop, tally, device_id) = (addr.clone(), Arc::clone(&stop), Arc::clone(&tally), device_id.clone());
        flood.push(tokio::spawn(async move {
            let mut random = SplitMix(1000 + n as u64);
            while !stop.load(Ordering::Relaxed) {
                let (submission, attachment) = (random.uuid(), random.uuid());
                let (device, length) =
                    if n % 10 == 0 { (device_id.clone(), 4 * 1024 * 1024) } else { (random.uuid(), 8 * 1024 * 1024) };
                let path = format!("/v1/submissions/{submission}/attachments/{attachment}?offset=0&total={length}");
                let time = formdesk_sync::Clock::now(&formdesk_sync::SystemClock);
                let signature = formdesk_protocol::encode_base64url(&random.bytes(64));
                let headers = format!(
                    "PUT {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: {} {device}.{time}.{signature}\r\n\
                     content-length: {length}\r\n\r\n",
                    auth::SCHEME
                );
                tally.count(large_request(&addr, &headers, length).await);
            }
        }));
    }
    for n in 0..SLOW_CLIENTS {
        let (addr, stop, tally) = (addr.clone(), Arc::clone(&stop), Arc::clone(&tally));
        flood.push(tokio::spawn(async move {
            // Half send their headers a byte a second; half send an enrolment's headers at once and its body
            // a byte a second.
            let (head, rest): (&[u8], Vec<u8>) = if n % 2 == 0 {
                (b"", b"GET /v1/destinations HTTP/1.1\r\nhost: portal\r\n\r\n".to_vec())
            } else {
                (b"POST /v1/enrolment HTTP/1.1\r\nhost: portal\r\ncontent-length: 4000\r\n\r\n", vec![b'x'; 4000])
            };
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = TcpStream::connect(&addr).await else {
                    tally.count(None);
                    continue;
                };
                let answer = match stream.write_all(head).await {
                    Ok(()) => slow_request_on(&mut stream, &rest).await,
                    Err(_) => None,
                };
                tally.count(answer);
            }
        }));
    }

    // The desk delivers through it all, retrying quickly when the portal says it is busy.
    let sampler = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(status_bytes(pid, "VmRSS:"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peak
        })
    };
    let engine_options = EngineOptions {
        retry: Backoff { base: Duration::from_millis(200), cap: Duration::from_secs(1) },
        probe: Backoff { base: Duration::from_millis(50), cap: Duration::from_millis(500) },
        idle_check: Duration::from_secs(1),
        ..EngineOptions::default()
    };
    let started = Instant::now();
    let engine = SyncEngine::start(outbox.clone(), Arc::new(portal), engine_options).unwrap();
    while outbox.delivered_count().unwrap() < SUBMISSIONS && started.elapsed() < FLOOD_LIMIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivering = started.elapsed();
    let delivered = outbox.delivered_count().unwrap();
    let peak_sampled = status_bytes(pid, "VmRSS:");
    stop.store(true, Ordering::Relaxed);
    engine.shutdown().await;
    let peak_sampled = sampler.await.unwrap().max(peak_sampled);
    let peak = status_bytes(pid, "VmHWM:");
    let threads = status_bytes(pid, "Threads:") / 1024;
    for task in flood {
        // A slow client finishes its round within the portal's timeouts.
        tokio::time::timeout(Duration::from_secs(20), task).await.expect("the flood ends").unwrap();
    }

    // After the flood the portal gives memory back.
    let after_started = Instant::now();
    let mut after = status_bytes(pid, "VmRSS:");
    while after >= AFTER_RSS_BOUND && after_started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = status_bytes(pid, "VmRSS:");
    }
    eprintln!(
        "flood: {FLOODERS} flooders and {SLOW_CLIENTS} slow clients for {:.1} s, {}; the desk delivered \
         {delivered} of {SUBMISSIONS} submissions with a {:.1} MB attachment each ({:.2}/s); portal RSS at rest \
         {:.0} MB, peak {:.0} MB (sampled {:.0} MB), after {:.0} MB; {threads} threads",
        delivering.as_secs_f64(),
        tally.summary(),
        ATTACHMENT_SIZE as f64 / 1e6,
        delivered as f64 / delivering.as_secs_f64(),
        mb(rss_at_rest),
        mb(peak),
        mb(peak_sampled),
        mb(after)
    );
    assert_eq!(delivered, SUBMISSIONS, "the desk's deliveries did not get through the flood");
    assert!(peak < PEAK_RSS_BOUND, "the portal's RSS peaked at {:.0} MB", mb(peak));
    assert!(after < AFTER_RSS_BOUND, "the portal's RSS stayed at {:.0} MB after the flood", mb(after));
    assert!(tally.unauthorized.load(Ordering::Relaxed) > 0, "{}", tally.summary());
    // The portal still answers as before.
    assert!(Portal::new(&url, &device_id, &portal_key, PortalOptions::default()).unwrap().healthz().await.is_ok());
    drop(process);
}

/// Sends the rest of a request a byte a second on a connected stream; the status, or `None` if closed.
async fn slow_request_on(stream: &mut TcpStream, rest: &[u8]) -> Option<u16> {
    let mut answer = [0u8; 12];
    for byte in rest {
        tokio::select! {
            read = stream.read(&mut answer) => {
                return match read {
                    Ok(n) if n >= 12 => std::str::from_utf8(&answer[9..12]).ok()?.parse().ok(),
                    _ => None,
                };
            }
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        stream.write_all(std::slice::from_ref(byte)).await.ok()?;
    }
    stream.read_exact(&mut answer).await.ok()?;
    std::str::from_utf8(&answer[9..12]).ok()?.parse().ok()
}

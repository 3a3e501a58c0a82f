//! The server's own accept loop, for plain HTTP and for HTTPS alike: hyper's HTTP/1 connections over tokio,
//! with the connection limit, the timeout for headers (and TLS handshakes) and a graceful shutdown.
//!
//! axum's `serve` has no limit on connections and no header timeout, so the loop is written here on
//! hyper-util: a connection beyond [`Limits::max_connections`] gets a canned 503 `busy` answer (plain HTTP)
//! or is closed before its handshake (HTTPS, where an answer would cost a handshake first).
//!
//! Non-goals: HTTP/2 (the desk speaks HTTP/1.1), routing (that is [`crate::server`]).

use crate::limits::Limits;
use anyhow::Context as _;
use axum::Router;
use formdesk_protocol::wire::{ErrorBody, ErrorCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// How long open requests may take to finish after the signal to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The most bytes hyper buffers for a connection (headers, and the body as it passes through); the
/// protocol's headers are a few hundred bytes.
const MAX_BUF_SIZE: usize = 32 * 1024;

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<rustls::ServerConfig>,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let acceptor = tls.map(|config| tokio_rustls::TlsAcceptor::from(Arc::new(config)));
    let connections = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(MAX_BUF_SIZE);
    let graceful = GracefulShutdown::new();
    let busy = Arc::new(busy_answer());
    // Refusing takes a task and a descriptor too: at most this many at once, each for a moment; past that a
    // connection over the limit is simply closed.
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let header_timeout = limits.header_timeout;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection gone before it was accepted: the loop goes
                    // on after a moment instead of spinning.
                    eprintln!("formdesk-portal: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            if acceptor.is_none()
                && let Ok(refusal) = Arc::clone(&refusals).try_acquire_owned()
            {
                let busy = Arc::clone(&busy);
                tokio::spawn(async move {
                    refuse(stream, busy, REFUSAL_TIMEOUT).await;
                    drop(refusal);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let http = http.clone();
        // Each request carries its connection's peer address (the console's sign-in throttle counts per
        // address).
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(Peer(peer));
            let mut router = router.clone();
            async move { tower_service::Service::call(&mut router, request).await }
        });
        let watcher = graceful.watcher();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match acceptor {
                None => {
                    let _ = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await;
                }
                Some(acceptor) => {
                    let Ok(Ok(stream)) = tokio::time::timeout(header_timeout, acceptor.accept(stream)).await else {
                        return;
                    };
                    let _ = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await;
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!("formdesk-portal: requests still open after {} s were cut off", SHUTDOWN_GRACE.as_secs());
    }
    Ok(())
}

/// How many connections over the limit are answered at once; more are closed without an answer.
const MAX_REFUSALS: usize = 64;

/// How long a connection over the limit may take to take its answer.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// The answer to a connection over the limit, whatever it asked.
fn busy_answer() -> Vec<u8> {
    let body = ErrorBody { code: ErrorCode::Busy, message: "the portal has too many open connections".into() };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend(body);
    answer
}

/// Answers a connection over the limit with 503 and closes it, giving up after `timeout`.
async fn refuse(mut stream: TcpStream, answer: Arc<Vec<u8>>, timeout: Duration) {
    let _ = tokio::time::timeout(timeout, async {
        stream.write_all(&answer).await?;
        stream.shutdown().await
    })
    .await;
}

/// The peer address of a request's connection, in its extensions.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::SocketAddr);

/// Starts listening on `addr`.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))
}

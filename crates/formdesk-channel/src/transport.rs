//! How tough reaches the portal: over the desk's own reqwest client (its TLS settings, its trusted
//! certificates), counting the bytes that arrive.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tough::{Bytes, Transport, TransportError, TransportErrorKind, TransportStream};
use url::Url;

/// tough's transport over a reqwest client.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    /// A transport over `client`.
    pub fn new(client: reqwest::Client) -> HttpTransport {
        HttpTransport { client }
    }
}

#[tough::async_trait]
impl Transport for HttpTransport {
    async fn fetch(&self, url: Url) -> Result<TransportStream, TransportError> {
        let failed = |e: reqwest::Error| TransportError::new_with_cause(TransportErrorKind::Other, url.clone(), e);
        let mut response = self.client.get(url.as_str()).send().await.map_err(failed)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::FORBIDDEN {
            return Err(TransportError::new(TransportErrorKind::FileNotFound, url));
        }
        if !status.is_success() {
            return Err(TransportError::new_with_cause(
                TransportErrorKind::Other,
                url.clone(),
                std::io::Error::other(format!("HTTP {status}")),
            ));
        }
        // The body arrives chunk by chunk through a small channel, so tough's size limits stop an endless
        // answer after the limit, not after memory ran out.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, TransportError>>(4);
        let at = url.clone();
        tokio::spawn(async move {
            loop {
                let next = match response.chunk().await {
                    Ok(Some(chunk)) => Ok(chunk),
                    Ok(None) => break,
                    Err(e) => Err(TransportError::new_with_cause(TransportErrorKind::Other, at.clone(), e)),
                };
                let stop = next.is_err();
                if tx.send(next).await.is_err() || stop {
                    break;
                }
            }
        });
        Ok(Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))))
    }
}

/// A transport that counts the bytes it delivers.
#[derive(Debug, Clone)]
pub struct Counted {
    inner: Box<dyn Transport>,
    bytes: Arc<AtomicU64>,
}

impl Counted {
    /// Counts what `inner` delivers.
    pub fn new(inner: Box<dyn Transport>) -> Counted {
        Counted { inner, bytes: Arc::new(AtomicU64::new(0)) }
    }

    /// The counter, shared with every clone.
    pub fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes)
    }
}

#[tough::async_trait]
impl Transport for Counted {
    async fn fetch(&self, url: Url) -> Result<TransportStream, TransportError> {
        use futures_util::StreamExt;
        let stream = self.inner.fetch(url).await?;
        let bytes = Arc::clone(&self.bytes);
        Ok(Box::pin(stream.inspect(move |chunk| {
            if let Ok(chunk) = chunk {
                bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        })))
    }
}

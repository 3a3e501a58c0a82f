//! How much the server takes on at once, and how it says no: connections, requests in flight, the bytes of
//! request bodies held in memory, and how long a client may take to send its headers and its body.
//!
//! What is over a limit is answered at once with 503 and the code `busy` (and `Retry-After`), never queued
//! without bound: a desk retries with backoff, and a flood costs the portal a refusal each, not memory. Every
//! body is read into memory whole, so each is first given its place in a byte budget ([`BodyBudget`]): the
//! most the server holds for bodies at any time is that budget, however many requests arrive.
//!
//! Non-goals: rates per client or per device (that is a reverse proxy's business), and streaming a body into
//! the store (a piece of an attachment is at most [`Limits::max_piece_bytes`], so it is held whole).

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The largest enrolment request: a code and a public key are a hundred bytes.
pub const ENROLMENT_BYTES: usize = 4 * 1024;

/// The largest announcement: a destination and up to 1000 attachment ids of 36 characters are about 40 KB.
pub const ANNOUNCE_BYTES: usize = 64 * 1024;

/// How long a body waits for room in the byte budget before it is refused as `busy`.
pub const BUDGET_WAIT: Duration = Duration::from_secs(2);

/// The limits of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The most open connections; another one is answered with 503 (plain HTTP) or closed (HTTPS).
    pub max_connections: usize,
    /// The most requests the store works on at once (counted from when a request's body is in); another one
    /// is answered with 503.
    pub max_requests: usize,
    /// The most bytes of request bodies held at once.
    pub max_body_memory: usize,
    /// The largest piece of an attachment in one request (the desk sends 1 MiB).
    pub max_piece_bytes: usize,
    /// How long a client may take to send a request's headers (and an HTTPS handshake) before the connection
    /// is closed. An idle connection kept alive is closed after this time, too.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body before it is answered with 408.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            max_requests: 128,
            max_body_memory: 64 * 1024 * 1024,
            max_piece_bytes: 4 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// The bytes of request bodies the server may hold, shared by all requests.
#[derive(Debug, Clone)]
pub struct BodyBudget {
    bytes: Arc<Semaphore>,
    total: usize,
    wait: Duration,
}

/// Room for one body in the budget, given back when dropped.
#[derive(Debug)]
pub struct BodyRoom(#[allow(dead_code, reason = "held for its drop")] Option<OwnedSemaphorePermit>);

impl BodyBudget {
    /// A budget of `total` bytes; a body waits up to `wait` for room.
    pub fn new(total: usize, wait: Duration) -> BodyBudget {
        let total = total.min(Semaphore::MAX_PERMITS);
        BodyBudget { bytes: Arc::new(Semaphore::new(total)), total, wait }
    }

    /// Room for `bytes`, waiting a little for other bodies to be done; `None` if there is none then.
    pub async fn room(&self, bytes: usize) -> Option<BodyRoom> {
        if bytes == 0 {
            return Some(BodyRoom(None));
        }
        // No body is larger than the budget (checked when the server starts), and none larger than u32.
        let permits = u32::try_from(bytes.min(self.total)).ok()?;
        let wait = Arc::clone(&self.bytes).acquire_many_owned(permits);
        match tokio::time::timeout(self.wait, wait).await {
            Ok(Ok(permit)) => Some(BodyRoom(Some(permit))),
            _ => None,
        }
    }
}

/// The requests being answered, at most [`Limits::max_requests`].
#[derive(Debug, Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    /// Room for `max` requests.
    pub fn new(max: usize) -> InFlight {
        InFlight(Arc::new(Semaphore::new(max.clamp(1, Semaphore::MAX_PERMITS))))
    }

    /// A place for one more request, if there is one now.
    pub fn enter(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.0).try_acquire_owned().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_budget_gives_room_up_to_its_total_and_takes_it_back() {
        let budget = BodyBudget::new(100, Duration::ZERO);
        let a = budget.room(60).await.expect("room");
        let b = budget.room(40).await.expect("room");
        assert!(budget.room(1).await.is_none(), "the budget is spent");
        drop(a);
        assert!(budget.room(60).await.is_some());
        drop(b);
        assert!(budget.room(0).await.is_some());
        let in_flight = InFlight::new(1);
        let first = in_flight.enter().expect("a place");
        assert!(in_flight.enter().is_none());
        drop(first);
        assert!(in_flight.enter().is_some());
    }
}

//! Where the engine and the portal client get the time: injectable, so tests decide exactly what "now" is.
//!
//! Non-goals: timers. The engine sleeps on tokio's clock; a test that pauses tokio's time derives its
//! [`Clock`] from it, and both stay in step.

/// Unix seconds, as the outbox and the signed requests use them.
pub trait Clock: Send + Sync + 'static {
    /// The current time in Unix seconds.
    fn now(&self) -> i64;
}

impl<F: Fn() -> i64 + Send + Sync + 'static> Clock for F {
    fn now(&self) -> i64 {
        self()
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

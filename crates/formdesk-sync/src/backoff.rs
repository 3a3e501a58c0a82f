//! Exponential backoff with full jitter: after the n-th failure in a row, wait a uniformly random time between
//! zero and `base · 2^(n−1)`, at most `cap`. The randomness spreads the desks of a municipality that all lost
//! the portal at once, so they do not all come back in the same second (AWS Architecture Blog, "Exponential
//! Backoff And Jitter").
//!
//! Non-goals: sleeping. [`Backoff::delay`] only computes; the engine turns it into a due time or a timer.

use std::time::Duration;

/// Where the jitter comes from; injectable so tests get the same waits every time.
pub trait RandomSource: Send + 'static {
    /// A uniformly distributed 64-bit number.
    fn next_u64(&mut self) -> u64;
}

impl<F: FnMut() -> u64 + Send + 'static> RandomSource for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}

/// The system's random numbers (through ring).
#[derive(Debug)]
pub struct SystemRandomSource(ring::rand::SystemRandom);

impl Default for SystemRandomSource {
    fn default() -> SystemRandomSource {
        SystemRandomSource::new()
    }
}

impl SystemRandomSource {
    /// The system's source.
    pub fn new() -> SystemRandomSource {
        SystemRandomSource(ring::rand::SystemRandom::new())
    }
}

impl RandomSource for SystemRandomSource {
    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        match ring::rand::SecureRandom::fill(&self.0, &mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            // Without system randomness, the middle of the range keeps the backoff working; drawing 0 every
            // time would retry at once, over and over.
            Err(_) => u64::MAX / 2,
        }
    }
}

/// A backoff schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The longest wait after the first failure.
    pub base: Duration,
    /// The longest wait ever.
    pub cap: Duration,
}

impl Backoff {
    /// Retrying a submission: 2 s after the first failure, doubling up to 15 minutes.
    pub const RETRY: Backoff = Backoff { base: Duration::from_secs(2), cap: Duration::from_secs(15 * 60) };

    /// Asking an unreachable portal whether it is back: 2 s, doubling up to 5 minutes; a `GET /healthz` costs
    /// the portal next to nothing, and the clerk should not wait long once the network is back.
    pub const PROBE: Backoff = Backoff { base: Duration::from_secs(2), cap: Duration::from_secs(5 * 60) };

    /// The longest wait after the `failures`-th failure in a row (1 for the first): `base · 2^(failures−1)`,
    /// at most `cap`. Zero failures wait nothing.
    pub fn ceiling(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        // 2^20 times any sensible base is far beyond any sensible cap; stopping there avoids overflow.
        let factor = 1u32 << (failures - 1).min(20);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A wait after the `failures`-th failure in a row: uniformly random between zero and
    /// [`Backoff::ceiling`], in whole milliseconds.
    pub fn delay(&self, failures: u32, random: &mut dyn RandomSource) -> Duration {
        let ceiling = u64::try_from(self.ceiling(failures).as_millis()).unwrap_or(u64::MAX);
        if ceiling == 0 {
            return Duration::ZERO;
        }
        // The modulo's bias is below 2^-40 for any ceiling under a day: nothing a retry schedule could notice.
        Duration::from_millis(random.next_u64() % (ceiling.saturating_add(1)))
    }

    /// [`Backoff::delay`] in whole seconds, rounded up, for due times in Unix seconds.
    pub fn delay_secs(&self, failures: u32, random: &mut dyn RandomSource) -> i64 {
        let millis = self.delay(failures, random).as_millis();
        i64::try_from(millis.div_ceil(1000)).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a small seeded generator, enough for tests.
    fn seeded(mut state: u64) -> impl FnMut() -> u64 + Send + 'static {
        move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn the_ceiling_doubles_from_the_base_up_to_the_cap() {
        let b = Backoff::RETRY;
        let secs: Vec<u64> = (0..=12).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(secs, [0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(900));
        assert_eq!(Backoff::PROBE.ceiling(9), Duration::from_secs(300));
    }

    #[test]
    fn delays_stay_within_bounds_and_spread_over_them() {
        let b = Backoff::RETRY;
        let mut random = seeded(7);
        for failures in 1..=15 {
            let ceiling = b.ceiling(failures);
            let delays: Vec<Duration> = (0..2000).map(|_| b.delay(failures, &mut random)).collect();
            assert!(delays.iter().all(|d| *d <= ceiling), "failure {failures}");
            // Full jitter: the draws cover the whole range, the lowest and the highest tenth alike.
            let tenth = ceiling / 10;
            assert!(delays.iter().any(|d| *d < tenth), "failure {failures}: nothing near zero");
            assert!(delays.iter().any(|d| *d > ceiling - tenth), "failure {failures}: nothing near the ceiling");
            let mean = delays.iter().sum::<Duration>() / 2000;
            assert!(mean > ceiling * 4 / 10 && mean < ceiling * 6 / 10, "failure {failures}: mean {mean:?}");
        }
    }

    #[test]
    fn the_extremes_of_the_random_source_give_zero_and_the_ceiling() {
        let b = Backoff::RETRY;
        assert_eq!(b.delay(3, &mut || 0u64), Duration::ZERO);
        assert_eq!(b.delay(3, &mut || 8000u64), Duration::from_secs(8));
        assert_eq!(b.delay_secs(3, &mut || 7001u64), 8);
        assert_eq!(b.delay_secs(3, &mut || 0u64), 0);
        assert_eq!(b.delay(0, &mut || 12345u64), Duration::ZERO);
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let b = Backoff::RETRY;
        let (mut x, mut y) = (seeded(42), seeded(42));
        let first: Vec<Duration> = (1..20).map(|n| b.delay(n, &mut x)).collect();
        let second: Vec<Duration> = (1..20).map(|n| b.delay(n, &mut y)).collect();
        assert_eq!(first, second);
    }
}

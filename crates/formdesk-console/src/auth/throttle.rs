//! Slowing wrong sign-ins, as a pure function of what the portal counted.
//!
//! The portal counts failures per key (one for the account, one for the client address) in
//! `sign_in_failures (key, window_start, count)`, shared by all instances, and asks [`throttle`] before it
//! checks a password. From the 4th failure within a window of 15 minutes each further attempt waits
//! `2^(n-4)` seconds after the last failure (1, 2, 4, … 32 seconds); from the 10th the key is locked for
//! 15 minutes after that failure. The answer comes at once with the time to wait; a request never sleeps,
//! so waiting costs the server nothing.
//!
//! A refused attempt is not a failure: the caller counts only attempts whose password was checked and
//! wrong, so someone hammering a locked account does not extend the lock forever.

use super::LoginKey;
use std::net::IpAddr;

/// Length of the counting window in seconds (15 minutes).
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures after which each attempt waits.
pub const WAIT_FROM: u32 = 4;
/// Failures after which the key is locked.
pub const LOCK_FROM: u32 = 10;
/// Length of a lock in seconds (15 minutes).
pub const LOCK_SECONDS: i64 = 15 * 60;

/// What a sign-in attempt may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Check the password. `fresh_window` says the stored window has ended (or there was none): a failure
    /// now starts a new window at `now` with a count of 1.
    Allowed {
        /// Whether a failure starts a new window.
        fresh_window: bool,
    },
    /// Answer without checking: try again in `seconds`.
    Wait {
        /// Seconds until an attempt is allowed (at least 1).
        seconds: i64,
    },
    /// Answer without checking: the key is locked until `until` (Unix seconds).
    Locked {
        /// When the lock ends.
        until: i64,
        /// Seconds until then (at least 1).
        seconds: i64,
    },
}

impl Throttle {
    /// Whether the password may be checked.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }

    /// The German sentence for the sign-in page, none if allowed.
    pub fn message(&self) -> Option<String> {
        match *self {
            Self::Allowed { .. } => None,
            Self::Wait { seconds } => {
                Some(format!("Zu viele Versuche. Bitte in {} erneut versuchen.", duration_de(seconds)))
            }
            Self::Locked { seconds, .. } => Some(format!(
                "Zu viele Versuche. Die Anmeldung ist gesperrt. Bitte in {} erneut versuchen.",
                duration_de(seconds)
            )),
        }
    }
}

/// "1 Sekunde", "8 Sekunden", "1 Minute", "15 Minuten" (whole minutes rounded up from 60 seconds on).
/// A wait in German words: "1 Sekunde", "8 Sekunden", "15 Minuten" (minutes rounded up).
pub fn duration_de(seconds: i64) -> String {
    if seconds < 60 {
        if seconds == 1 { "1 Sekunde".into() } else { format!("{seconds} Sekunden") }
    } else {
        let minutes = (seconds + 59) / 60;
        if minutes == 1 { "1 Minute".into() } else { format!("{minutes} Minuten") }
    }
}

/// Decides an attempt at `now` from the stored count: `failures` in the window that began at
/// `window_start`, the last at `last_failure` (all Unix seconds). With no stored row pass 0 failures (the
/// times are then not read).
///
/// A lock counts from the failure that caused it, so it lasts its full 15 minutes even when the window
/// ends earlier. A clock that went backwards (`now` before the last failure) counts as no time passed.
///
/// The waits count from the last failure, so the table keeps its time besides `(key, window_start, count)`
/// of `docs/tenants.md`.
pub fn throttle(failures: u32, window_start: i64, last_failure: i64, now: i64) -> Throttle {
    let last = last_failure;
    if failures >= LOCK_FROM {
        let until = last.saturating_add(LOCK_SECONDS);
        if now < until {
            return Throttle::Locked { until, seconds: until - now.max(last) };
        }
        return Throttle::Allowed { fresh_window: true };
    }
    if failures == 0 || now >= window_start.saturating_add(WINDOW_SECONDS) {
        return Throttle::Allowed { fresh_window: true };
    }
    if failures >= WAIT_FROM {
        let wait = 1i64 << (failures - WAIT_FROM);
        let until = last.saturating_add(wait);
        if now < until {
            return Throttle::Wait { seconds: until - now.max(last) };
        }
    }
    Throttle::Allowed { fresh_window: false }
}

/// The counting key of an account: a keyed digest of the login (trimmed, lower case), so the table does
/// not hold what people typed into the login field in clear (sometimes their password).
pub fn account_key(login: &str, key: &LoginKey) -> String {
    format!("account:{}", key.digest(login))
}

/// The counting key of a client address. An IPv4 address counts alone; an IPv6 address by its /64
/// prefix, because one connection usually holds a whole /64 and could otherwise count afresh from each of
/// its addresses. An IPv4 address in IPv6 form counts as the IPv4 address.
pub fn address_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => format!("address:{v4}"),
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let prefix = std::net::Ipv6Addr::new(segments[0], segments[1], segments[2], segments[3], 0, 0, 0, 0);
            format!("address:{prefix}/64")
        }
    }
}

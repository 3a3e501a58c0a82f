//! Attacks on the channel: each is refused with a clear reason and the last good set stays installed.

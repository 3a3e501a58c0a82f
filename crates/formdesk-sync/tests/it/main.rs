//! The sync engine's tests: the engine against a scripted courier on paused time, and deliveries to the real
//! portal process, plainly and through a fault-injecting proxy of our own.

// Helpers outside `#[test]` functions panic on purpose too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod delivery;
mod engine;
mod forms;
mod load;
mod messages;
mod provisioning;
mod proxy;
mod support;
mod tls;

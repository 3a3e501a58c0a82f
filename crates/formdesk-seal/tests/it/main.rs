//! Integration tests of formdesk-seal: round trips, interoperability with an independent JOSE implementation
//! (josekit, on OpenSSL), tampering, key parsing and properties over arbitrary input.

mod fixtures;
mod interop;
mod keys;
mod props;
mod round_trip;
mod tamper;

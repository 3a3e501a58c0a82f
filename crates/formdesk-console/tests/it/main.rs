//! The console library's tests, one binary.

mod auth;
mod pages;

//! The console library's tests, one binary.

mod auth;
mod import_report;
mod pages;

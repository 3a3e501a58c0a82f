//! The administrators' command line and the portal server, run as the real binary.

mod admin;
mod api;
mod app_updates;
mod audit;
mod channel;
mod config;
mod console;
mod console_forms;
mod delivery;
mod forms;
mod isolation;
mod receipt;
mod support;
mod tenants;
mod translations;

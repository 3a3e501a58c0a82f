#!/usr/bin/env bash
# Sets up what `cargo xtask` needs to start on a fresh Debian or Ubuntu machine (a C toolchain and Rust), then
# hands over to it: `xtask/bootstrap.sh run` opens the desk app, `xtask/bootstrap.sh test` runs every test.
# `cargo xtask` installs the rest itself (Debian packages, the UI's npm packages, cargo-nextest).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
fi
if command -v rustup >/dev/null 2>&1; then
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
fi

exec cargo xtask "$@"

#!/usr/bin/env bash
# Runs the end-to-end tests against the built desk app, as CI does: every spec in specs/, or the spec files
# given as arguments.
#
# Expects the app to be built already (`cargo build -p formdesk`, or FORMDESK_BIN pointing at a binary) and
# an X display (CI wraps this script in `xvfb-run -a -s "-screen 0 1280x800x24"`). Installs what the tests
# need when it is missing: the npm packages of tests/e2e and tauri-driver. Screenshots and driver logs land
# in test-artifacts/e2e/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

# The tauri-driver release this harness is written against; `^2` picks the newest 2.x, as Tauri documents.
TAURI_DRIVER_VERSION='^2'

if [[ -z "${DISPLAY:-}" ]]; then
  echo "run.sh: no X display; run it as: xvfb-run -a -s \"-screen 0 1280x800x24\" $0" >&2
  exit 2
fi

app="${FORMDESK_BIN:-$repo/target/debug/formdesk}"
if [[ ! -x "$app" ]]; then
  echo "run.sh: $app is missing; build it first: cargo build -p formdesk" >&2
  exit 2
fi

if [[ ! -x /usr/bin/WebKitWebDriver && -z "${WEBKIT_WEBDRIVER:-}" ]]; then
  echo "run.sh: /usr/bin/WebKitWebDriver is missing; install the Debian package webkit2gtk-driver" >&2
  exit 2
fi

if [[ ! -x /usr/bin/chromedriver && -z "${CHROMEDRIVER:-}" ]]; then
  echo "run.sh: /usr/bin/chromedriver is missing; install the Debian packages chromium and chromium-driver" >&2
  exit 2
fi

# cargo's bin folder is not on PATH in every shell CI starts.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v tauri-driver >/dev/null; then
  echo "run.sh: installing tauri-driver $TAURI_DRIVER_VERSION" >&2
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

mkdir -p "$repo/test-artifacts/e2e"
# Spec files named on the command line (paths under tests/e2e) instead of every spec in specs/: the package
# test runs package/installed.spec.mjs against the installed app this way.
if [[ $# -gt 0 ]]; then
  exec node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec "$@"
fi
exec npm test

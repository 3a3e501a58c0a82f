// Starts the real desk app for a test and takes it down again: tauri-driver in front of WebKitWebDriver,
// which launches target/debug/formdesk under the X display of the caller (xvfb-run in CI). Also keeps
// screenshots and runs axe-core in the app's web view.
//
// Non-goals: building the app (the caller runs `cargo build -p formdesk` first) and providing a display.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { field } from './query.mjs';

/** The repository's root folder. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where screenshots and driver logs go; CI keeps this folder. */
export const ARTIFACTS = join(REPO, 'test-artifacts', 'e2e');

/** The desk app under test. */
export const APP_BINARY = process.env.FORMDESK_BIN
  ? resolve(process.env.FORMDESK_BIN)
  : join(REPO, 'target', 'debug', 'formdesk');

const TAURI_DRIVER = process.env.TAURI_DRIVER ?? 'tauri-driver';
const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';

/** How long the driver may take to answer `/status`, and the app to close when asked. */
const DRIVER_START_MS = 20_000;
const SHUTDOWN_MS = 10_000;

/** The clerk and PIN that `launch` sets a new desk up with. */
export const CLERK = 'Erika Musterfrau';
export const PIN = '246813';

/**
 * A fresh folder for one desk: `data` is its data directory (`--data-dir`), `home` takes what the app and
 * WebKit would otherwise put under the user's home (XDG data, cache, config: the web view's storage).
 * Remove it with `rmSync(root, { recursive: true })` when done.
 */
export function freshDesk() {
  const root = mkdtempSync(join(tmpdir(), 'formdesk-e2e-'));
  return { root, data: join(root, 'data'), home: join(root, 'home') };
}

export { WCAG_TAGS } from './axe.mjs';

// Process groups of drivers that are still running. Each tauri-driver is the leader of its own group, which
// also holds WebKitWebDriver, the app and the app's WebKit processes; killing the group takes all of them.
const running = new Set();

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    throw e;
  }
}

/**
 * The processes of group `pgid` that still run. Zombies do not count: a WebKit helper whose parent (the app)
 * is gone is re-parented to init and waits there to be reaped, which can take a second or two.
 */
function groupMembers(pgid) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return killGroup(pgid, 0) ? [pgid] : [];
  }
  const members = [];
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses, so parse after the last ")".
    const end = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(end + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(`${pid} ${stat.slice(stat.indexOf('('), end + 1)}`);
  }
  return members;
}

// The last resort when the test process ends without calling close(): no driver or app outlives it.
process.on('exit', () => {
  for (const pgid of running) killGroup(pgid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const pgid of running) killGroup(pgid, 'SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

/** `count` TCP ports on the loopback interface that were free a moment ago. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((ok, fail) => {
          const server = createServer();
          server.once('error', fail);
          server.listen(0, '127.0.0.1', () => ok(server));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

export function readLog(path) {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** Waits until the driver answers `/status` with ready, or fails when it exits or takes too long. */
async function waitForDriver(port, child, logPath) {
  const deadline = Date.now() + DRIVER_START_MS;
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? `status ${code}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`tauri-driver exited (${exited}) before it was ready:\n${readLog(logPath)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      const body = await response.json();
      if (response.ok && body?.value?.ready !== false) return;
    } catch {
      // Not listening yet.
    }
    await delay(100);
  }
  throw new Error(`tauri-driver did not answer on port ${port} within ${DRIVER_START_MS} ms:\n${readLog(logPath)}`);
}

/**
 * Stops the driver's process group: the driver first, which kills WebKitWebDriver, then whatever is left.
 * Fails when a process of the group survives even SIGKILL.
 */
async function stopGroup(pgid) {
  const gone = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (groupMembers(pgid).length === 0) return true;
      await delay(50);
    }
    return groupMembers(pgid).length === 0;
  };
  // tauri-driver kills its WebKitWebDriver on SIGTERM; the app's WebKit processes end with the app.
  try {
    process.kill(pgid, 'SIGTERM');
  } catch (e) {
    if (e.code !== 'ESRCH') throw e;
  }
  if (!(await gone(SHUTDOWN_MS / 2))) {
    killGroup(pgid, 'SIGTERM');
    if (!(await gone(SHUTDOWN_MS / 2))) {
      killGroup(pgid, 'SIGKILL');
      await gone(SHUTDOWN_MS);
    }
  }
  running.delete(pgid);
  const left = groupMembers(pgid);
  if (left.length > 0) throw new Error(`processes of the app's group outlived SIGKILL: ${left.join(', ')}`);
}

/**
 * Launches the desk app with `args` and opens a WebDriver session on its window.
 *
 * Returns `{ browser, close, desk, recoverySecret }`: `browser` is a WebdriverIO browser whose page is the
 * app's web view; `close()` ends the session and every process started for it, and may be called more than
 * once. `name` labels the driver's log file in the artifacts folder; `env` adds variables to the app's
 * environment.
 *
 * `desk` (from `freshDesk()`) is the desk's folder (with `data: null` the app keeps its data in its default
 * folder under `home`); without it the desk gets a fresh one that `close()`
 * removes. `access` says what to do at the door: `setup` (the default) sets a new desk up for CLERK with
 * PIN through the setup screen, `unlock` unlocks with PIN, `none` leaves the first screen as it is.
 */
export async function launch({ args = [], name = 'app', env = {}, desk, access = 'setup' } = {}) {
  const ownDesk = desk === undefined;
  desk ??= freshDesk();
  // A desk without `data` runs on the app's default data folder, under `home` (XDG_DATA_HOME).
  if (desk.data) args = ['--data-dir', desk.data, ...args];
  env = {
    XDG_DATA_HOME: join(desk.home, 'data'),
    XDG_CACHE_HOME: join(desk.home, 'cache'),
    XDG_CONFIG_HOME: join(desk.home, 'config'),
    ...env,
  };
  mkdirSync(ARTIFACTS, { recursive: true });
  const logPath = join(ARTIFACTS, `${name}.driver.log`);
  const log = openSync(logPath, 'w');
  const [port, nativePort] = await freePorts(2);
  const driver = spawn(
    TAURI_DRIVER,
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE_DRIVER],
    {
      // Its own process group, so that close() can end the driver, WebKitWebDriver and the app together.
      detached: true,
      stdio: ['ignore', log, log],
      // tauri-driver logs every refused connection while WebKitWebDriver starts; without this each of those
      // comes with an anyhow backtrace. Panics keep theirs (RUST_BACKTRACE).
      // The app inherits the driver's environment.
      env: { ...process.env, RUST_LIB_BACKTRACE: '0', ...env },
    },
  );
  closeSync(log);
  const spawned = new Promise((ok, fail) => {
    driver.once('spawn', ok);
    driver.once('error', (e) =>
      fail(new Error(`cannot start ${TAURI_DRIVER} (install it with tests/e2e/run.sh): ${e.message}`)),
    );
  });
  await spawned;
  const pgid = driver.pid;
  running.add(pgid);

  let browser = null;
  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    if (browser) {
      // Deleting the session closes the app's window, and the app exits with it.
      // The timer is unref'd: once the session is gone it must not hold the test process for its full length.
      await Promise.race([browser.deleteSession().catch(() => {}), delay(SHUTDOWN_MS, null, { ref: false })]);
    }
    await stopGroup(pgid);
    if (ownDesk) rmSync(desk.root, { recursive: true, force: true });
  }

  try {
    await waitForDriver(port, driver, logPath);
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      connectionRetryCount: 0,
      waitforTimeout: 15_000,
      capabilities: {
        'tauri:options': { application: APP_BINARY, args },
      },
    });
  } catch (e) {
    await close().catch(() => {}); // the launch error is the one to report
    throw new Error(`cannot start ${APP_BINARY} ${args.join(' ')}: ${e.message}\n${readLog(logPath)}`, {
      cause: e,
    });
  }
  let recoverySecret = null;
  try {
    if (access === 'setup') recoverySecret = await setUp(browser);
    else if (access === 'unlock') await unlockDesk(browser);
  } catch (e) {
    await close().catch(() => {});
    throw new Error(`the desk could not be ${access === 'setup' ? 'set up' : 'unlocked'}: ${e.message}`, { cause: e });
  }
  return { browser, close, desk, recoverySecret, logPath };
}

/**
 * Sets a new desk up for CLERK with PIN on the setup screen; returns the recovery secret it showed. With
 * `portal` (`{ url, code, beforeConnecting }`) the setup's last step connects the desk with that portal
 * (`beforeConnecting()` runs with the form filled in), else it is left for later.
 */
export async function setUp(browser, clerk = CLERK, pin = PIN, portal = null) {
  const text = await setUpClerk(browser, clerk, pin);
  await browser.$(`//h2[normalize-space(.) = 'Mit dem Portal verbinden']`).waitForDisplayed();
  if (portal) {
    await field(browser, 'Adresse des Portals').setValue(portal.url);
    await field(browser, 'Anmeldecode').setValue(portal.code);
    await portal.beforeConnecting?.();
    await browser.$(`//button[normalize-space(.) = 'Verbinden']`).click();
  } else {
    await browser.$(`//button[normalize-space(.) = 'Später verbinden']`).click();
  }
  // The start screen follows, or with `--open` the form's first step.
  await browser.$('.access').waitForExist({ reverse: true });
  return text;
}

/**
 * The setup's first two steps: the first clerk's name and PIN, then past the recovery secret, which it
 * returns. What follows (connecting with a portal, by hand or from a provisioning file) is the caller's.
 */
export async function setUpClerk(browser, clerk = CLERK, pin = PIN) {
  await field(browser, 'Ihr Name').waitForDisplayed({ timeout: 30_000 });
  await field(browser, 'Ihr Name').setValue(clerk);
  await field(browser, 'PIN').setValue(pin);
  await field(browser, 'PIN wiederholen').setValue(pin);
  await browser.$(`//button[normalize-space(.) = 'Einrichten']`).click();
  const secret = browser.$('.recovery-secret');
  await secret.waitForDisplayed({ timeout: 30_000 });
  const text = (await secret.$$('.recovery-group').map((g) => g.getText())).join('-');
  await browser.$(`//label[contains(., 'Wiederherstellungsschlüssel notiert')]//input`).click();
  await browser.$(`//button[normalize-space(.) = 'Weiter']`).click();
  return text;
}

/** Unlocks the desk on the lock screen with `pin`; waits until the lock screen is gone. */
export async function unlockDesk(browser, pin = PIN) {
  await field(browser, 'PIN').waitForDisplayed();
  await field(browser, 'PIN').setValue(pin);
  await browser.$(`//button[normalize-space(.) = 'Entsperren']`).click();
  await browser.$(`//h2[normalize-space(.) = 'Formdesk ist gesperrt']`).waitForExist({ reverse: true, timeout: 30_000 });
}

/** Saves a screenshot of the app's window as `<repo>/test-artifacts/e2e/<name>.png`; returns its path. */
export async function shot(browser, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // WebKitWebDriver photographs the last frame the web view painted, which can lag the DOM that a test has
  // just waited for (the forms list present, the picture still "Formulare werden geladen …"). The second
  // animation frame starts only after the first one's rendering update has painted.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  const path = join(ARTIFACTS, name.endsWith('.png') ? name : `${name}.png`);
  await browser.saveScreenshot(path);
  return path;
}

export { assertNoSeriousViolations, axe, describeViolations } from './axe.mjs';

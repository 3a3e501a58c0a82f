// Headless Chromium for the pages the portal serves (the administrators' console): Debian's `chromium`
// driven by its `chromedriver` through webdriverio, the same client the desk specs use.
//
// The console is served over HTTPS with a certificate made for the test, so the session accepts insecure
// certificates; cookies then behave as in production (`Secure`, `__Host-`). The flags keep Chromium off the
// network: on a closed network its background services only produce refused connections.
//
// Non-goals: starting the portal (lib/portal.mjs does) and an X display (headless needs none).

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { ARTIFACTS, freePorts, readLog } from './app.mjs';

const CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** How long chromedriver may take to answer `/status`, and the browser to close. */
const DRIVER_START_MS = 20_000;
const SHUTDOWN_MS = 10_000;

/** Waits until chromedriver answers `/status` with ready; fails when it exits or takes too long. */
async function waitForDriver(port, child, logPath) {
  const deadline = Date.now() + DRIVER_START_MS;
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? `status ${code}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`chromedriver exited (${exited}) before it was ready:\n${readLog(logPath)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      const body = await response.json();
      if (response.ok && body?.value?.ready === true) return;
    } catch {
      // Not listening yet.
    }
    await delay(100);
  }
  throw new Error(`chromedriver did not answer on port ${port} within ${DRIVER_START_MS} ms:\n${readLog(logPath)}`);
}

/**
 * Starts chromedriver and a headless Chromium with a fresh profile; `name` names the driver log in
 * test-artifacts/e2e. Resolves with `{ browser, close }`; `close()` ends the browser, the driver and the
 * profile folder.
 */
export async function openChromium(name, { width = 1280, height = 900 } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'formdesk-chromium-'));
  const logPath = join(ARTIFACTS, `${name}.chromedriver.log`);
  const log = openSync(logPath, 'w');
  const [port] = await freePorts(1);
  const driver = spawn(CHROMEDRIVER, [`--port=${port}`], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  await new Promise((ok, fail) => {
    driver.once('spawn', ok);
    driver.once('error', (e) =>
      fail(new Error(`cannot start ${CHROMEDRIVER} (Debian package chromium-driver): ${e.message}`)),
    );
  });

  let browser = null;
  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    if (browser) {
      await Promise.race([browser.deleteSession().catch(() => {}), delay(SHUTDOWN_MS, null, { ref: false })]);
    }
    if (driver.exitCode === null && driver.signalCode === null) {
      const exited = new Promise((ok) => driver.once('exit', ok));
      try {
        process.kill(-driver.pid, 'SIGTERM');
      } catch (e) {
        if (e.code !== 'ESRCH') throw e;
      }
      await Promise.race([exited, delay(SHUTDOWN_MS, null, { ref: false })]);
      try {
        process.kill(-driver.pid, 'SIGKILL');
      } catch (e) {
        if (e.code !== 'ESRCH') throw e;
      }
    }
    rmSync(profile, { recursive: true, force: true });
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
        browserName: 'chrome',
        acceptInsecureCerts: true,
        'goog:chromeOptions': {
          binary: CHROMIUM,
          args: [
            '--headless=new',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--no-first-run',
            '--no-default-browser-check',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-features=Translate,OptimizationHints,MediaRouter',
            `--window-size=${width},${height}`,
            `--user-data-dir=${profile}`,
            '--lang=de-DE',
          ],
        },
      },
    });
  } catch (e) {
    await close().catch(() => {});
    throw new Error(`cannot start Chromium: ${e.message}\n${readLog(logPath)}`, { cause: e });
  }
  return { browser, close };
}

/** Saves a screenshot of the current page as test-artifacts/e2e/<name>.png and returns its path. */
export async function snap(browser, name) {
  const path = join(ARTIFACTS, name.endsWith('.png') ? name : `${name}.png`);
  await browser.saveScreenshot(path);
  return path;
}

// The installed desk app updates itself from its portal: the package test of `cargo xtask test` installs
// version N from its .deb, builds N+1 with a bumped version, signs both with a key of its own
// (`tauri signer`), and runs this file with FORMDESK_BIN=/usr/bin/formdesk and FORMDESK_UPDATE_DIR holding:
// update.key.pub, next.deb(.sig) (N+1), after-next.deb(.sig) (N+2), current.deb(.sig) (N, signed as what it is), other.deb(.sig) (a
// validly signed package that is not Formdesk), and the versions in versions.json.
//
// A desk provisioned with that key, with a case begun, reaches its portal through a man in the middle that
// first offers a tampered N+1, then N's old bundle announced as a newer version (advisory GHSA-j38x-g3m3-95fr),
// then another program's package: each is refused and named on the start screen, and the desk stays on N.
// Then the administrators publish N+1 (`formdesk-portal app publish`); the desk downloads and verifies it,
// offers "Jetzt neu starten", installs it and starts again; the relaunched app is N+1 and finds the case.
// Last, N+2 is published and the desk, unlocked and then left alone, locks itself and installs it by itself.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_BINARY, REPO, assertNoSeriousViolations, axe, launch, setUpClerk, shot } from '../lib/app.mjs';
import { adminOf, serve, stop } from '../lib/portal.mjs';
import { button, field, heading, openForm, press, reveal, squash } from '../lib/query.mjs';

const dir = process.env.FORMDESK_UPDATE_DIR;
const home = process.env.FORMDESK_UPDATE_HOME;
const work = mkdtempSync(join(tmpdir(), 'formdesk-update-e2e-'));
const portalData = join(work, 'portal');
const keys = join(work, 'keys');
const admin = adminOf(portalData);
let portal;
let portalUrl;
let proxy;
let proxyUrl;
let app;

/**
 * What the man in the middle does with the app's update requests: `pass` forwards them to the portal like
 * everything else; the others answer with a manifest of their own making and serve its bundle.
 */
let mode = 'pass';
const file = (name) => readFileSync(join(dir, name));
const versions = () => JSON.parse(file('versions.json').toString());

function forged() {
  const { current, next } = versions();
  const offers = {
    // N+1's genuine signature over a bundle with one byte changed.
    tampered: { version: next, bundle: 'tampered', signature: file('next.deb.sig').toString() },
    // N's old, validly signed bundle, announced as a version newer than N+1.
    replayed: { version: bumped(next), bundle: 'current.deb', signature: file('current.deb.sig').toString() },
    // A validly signed package of another program, of the version announced.
    other: { version: versions().other, bundle: 'other.deb', signature: file('other.deb.sig').toString() },
  };
  assert.ok(current !== next);
  return offers[mode];
}

function bumped(version) {
  const [major, minor, patch] = version.split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}

function bundleBytes(name) {
  if (name !== 'tampered') return file(name);
  const bytes = Buffer.from(file('next.deb'));
  bytes[bytes.length - 100] ^= 0xff;
  return bytes;
}

function startProxy(target) {
  const server = http.createServer((req, res) => {
    const offer = mode === 'pass' ? null : forged();
    if (offer && /^\/app\/v1\/[a-z]+\/latest\.json$/.test(req.url)) {
      const platform = { signature: offer.signature, url: `${proxyUrl}/forged/${offer.bundle}` };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        version: offer.version,
        notes: 'Fehlerbehebungen',
        pub_date: new Date().toISOString(),
        platforms: { 'linux-x86_64-deb': platform, 'linux-x86_64': platform },
      }));
      return;
    }
    const forgedBundle = /^\/forged\/([a-z.]+)$/.exec(req.url);
    if (forgedBundle) {
      res.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package' });
      res.end(bundleBytes(forgedBundle[1]));
      return;
    }
    const upstream = http.request(new URL(req.url, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  assert.ok(dir && home, 'FORMDESK_UPDATE_DIR and FORMDESK_UPDATE_HOME are not set: this file runs from `cargo xtask test package`');
  assert.equal(APP_BINARY, '/usr/bin/formdesk', 'FORMDESK_BIN must name the installed app');
  admin('keys', 'init', '--keys', keys);
  admin('forms', 'publish', join(REPO, 'forms'), '--keys', keys);
  ({ child: portal, url: portalUrl } = await serve(['--listen', '127.0.0.1:0', '--data-dir', portalData]));
  proxy = await startProxy(portalUrl);
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
});

after(async () => {
  await app?.close();
  proxy?.close();
  await stop(portal);
  rmSync(work, { recursive: true, force: true });
});

/** The start screen's "Programm" panel, as text. */
async function programPanel(browser) {
  return squash(await browser.$(`//section[@aria-labelledby='app-title']`).getText());
}

async function waitForPanel(browser, pattern, what) {
  let said = '';
  await browser
    .waitUntil(async () => pattern.test((said = await programPanel(browser))), { timeout: 120_000, interval: 500 })
    .catch(() => {
      throw new Error(`${what}: the panel says "${said}"`);
    });
  return said;
}

test('forged updates are refused; the published one is installed at "Jetzt neu starten" and keeps the case', async () => {
  const { current, next } = versions();
  const provisioning = join(work, 'bus.formdesk');
  admin('devices', 'enrol', '--name', 'Bürgerbus Update', '--provisioning', provisioning, '--portal-url', proxyUrl,
    '--app-update-key', join(dir, 'update.key.pub'));
  const desk = { root: home, data: null, home };
  mode = 'tampered';
  app = await launch({
    name: 'update', desk, access: 'none', args: ['--provision', provisioning, '--update-check-seconds', '2'],
  });
  let { browser } = app;
  await setUpClerk(browser);
  await browser.$('.access').waitForExist({ reverse: true, timeout: 60_000 });

  // A case begun before the update.
  await openForm(browser, 'Hund anmelden');
  await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeout: 30_000 });
  await field(browser, 'Vorname(n)').setValue('Gertrud');
  await field(browser, 'Familienname').setValue('Aktualisiert');
  await press(browser, button(browser, 'Zur Startseite'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();
  assert.match(await programPanel(browser), new RegExp(`Formdesk Version ${current.replaceAll('.', '\\.')}`));

  await waitForPanel(browser, /nicht mit dem Schlüssel Ihrer Verwaltung signiert/, 'a tampered bundle');
  await reveal(browser, browser.$(`//section[@aria-labelledby='app-title']`));
  await shot(browser, 'update-01-tampered');
  mode = 'replayed';
  const replay = await waitForPanel(browser, /kündigt Version \S+ an, das Paket enthält aber Version/, 'an old bundle under a new number');
  assert.ok(replay.includes(`Version ${bumped(next)} an`) && replay.includes(`Version ${current};`), replay);
  mode = 'other';
  await waitForPanel(browser, /ist nicht Formdesk/, "another program's package");
  await reveal(browser, browser.$(`//section[@aria-labelledby='app-title']`));
  await shot(browser, 'update-02-other');
  assert.equal(await button(browser, 'Jetzt neu starten').isExisting(), false, 'no restart offered for a refused bundle');
  assert.match(execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'formdesk'], { encoding: 'utf8' }), new RegExp(`^${current}$`));

  // The administrators publish N+1; the desk takes it from the portal itself.
  admin('app', 'publish', join(dir, 'next.deb'), '--signature', join(dir, 'next.deb.sig'), '--key',
    join(dir, 'update.key.pub'), '--channel', 'all', '--notes', 'Neue Version für den Test');
  mode = 'pass';
  await waitForPanel(browser, new RegExp(`Version ${next.replaceAll('.', '\\.')} ist heruntergeladen und geprüft`), 'the published version');
  await reveal(browser, browser.$(`//section[@aria-labelledby='app-title']`));
  await shot(browser, 'update-03-ready');
  assertNoSeriousViolations(await axe(browser));
  await browser.$(`//button[normalize-space(.) = 'Jetzt neu starten']`).click();
  // The package is installed and the app starts again, out of the driver's reach: wait for the new version.
  const installed = async () => execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'formdesk'], { encoding: 'utf8' });
  const deadline = Date.now() + 120_000;
  while ((await installed()) !== next && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  assert.equal(await installed(), next, 'the new version is not installed');
  await app.close();

  // Started again, as N+1: the case is there.
  app = await launch({ name: 'update-after', desk, access: 'unlock', args: ['--update-check-seconds', '2'] });
  ({ browser } = app);
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed({ timeout: 30_000 });
  assert.match(await programPanel(browser), new RegExp(`Formdesk Version ${next.replaceAll('.', '\\.')}`));
  const drafts = squash(await browser.$(`//ul[contains(@class,'drafts')]`).getText());
  assert.ok(drafts.includes('Gertrud Aktualisiert'), drafts);
  await reveal(browser, browser.$(`//section[@aria-labelledby='app-title']`));
  await shot(browser, 'update-04-after');
  // The desk tells its portal which version it runs.
  let status = '';
  await browser.waitUntil(async () => (status = admin('app', 'status')).includes(next), {
    timeout: 60_000,
    timeoutMsg: 'app status does not show the new version',
  }).catch(() => {
    throw new Error(`app status:\n${status}`);
  });
  await app.close();
});

test('a desk that locked itself while idle installs a published version by itself', async () => {
  const { next, afterNext } = versions();
  admin('app', 'publish', join(dir, 'after-next.deb'), '--signature', join(dir, 'after-next.deb.sig'), '--key',
    join(dir, 'update.key.pub'), '--channel', 'all');
  // Unlocked, then left alone: it locks after six seconds without input, and nobody presses anything.
  const desk = { root: home, data: null, home };
  app = await launch({
    name: 'update-idle', desk, access: 'unlock', args: ['--update-check-seconds', '2', '--idle-lock', '0.1'],
  });
  const installed = () => execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'formdesk'], { encoding: 'utf8' });
  assert.equal(installed(), next);
  const deadline = Date.now() + 120_000;
  while (installed() !== afterNext && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  assert.equal(installed(), afterNext, 'the locked, idle desk did not install the new version');
  await app.close();

  app = await launch({ name: 'update-idle-after', desk, access: 'unlock' });
  const { browser } = app;
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed({ timeout: 30_000 });
  assert.match(await programPanel(browser), new RegExp(`Formdesk Version ${afterNext.replaceAll('.', '\\.')}`));
  const drafts = squash(await browser.$(`//ul[contains(@class,'drafts')]`).getText());
  assert.ok(drafts.includes('Gertrud Aktualisiert'), drafts);
});

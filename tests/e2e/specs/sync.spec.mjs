// The desk and its portal: the real `formdesk-portal serve` on loopback, a one-time enrolment code made with
// the administrators' command, and the "Übermittlung" panel of the start screen that connects the desk with
// it: a wrong code is refused with a message, the right one connects, and the portal lists the desk as
// enrolled.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { button, field, heading } from '../lib/query.mjs';

const PORTAL = process.env.FORMDESK_PORTAL_BIN ?? join(REPO, 'target', 'debug', 'formdesk-portal');
const portalData = mkdtempSync(join(tmpdir(), 'formdesk-portal-e2e-'));
let portal;
let portalUrl;
let app;

/** Runs an administrators' command on the test portal's data folder and returns what it printed. */
function admin(...args) {
  return execFileSync(PORTAL, [...args, '--data-dir', portalData], { encoding: 'utf8' });
}

before(async () => {
  portal = spawn(PORTAL, ['serve', '--listen', '127.0.0.1:0', '--data-dir', portalData], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  portalUrl = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the portal did not start: ${seen}`)), 30_000);
    portal.stdout.on('data', (chunk) => {
      seen += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    portal.on('exit', (code) => reject(new Error(`the portal exited with ${code}: ${seen}`)));
  });
  admin(
    'destinations',
    'add',
    '--id',
    'steueramt',
    '--name',
    'Steueramt Musterstadt',
    '--key',
    join(REPO, 'crates/formdesk-seal/tests/keys/authority-a-4096.pub.pem'),
  );
});

after(async () => {
  await app?.close();
  portal?.kill('SIGTERM');
  rmSync(portalData, { recursive: true, force: true });
});

test('the desk connects to its portal with the one-time code', async () => {
  const enrolment = admin('devices', 'enrol', '--name', 'Bürgerbus 1');
  const code = /^code\s+(\S+)$/m.exec(enrolment)?.[1];
  assert.ok(code, `no code in: ${enrolment}`);

  app = await launch({ name: 'sync' });
  const { browser } = app;
  await heading(browser, 'Übermittlung').waitForDisplayed();
  await browser
    .$("//p[starts-with(normalize-space(.), 'Dieser Arbeitsplatz ist noch mit keinem Portal verbunden.')]")
    .waitForDisplayed({ timeoutMsg: 'the panel does not say that the desk is not connected' });
  await button(browser, 'Mit Portal verbinden').click();
  await field(browser, 'Adresse des Portals').setValue(portalUrl);
  await field(browser, 'Anmeldecode').setValue('AAAA-BBBB-CCCC-DDDD');
  await button(browser, 'Verbinden').click();
  const refusal = browser.$("//section[@aria-labelledby='sync-title']//*[@role='alert']");
  await refusal.waitForDisplayed({ timeout: 20_000, timeoutMsg: 'a wrong code gives no message' });
  assert.match(await refusal.getText(), /nicht|401/i);
  await shot(browser, 'sync-01-wrong-code');

  await field(browser, 'Anmeldecode').setValue(code.toLowerCase());
  await button(browser, 'Verbinden').click();
  const connected = browser.$(
    `//p[normalize-space(.) = 'Verbunden mit ${portalUrl} als „Bürgerbus 1“.']`,
  );
  await connected.waitForDisplayed({ timeout: 20_000, timeoutMsg: 'the desk does not say it is connected' });
  assert.ok(await button(browser, 'Jetzt senden').isDisplayed());
  await shot(browser, 'sync-02-connected');
  assertNoSeriousViolations(await axe(browser));

  const devices = admin('devices', 'list');
  const line = devices.split('\n').find((l) => l.includes('Bürgerbus 1'));
  assert.ok(line, devices);
  assert.match(line, /enrolled/);
});

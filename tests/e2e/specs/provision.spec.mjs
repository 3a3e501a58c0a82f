// A desk set up from its provisioning file, with real processes: the administrators publish their forms with
// the municipality's letterhead and write the desk's file with `formdesk-portal devices enrol --provisioning`;
// the desk starts with `--provision FILE`, the clerk sets a PIN, and the desk connects by itself: no address
// or code typed. It installs the published forms, and a Hundeanmeldung is delivered; its printed receipt has
// the letterhead of the published set. The same file on a second desk is refused as used, and an expired one
// is refused before anything is asked, each with what to do.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, assertNoSeriousViolations, axe, launch, setUpClerk, shot } from '../lib/app.mjs';
import { registerDog } from '../lib/hund.mjs';
import { adminOf, serve, stop } from '../lib/portal.mjs';
import { keepingPrinter } from '../lib/printer.mjs';
import { button, byText, field, heading, openForm, press, squash } from '../lib/query.mjs';

const work = mkdtempSync(join(tmpdir(), 'formdesk-provision-e2e-'));
const portalData = join(work, 'portal');
const keys = join(work, 'keys');
const forms = join(work, 'forms');
const printer = keepingPrinter(join(work, 'bin'));
const admin = adminOf(portalData);
const LETTERHEAD = 'Gemeinde Hüllhorst';
let portal;
let portalUrl;
let app;
let file;

/** The setup's box that says what the file sets the desk up for. */
const summary = (browser) => browser.$(`//div[@class='provision']`);

before(async () => {
  // The published set carries the municipality's letterhead.
  cpSync(join(REPO, 'forms'), forms, { recursive: true });
  writeFileSync(
    join(forms, 'municipality.json'),
    JSON.stringify({ formatVersion: 1, name: LETTERHEAD, address: ['Bürgerbüro, Löhner Straße 1', '32609 Hüllhorst'] }),
  );
  admin('keys', 'init', '--keys', keys);
  admin('forms', 'publish', forms, '--keys', keys);
  admin('destinations', 'add', '--id', 'steueramt', '--name', 'Steueramt Musterstadt', '--key',
    join(REPO, 'crates/formdesk-seal/tests/keys/authority-a-4096.pub.pem'));
  ({ child: portal, url: portalUrl } = await serve(['--listen', '127.0.0.1:0', '--data-dir', portalData]));
  file = join(work, 'buergerbus-3.formdesk');
  admin('devices', 'enrol', '--name', 'Bürgerbus 3', '--provisioning', file, '--portal-url', portalUrl);
});

after(async () => {
  await app?.close();
  await stop(portal);
  rmSync(work, { recursive: true, force: true });
});

test('a desk set up from its provisioning file connects by itself and delivers a Hundeanmeldung', async () => {
  app = await launch({
    name: 'provision',
    access: 'none',
    args: ['--provision', file],
    env: printer.env,
  });
  const { browser } = app;
  await heading(browser, 'Formdesk einrichten').waitForDisplayed({ timeout: 30_000 });
  await summary(browser).waitForDisplayed();
  const said = squash(await summary(browser).getText());
  assert.match(said, /als „Bürgerbus 3“ für Gemeinde Musterstadt eingerichtet/);
  assert.ok(said.includes(`mit dem Portal ${portalUrl} verbunden`), said);
  assert.match(said, /Die Datei gilt bis \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr\./);
  await shot(browser, 'provision-01-setup');
  assertNoSeriousViolations(await axe(browser));

  await setUpClerk(browser);
  // No address, no code: the desk connects with the file and goes on to the start screen.
  await browser.$('.access').waitForExist({ reverse: true, timeout: 60_000 }).catch(async (e) => {
    await shot(browser, 'provision-02-not-connected');
    throw e;
  });
  await byText(browser, `Verbunden mit ${portalUrl} als „Bürgerbus 3“.`, 'p').waitForDisplayed();
  // The published set is installed by itself.
  const forms = browser.$(`//section[@aria-labelledby='forms-title']`);
  await browser.waitUntil(async () => squash(await forms.getText()).includes('Zuletzt nach neuen Formularen gesucht'), {
    timeout: 60_000,
    timeoutMsg: 'the desk never checked the portal for forms',
  });
  await shot(browser, 'provision-02-start');
  assert.match(admin('devices', 'list'), /enrolled\s+since .*Bürgerbus 3/);

  await openForm(browser, 'Hund anmelden');
  assert.equal(await registerDog(browser, 'Erika'), '96,00 €');
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' });
  await browser.waitUntil(
    async () => /^Übermittelt am/.test(await browser.$(`//p[contains(@class,'receipt-delivery')]`).getText()),
    { timeout: 60_000, timeoutMsg: 'the case was not delivered' },
  );
  await press(browser, button(browser, 'Drucken'));
  const printed = await printer.printed(browser);
  await shot(browser, 'provision-03-delivered');
  const text = execFileSync('pdftotext', ['-layout', printed, '-'], { encoding: 'utf8' });
  assert.ok(text.includes(LETTERHEAD), `the receipt has not the published letterhead:\n${text}`);
  assert.ok(text.includes('Löhner Straße 1'), text);
  await app.close();
  app = null;
});

test('the same file on a second desk is refused as used; an expired file before anything is asked', async () => {
  app = await launch({ name: 'provision-used', access: 'none', args: ['--provision', file] });
  let { browser } = app;
  await heading(browser, 'Formdesk einrichten').waitForDisplayed({ timeout: 30_000 });
  await setUpClerk(browser);
  const alert = browser.$(`//section[contains(@class,'access')]//div[@role='alert']`);
  await alert.waitForDisplayed({ timeout: 60_000 });
  assert.match(await alert.getText(), /^Diese Einrichtungsdatei wurde schon verwendet/);
  // The address can still be typed, or the connection left for later.
  await field(browser, 'Adresse des Portals').waitForDisplayed();
  await button(browser, 'Einrichtungsdatei wählen').waitForDisplayed();
  await shot(browser, 'provision-04-used');
  assertNoSeriousViolations(await axe(browser));
  await app.close();

  const expired = join(work, 'abgelaufen.formdesk');
  const contents = JSON.parse(readFileSync(file, 'utf8'));
  contents.expiresAt = Math.floor(Date.now() / 1000) - 3600;
  writeFileSync(expired, JSON.stringify(contents));
  app = await launch({ name: 'provision-expired', access: 'none', args: ['--provision', expired] });
  ({ browser } = app);
  await summary(browser).waitForDisplayed({ timeout: 30_000 });
  const warning = summary(browser).$(`.//div[@role='alert']`);
  assert.match(await warning.getText(), /^Diese Einrichtungsdatei ist seit .* abgelaufen\./);
  await shot(browser, 'provision-05-expired');
  await setUpClerk(browser);
  await heading(browser, 'Mit dem Portal verbinden').waitForDisplayed();
  assert.equal(await button(browser, 'Mit dem Portal verbinden').isExisting(), false, 'no connecting with an expired file');
  await field(browser, 'Adresse des Portals').waitForDisplayed();
  await press(browser, button(browser, 'Später verbinden'));
  await browser.$('.access').waitForExist({ reverse: true });
});

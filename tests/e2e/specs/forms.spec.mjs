// Form updates through the portal's form channel, with real processes: the administrators' keys and
// publications (`formdesk-portal keys init`, `forms publish --channel pilot`), the portal serving the signed
// channel, and a pilot desk in its real window. The desk picks the new Hundeanmeldung (a higher fee) up by
// itself within a minute and without a restart; a new case shows the new fee; the case begun before keeps the
// old version to the end: it finalizes with the old fee, and its printed receipt and the sealed metadata the
// authority opens name the old version and its hash. `forms status` shows the desk on the pilot's set.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLERK, PIN, REPO, assertNoSeriousViolations, axe, launch, setUp, shot } from '../lib/app.mjs';
import { registerDog, tax } from '../lib/hund.mjs';
import { button, heading, openForm, press, reveal, squash } from '../lib/query.mjs';
import { adminOf, enrolmentCode, serve, stop } from '../lib/portal.mjs';
import { keepingPrinter } from '../lib/printer.mjs';

const work = mkdtempSync(join(tmpdir(), 'formdesk-forms-e2e-'));
const portalData = join(work, 'portal');
const keys = join(work, 'keys');
const newFee = join(work, 'forms-neu');
const noPhone = join(work, 'forms-ohne-telefon');
const exported = join(work, 'eingang');
const printer = keepingPrinter(join(work, 'bin'));
const admin = adminOf(portalData);
let portal;
let portalUrl;
let app;

const SHIPPED_FORM = join(REPO, 'forms', 'hundeanmeldung', 'form.json');

before(async () => {
  admin('keys', 'init', '--keys', keys);
  admin('forms', 'publish', join(REPO, 'forms'), '--keys', keys, '--channel', 'all');
  admin('destinations', 'add', '--id', 'steueramt', '--name', 'Steueramt Musterstadt', '--key',
    join(REPO, 'crates/formdesk-seal/tests/keys/authority-a-4096.pub.pem'));
  // The municipality's new statute: the first dog costs 108,00 € from now on.
  cpSync(join(REPO, 'forms'), newFee, { recursive: true });
  const text = readFileSync(SHIPPED_FORM, 'utf8');
  const changed = text
    .replace('"version": "1.0.0"', '"version": "1.1.0"')
    .replace('anzahl_hunde_regulaer == 1 ? 96.00 :', 'anzahl_hunde_regulaer == 1 ? 108.00 :')
    .replaceAll('96,00', '108,00');
  assert.notEqual(changed, text);
  writeFileSync(join(newFee, 'hundeanmeldung', 'form.json'), changed);
  // A later version that no longer asks for a telephone number.
  cpSync(newFee, noPhone, { recursive: true });
  const form = JSON.parse(changed);
  form.version = '1.2.0';
  form.steps[0].items = form.steps[0].items.filter((item) => item.id !== 'halter_telefon');
  writeFileSync(join(noPhone, 'hundeanmeldung', 'form.json'), JSON.stringify(form, null, 2));
  ({ child: portal, url: portalUrl } = await serve(['--listen', '127.0.0.1:0', '--data-dir', portalData]));
});

after(async () => {
  await app?.close();
  await stop(portal);
  rmSync(work, { recursive: true, force: true });
});

/**
 * The SHA-256 of the text of `form` in `version` as the channel shipped it: the definition with its
 * translation files merged in, which is what a desk pins a case to (not the form.json beside them).
 */
function shippedHash(form, version) {
  const targets = join(portalData, 'channel');
  const hashes = readdirSync(targets, { recursive: true })
    .filter((name) => new RegExp(`(^|/)[0-9a-f]{64}\\.form\\.${form}\\.[^/]*\\.json$`).test(name))
    .map((name) => readFileSync(join(targets, name)))
    .filter((text) => JSON.parse(text.toString('utf8')).version === version)
    .map((text) => createHash('sha256').update(text).digest('hex'));
  assert.equal(new Set(hashes).size, 1, `the channel holds one text of ${form} ${version}`);
  return hashes[0];
}

/** The "Formulare" panel's text. */
async function formsPanel(browser) {
  return squash(await browser.$(`//section[@aria-labelledby='forms-title']`).getText());
}

test('a pilot desk installs a new fee by itself, without a restart; the case begun before keeps its version', async () => {
  const code = enrolmentCode(admin('devices', 'enrol', '--name', 'Bürgerbüro Pilot'));
  admin('devices', 'channel', 'Bürgerbüro Pilot', 'pilot');

  app = await launch({
    name: 'forms',
    access: 'none',
    args: ['--forms-check-seconds', '5'],
    env: printer.env,
  });
  const { browser } = app;
  await setUp(browser, CLERK, PIN, { url: portalUrl, code });

  // Connected: the desk checked the channel and runs the set published to all (the pilot channel is empty).
  await heading(browser, 'Formulare').waitForDisplayed();
  const today = new Date().toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
  await browser.waitUntil(async () => (await formsPanel(browser)).includes('Zuletzt nach neuen Formularen gesucht'), {
    timeout: 60_000,
    timeoutMsg: 'the desk never checked for new forms',
  });
  assert.match(await formsPanel(browser), new RegExp(`Formularstand vom ${today.replaceAll('.', '\\.')}`));
  await shot(browser, 'forms-01-connected');

  // A case begun on the old version: 96,00 € for one dog.
  await openForm(browser, 'Hund anmelden');
  assert.equal(await registerDog(browser, 'Erika'), '96,00 €');
  await press(browser, button(browser, 'Zur Startseite'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();

  // The administrators publish the new statute to the pilot desks.
  const published = admin('forms', 'publish', newFee, '--keys', keys, '--channel', 'pilot');
  assert.match(published, /1\.1\.0/);

  // Within a minute, with no restart, the start screen says what changed.
  await browser.waitUntil(async () => (await formsPanel(browser)).includes('Hund anmelden (Hundesteuer) (geändert)'), {
    timeout: 60_000,
    timeoutMsg: 'the new Hundeanmeldung did not arrive within a minute',
  });
  const panel = await formsPanel(browser);
  assert.match(panel, /Die Formulare wurden aktualisiert/);
  // The case begun before is marked as being on an older version.
  const old = browser.$(`//ul[contains(@class,'drafts')]/li[.//span[contains(@class,'draft-citizen')][normalize-space(.)='Erika Mustermann']]`);
  await old.$(`.//span[contains(@class,'form-outdated')]`).waitForDisplayed({ timeoutMsg: 'the old case is not marked' });
  await reveal(browser, browser.$(`//section[@aria-labelledby='forms-title']`));
  await shot(browser, 'forms-02-updated');
  assertNoSeriousViolations(await axe(browser));

  // A new case is on the new version: 108,00 €.
  await openForm(browser, 'Hund anmelden');
  assert.equal(await registerDog(browser, 'Max', { phone: '+495221123456' }), '108,00 €');
  await shot(browser, 'forms-03-new-fee');
  await press(browser, button(browser, 'Zur Startseite'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();

  // The old case still has the old fee and finalizes with it.
  await old.$(`.//button[contains(@class,'draft-entry')]`).click();
  assert.equal(await tax(browser), '96,00 €');
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen')
    .waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' })
    .catch(async (e) => {
      await shot(browser, 'forms-04-not-finalized');
      throw e;
    });
  await browser.waitUntil(async () => /^Übermittelt am/.test(await browser.$(`//p[contains(@class,'receipt-delivery')]`).getText()), {
    timeout: 60_000,
    timeoutMsg: 'the old case was not delivered',
  });
  const reference = await browser.$(`//p[contains(@class,'receipt-reference')]`).getText();

  // Its printed receipt names version 1.0.0, the hash of its text and the old fee.
  const v1 = shippedHash('hundeanmeldung', '1.0.0');
  await press(browser, button(browser, 'Drucken'));
  const receipt = squash(execFileSync('pdftotext', [await printer.printed(browser), '-'], { encoding: 'utf8' }));
  assert.ok(receipt.includes(`Fassung 1.0.0 · Prüfsumme ${v1.slice(0, 16)}`), receipt);
  assert.ok(receipt.includes('96,00') && !receipt.includes('108,00'), receipt);

  // The authority opens it: the sealed metadata names version 1.0.0 and the hash of its text.
  const key = join(REPO, 'crates/formdesk-seal/tests/keys/authority-a-4096.pem');
  const printed = admin('inbox', 'export', '--destination', 'steueramt', '--key', key, '--out', exported);
  assert.match(printed, /1 submission\(s\) exported/);
  const [folder] = readdirSync(exported);
  const submission = JSON.parse(readFileSync(join(exported, folder, 'submission.json'), 'utf8'));
  assert.equal(submission.metadata.reference, reference);
  assert.equal(submission.metadata.form.id, 'hundeanmeldung');
  assert.equal(submission.metadata.form.version, '1.0.0');
  assert.equal(submission.metadata.form.sha256, v1);

  // The administrators see the desk on the pilot's set.
  const status = admin('forms', 'status');
  const line = status.split('\n').find((l) => l.includes('Bürgerbüro Pilot'));
  assert.ok(line, status);
  assert.match(line, /pilot/);
  assert.doesNotMatch(line, /behind|never reported/, line);
});

test('a withdrawn form offers no new case; its open case is carried over into the next version, with what did not carry', async () => {
  const { browser } = app;
  await press(browser, button(browser, 'Neuer Vorgang'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();
  const max = browser.$(`//ul[contains(@class,'drafts')]/li[.//span[contains(@class,'draft-citizen')][normalize-space(.)='Max Mustermann']]`);
  await max.waitForDisplayed({ timeoutMsg: "Max's case is not in the work list" });

  // The statute changed: the form may no longer be finalized at all.
  admin('forms', 'withdraw', 'hundeanmeldung', '--now', '--keys', keys);
  await browser.waitUntil(async () => (await formsPanel(browser)).includes('Hund anmelden (Hundesteuer) (zurückgezogen)'), {
    timeout: 60_000,
    timeoutMsg: 'the withdrawal did not arrive within a minute',
  });
  await max.$(`.//span[contains(@class,'form-withdrawn')]`).waitForDisplayed({ timeoutMsg: 'the case is not marked withdrawn' });
  await browser.$(`//p[contains(@class,'count')][normalize-space(.)='8 Leistungen installiert']`).waitForDisplayed({
    timeoutMsg: 'the withdrawn form is still offered',
  });

  // Finalizing is refused, in our words.
  await max.$(`.//button[contains(@class,'draft-entry')]`).click();
  assert.equal(await tax(browser), '108,00 €');
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
  await press(browser, button(browser, 'Abschließen'));
  const refused = browser.$(`//*[@role='alert'][contains(., 'wurde zurückgezogen')]`);
  await refused.waitForDisplayed({ timeoutMsg: 'finalizing a withdrawn form was not refused' });
  await shot(browser, 'forms-04-withdrawn');
  await press(browser, button(browser, 'Zur Startseite'));

  // The new version (without the telephone number) is published; the case is carried over into it.
  admin('forms', 'publish', noPhone, '--keys', keys, '--channel', 'pilot');
  const carry = max.$(`.//button[normalize-space(.)='In aktuelle Fassung übernehmen']`);
  await browser.waitUntil(async () => /Hund anmelden \(Hundesteuer\) \((neu|geändert)\)/.test(await formsPanel(browser)), {
    timeout: 60_000,
    timeoutMsg: 'version 1.2.0 did not arrive within a minute',
  });
  await carry.waitForDisplayed({ timeoutMsg: 'no carry-over for the withdrawn case' });
  await press(browser, carry);
  const dialog = browser.$(`//*[@role='dialog'][.//h2[normalize-space(.)='Nicht alle Angaben wurden übernommen']]`);
  await dialog.waitForDisplayed({ timeoutMsg: 'the answers left behind are not shown' });
  assert.match(
    squash(await dialog.getText()),
    /Telefon \(für Rückfragen\): gibt es in der aktuellen Fassung nicht mehr Bisherige Angabe: \+495221123456/,
  );
  await shot(browser, 'forms-05-carried');
  assertNoSeriousViolations(await axe(browser));
  await press(browser, button(browser, 'Zur Prüfung'));

  // The review of the new case; it finalizes on version 1.2.0, and the old case goes.
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: 'the carried-over case did not finalize' });
  await press(browser, button(browser, 'Neuer Vorgang'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();
  const openMax = browser.$(
    `//ul[contains(@class,'drafts')]/li[.//span[contains(@class,'draft-citizen')][normalize-space(.)='Max Mustermann']][.//span[contains(@class,'status-open')]]`,
  );
  await openMax.waitForExist({ reverse: true, timeoutMsg: 'the withdrawn case is still listed as open' });
  await shot(browser, 'forms-06-after-carry-over');
});

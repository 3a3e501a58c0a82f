// The desk and its portal: the real `formdesk-portal serve` on loopback and one-time enrolment codes made with
// the administrators' command. The "Übermittlung" panel of the start screen connects a desk: a wrong code is
// refused with a message, the right one connects, and the portal lists the desk as enrolled. A second desk is
// connected in its setup, finalizes a Hundeabmeldung with a vet's certificate attached, and its receipt says
// "Übermittelt am …" while the citizen is still there; the authority's export opens what was entered,
// the attachment byte for byte.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLERK, PIN, REPO, assertNoSeriousViolations, axe, launch, setUp, shot } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import { button, byText, choice, field, fill, fillAddress, heading, press, waitForErrors } from '../lib/query.mjs';

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

test('a desk connected in its setup delivers a finalized case at once, and the authority opens it', async () => {
  await app?.close();
  const enrolment = admin('devices', 'enrol', '--name', 'Bürgerbus 2');
  const code = /^code\s+(\S+)$/m.exec(enrolment)?.[1];
  assert.ok(code, `no code in: ${enrolment}`);
  const files = uploadFixtures();
  const exported = mkdtempSync(join(tmpdir(), 'formdesk-eingang-'));
  try {
    app = await launch({ name: 'sync-setup', access: 'none', args: ['--open', 'hundeabmeldung'] });
    const { browser } = app;
    await setUp(browser, CLERK, PIN, {
      url: portalUrl,
      code,
      beforeConnecting: async () => {
        await shot(browser, 'sync-03-setup-portal');
        assertNoSeriousViolations(await axe(browser));
      },
    });

    // The owner, the dog, the reason with the vet's certificate; nothing to refund.
    await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeout: 30_000 });
    await fill(browser, 'Vorname(n)', 'Otto');
    await fill(browser, 'Familienname', 'Normalverbraucher');
    await fill(browser, 'Geburtsdatum', '02.05.1970');
    await fillAddress(browser, { street: 'Lindenweg', houseNumber: '7', postcode: '32051', city: 'Herford' });
    await press(browser, button(browser, 'Weiter'));
    await heading(browser, 'Hund und Grund der Abmeldung').waitForDisplayed();
    await fill(browser, 'Name des Hundes', 'Bello');
    await choice(browser, 'Der Hund ist verstorben', { group: 'Grund der Abmeldung' }).click();
    await fill(browser, 'Datum (Tod, Abgabe oder Wegzug)', '20.11.2026');
    const proof = await field(browser, 'Nachweis');
    await proof.addValue(files.pdf);
    await browser
      .$(`//ul[@aria-label='Angehängt: Nachweis']//span[normalize-space(.)='erlaubnis.pdf']`)
      .waitForDisplayed({ timeoutMsg: 'the certificate is not listed as attached' });
    await waitForErrors(browser, proof, [], 'the certificate');
    await press(browser, button(browser, 'Weiter'));
    await heading(browser, 'Erstattung').waitForDisplayed();
    await press(browser, button(browser, 'Weiter'));
    await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
    await press(browser, button(browser, 'Abschließen'));
    await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' });

    // Online, the portal confirms within moments; the receipt on screen says so, and can still be printed.
    const delivery = browser.$(`//p[contains(@class,'receipt-delivery')]`);
    let said = '';
    await browser
      .waitUntil(async () => /^Übermittelt am \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr\.$/.test((said = await delivery.getText())), {
        timeout: 60_000,
      })
      .catch(async () => {
        await shot(browser, 'sync-04-not-delivered');
        throw new Error(`the receipt does not say "Übermittelt am …" but "${said}"`);
      });
    const reference = await browser.$(`//p[contains(@class,'receipt-reference')]`).getText();
    assert.ok(await button(browser, 'Drucken').isEnabled());
    await shot(browser, 'sync-04-delivered');
    assertNoSeriousViolations(await axe(browser));

    // The start screen: connected since the setup, one delivered, nothing waiting.
    await press(browser, button(browser, 'Neuer Vorgang'));
    await heading(browser, 'Übermittlung').waitForDisplayed();
    await byText(browser, `Verbunden mit ${portalUrl} als „Bürgerbus 2“.`, 'p').waitForDisplayed();
    await byText(browser, '0 wartend, 0 abgelehnt, 1 übermittelt', 'p').waitForDisplayed({
      timeoutMsg: 'the panel does not count the delivery',
    });
    await shot(browser, 'sync-05-start-after');

    // The authority's side: the export decrypts it; the answers are what was typed, the certificate is the file.
    const key = join(REPO, 'crates/formdesk-seal/tests/keys/authority-a-4096.pem');
    const printed = admin('inbox', 'export', '--destination', 'steueramt', '--key', key, '--out', exported);
    assert.match(printed, /1 submission\(s\) exported/);
    const [folder] = readdirSync(exported);
    const submission = JSON.parse(readFileSync(join(exported, folder, 'submission.json'), 'utf8'));
    assert.equal(submission.metadata.reference, reference);
    assert.equal(submission.metadata.form.id, 'hundeabmeldung');
    const answers = submission.data.answers;
    assert.equal(answers.halter_vorname, 'Otto');
    assert.equal(answers.halter_familienname, 'Normalverbraucher');
    assert.equal(answers.hund_name, 'Bello');
    assert.equal(answers.abmeldegrund, 'verstorben');
    const attached = readdirSync(join(exported, folder, 'attachments'));
    assert.equal(attached.length, 1, attached.join(', '));
    assert.ok(attached[0].endsWith('erlaubnis.pdf'), attached[0]);
    assert.deepEqual(readFileSync(join(exported, folder, 'attachments', attached[0])), readFileSync(files.pdf));
  } finally {
    files.remove();
    rmSync(exported, { recursive: true, force: true });
  }
});

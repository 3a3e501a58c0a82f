// The desk and its portal: the real `formdesk-portal serve` on loopback and one-time enrolment codes made with
// the administrators' command. The "Übermittlung" panel of the start screen connects a desk: every way of
// getting the connection wrong (no address, an address without https, one nobody listens on, one that does
// not speak TLS, a certificate that is not trusted, a wrong code) is told in a German sentence of ours with no
// library's English; the right code connects, and the portal lists the desk as enrolled. A second desk is
// connected in its setup, finalizes a Hundeabmeldung with a vet's certificate attached, and its receipt says
// "Übermittelt am …" while the citizen is still there; the authority's export opens what was entered,
// the attachment byte for byte. Then the portal goes away: a case finalized offline waits, and when the
// portal is back, the work list and the panel show the same thing at every moment of its delivery.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLERK, PIN, REPO, assertNoSeriousViolations, axe, launch, setUp, shot } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import { adminOf, serve, stop } from '../lib/portal.mjs';
import {
  button,
  byText,
  choice,
  field,
  fill,
  fillAddress,
  heading,
  openForm,
  press,
  waitForErrors,
} from '../lib/query.mjs';

const portalData = mkdtempSync(join(tmpdir(), 'formdesk-portal-e2e-'));
const tlsData = mkdtempSync(join(tmpdir(), 'formdesk-portal-tls-e2e-'));
let portal;
let portalUrl;
/** A second portal with a certificate no desk trusts. */
let tlsPortal;
let tlsUrl;
let app;

/** Runs an administrators' command on the test portal's data folder and returns what it printed. */
const admin = adminOf(portalData);

/** A loopback port nobody listens on (taken and given back at once). */
function closedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  ({ child: portal, url: portalUrl } = await serve(['--listen', '127.0.0.1:0', '--data-dir', portalData]));
  // A certificate of its own making, which no desk trusts.
  const [cert, key] = [join(tlsData, 'cert.pem'), join(tlsData, 'key.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  ({ child: tlsPortal, url: tlsUrl } = await serve([
    '--listen', '127.0.0.1:0', '--data-dir', join(tlsData, 'data'), '--tls-cert', cert, '--tls-key', key,
  ]));
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
  await stop(portal);
  await stop(tlsPortal);
  rmSync(portalData, { recursive: true, force: true });
  rmSync(tlsData, { recursive: true, force: true });
});

const OTTO = {
  first: 'Otto',
  family: 'Normalverbraucher',
  born: '02.05.1970',
  address: { street: 'Lindenweg', houseNumber: '7', postcode: '32051', city: 'Herford' },
};
const GRETE = {
  first: 'Grete',
  family: 'Offline',
  born: '14.03.1961',
  address: { street: 'Dorfstraße', houseNumber: '1', postcode: '32051', city: 'Herford' },
};

/**
 * Fills a Hundeabmeldung from its first step and finalizes it: the `owner`, the dog's name, then `reason()`
 * picks the reason and fills what it asks for; the date, no refund.
 */
async function deregisterDog(browser, owner, dog, reason) {
  await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeout: 30_000 });
  await fill(browser, 'Vorname(n)', owner.first);
  await fill(browser, 'Familienname', owner.family);
  await fill(browser, 'Geburtsdatum', owner.born);
  await fillAddress(browser, owner.address);
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Hund und Grund der Abmeldung').waitForDisplayed();
  await fill(browser, 'Name des Hundes', dog);
  await fill(browser, 'Datum (Tod, Abgabe oder Wegzug)', '20.11.2026');
  await reason();
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Erstattung').waitForDisplayed();
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed();
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' });
}

/** Words of the libraries' and the portal's English that must never reach the clerk. */
const LIBRARY_TEXT = /error|os error|HTTP \d|tcp|unauthorized|certificate|connection|request|refused|invalid/i;

/**
 * Tries to connect with `url` and `code` and waits for the panel's message to match `expected`; checks that it
 * holds none of the libraries' text and returns it.
 */
async function refusedWith(browser, url, code, expected, name) {
  const address = field(browser, 'Adresse des Portals');
  if (url === '') await address.clearValue();
  else await address.setValue(url);
  await field(browser, 'Anmeldecode').setValue(code);
  await button(browser, 'Verbinden').click();
  const alert = browser.$("//section[@aria-labelledby='sync-title']//*[@role='alert']");
  let said = '';
  await browser
    .waitUntil(async () => (await alert.isExisting()) && expected.test((said = await alert.getText())), {
      timeout: 30_000,
    })
    .catch(async () => {
      await shot(browser, `${name}-unexpected`);
      throw new Error(`connecting to ${JSON.stringify(url)}: expected ${expected}, the panel says "${said}"`);
    });
  assert.doesNotMatch(said, LIBRARY_TEXT, `library text reaches the clerk: ${said}`);
  await shot(browser, name);
  return said;
}

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

  // Every way of getting it wrong, in our words. The address without a protocol means https, which the plain
  // portal does not speak; nothing listens on the closed port; the TLS portal's certificate is its own.
  const plainPort = new URL(portalUrl).port;
  await refusedWith(browser, '', code, /^Bitte geben Sie die Adresse des Portals an/, 'sync-01a-no-address');
  await refusedWith(browser, 'http://portal.example.de', code, /nur verschlüsselt angesprochen/, 'sync-01b-http');
  await refusedWith(
    browser, `http://127.0.0.1:${await closedPort()}`, code, /antwortet nicht/, 'sync-01c-unreachable',
  );
  await refusedWith(
    browser, `127.0.0.1:${plainPort}`, code, /^Mit https:\/\/127\.0\.0\.1:\d+ ist keine sichere Verbindung/,
    'sync-01d-no-scheme',
  );
  await refusedWith(browser, tlsUrl, code, /^Das Zertifikat des Portals .* nicht anerkannt/, 'sync-01e-certificate');
  await refusedWith(browser, portalUrl, 'AAAA-BBBB-CCCC-DDDD', /^Diesen Anmeldecode kennt das Portal nicht/,
    'sync-01-wrong-code');

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
    await deregisterDog(browser, OTTO, 'Bello', async () => {
      await choice(browser, 'Der Hund ist verstorben', { group: 'Grund der Abmeldung' }).click();
      const proof = await field(browser, 'Nachweis');
      await proof.addValue(files.pdf);
      await browser
        .$(`//ul[@aria-label='Angehängt: Nachweis']//span[normalize-space(.)='erlaubnis.pdf']`)
        .waitForDisplayed({ timeoutMsg: 'the certificate is not listed as attached' });
      await waitForErrors(browser, proof, [], 'the certificate');
    });

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
    await byText(browser, '0 wartend, 0 abgelehnt, 1 heute übermittelt', 'p').waitForDisplayed({
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

/**
 * What the start screen shows at one moment, read in one go inside the page: how many cases of the work list
 * carry each delivery badge, and what the panel counts.
 */
function startScreen(browser) {
  return browser.execute(() => {
    const badges = [...document.querySelectorAll('.drafts [class*="delivery-"]')].map((b) => b.textContent.trim());
    const count = (label) => badges.filter((b) => b === label).length;
    const panel = [...document.querySelectorAll('.sync-panel p')].map((p) => p.textContent.trim());
    const counts = panel.find((p) => /wartend, .* abgelehnt, .* heute übermittelt/.test(p)) ?? '';
    return {
      list: `${count('wartet auf Übermittlung')} wartend, ${count('Übermittlung abgelehnt')} abgelehnt, ${count('übermittelt')} heute übermittelt`,
      panel: counts,
    };
  });
}

test('offline, a case waits; back online, the work list and the panel change together', async () => {
  const { browser } = app;
  // The portal goes away, as on a drive through villages without a network.
  await stop(portal);
  await openForm(browser, 'Hund abmelden');
  await deregisterDog(browser, GRETE, 'Fiete', async () => {
    await choice(browser, 'Sonstiger Grund', { group: 'Grund der Abmeldung' }).click();
    await fill(browser, 'Beschreibung des Grundes', 'Der Hund lebt jetzt bei der Tochter in Dänemark.');
  });
  await press(browser, button(browser, 'Neuer Vorgang'));
  await heading(browser, 'Übermittlung').waitForDisplayed();

  // Waiting, in both places: the case of the earlier test is delivered (its contents shredded since the clerk
  // moved on), this one waits.
  const expectWaiting = '1 wartend, 0 abgelehnt, 1 heute übermittelt';
  await browser.waitUntil(async () => (await startScreen(browser)).panel === expectWaiting, {
    timeoutMsg: `the panel does not count the waiting case: ${JSON.stringify(await startScreen(browser))}`,
  });
  assert.deepEqual(await startScreen(browser), { list: expectWaiting, panel: expectWaiting });
  await byText(browser, 'Angaben nach der Übermittlung gelöscht', 'span').waitForDisplayed({
    timeoutMsg: 'the delivered case left behind is not listed as delivered',
  });
  await shot(browser, 'sync-06-offline-waiting');

  // Back online on the same address; "Jetzt senden" does not wait for the next look. Every moment of the
  // delivery, the list and the panel say the same.
  // The sequence seen starts with the waiting case; the delivery may be done before the first look after the
  // click (the engine probes the portal on its own), so that look cannot be relied on to still see it waiting.
  const seen = [await startScreen(browser)];
  assert.equal(seen[0].panel, expectWaiting);
  ({ child: portal } = await serve(['--listen', new URL(portalUrl).host, '--data-dir', portalData]));
  await button(browser, 'Jetzt senden').click();
  const expectDelivered = '0 wartend, 0 abgelehnt, 2 heute übermittelt';
  await browser.waitUntil(
    async () => {
      const now = await startScreen(browser);
      if (seen.at(-1)?.panel !== now.panel || seen.at(-1)?.list !== now.list) seen.push(now);
      assert.equal(now.list, now.panel, `the work list and the panel disagree: ${JSON.stringify(seen)}`);
      return now.panel === expectDelivered;
    },
    { timeout: 60_000, interval: 50, timeoutMsg: 'the case was not delivered' },
  );
  assert.ok(seen.some((s) => s.panel === expectWaiting), JSON.stringify(seen));
  await shot(browser, 'sync-07-delivered');

  // The clerk goes to another case and back: the delivered one's contents are shredded, and it stays listed.
  await openForm(browser, 'Hund anmelden');
  await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeout: 30_000 });
  await button(browser, 'Zur Startseite').click();
  await heading(browser, 'Übermittlung').waitForDisplayed();
  await browser.waitUntil(
    async () => (await browser.$$("//span[normalize-space(.) = 'Angaben nach der Übermittlung gelöscht']")).length === 2,
    { timeoutMsg: 'both delivered cases are not listed with their contents deleted' },
  );
  assert.deepEqual(await startScreen(browser), { list: expectDelivered, panel: expectDelivered });
  assertNoSeriousViolations(await axe(browser));
});

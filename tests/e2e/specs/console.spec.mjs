// The administrators' console at /admin in a real browser: headless Chromium on the real `formdesk-portal
// serve`, with the real desk app as the desk that is enrolled and revoked.
//
// The operator of the computing centre gets a one-time setup link from the command line, sets a password,
// adds a municipality and its device administrator. The device administrator sets a password, issues a
// one-time code for a new desk ("Gerät einrichten", with its QR code); the real desk app connects with that
// code; the console lists the desk as set up; the administrator revokes it, and the portal lists it as
// revoked. Wrong passwords are slowed down; another municipality's device is a page that does not exist.
// axe-core checks every page (no serious or critical violation); screenshots go to test-artifacts/e2e.
//
// The portal listens on plain HTTP on loopback: Chromium treats http://127.0.0.1 as a secure context and keeps
// the `__Host-`/`Secure` session cookie there, as over HTTPS (the Rust tests cover the cookie's attributes).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { ARTIFACTS, CLERK, PIN, REPO, launch, setUp, shot } from '../lib/app.mjs';
import { assertNoSeriousViolations, axe } from '../lib/axe.mjs';
import { openChromium, snap } from '../lib/browser.mjs';
import { PORTAL, adminOf, enrolmentCode, serve, stop } from '../lib/portal.mjs';
import { button, field as deskField, heading, literal, squash } from '../lib/query.mjs';

const portalData = mkdtempSync(join(tmpdir(), 'formdesk-console-e2e-'));
const admin = adminOf(portalData);
let portal;
let portalUrl;
let chromium;

const ARS_A = '059580004004';
const ARS_B = '057580012012';
const PASSWORD = 'Kastanienallee-17-Herbst';

/** Handed from test to test: the device administrator's setup link, and the desk's id in the console. */
let deviceAdminLink;
let deviceId;

before(async () => {
  ({ child: portal, url: portalUrl } = await serve(['--listen', '127.0.0.1:0', '--data-dir', portalData]));
  chromium = await openChromium('console');
});

after(async () => {
  await chromium?.close();
  await stop(portal);
  rmSync(portalData, { recursive: true, force: true });
});

/** The console's input labelled `label`; its label may go on with "(Pflichtfeld)". */
function input(browser, label) {
  const t = literal(label);
  return browser.$(
    `//*[self::input or self::select or self::textarea][@id = //label[normalize-space(text()) = ${t} or ` +
      `starts-with(normalize-space(.), concat(${t}, ' ('))]/@for]`,
  );
}

/** The link whose text is `text`. */
function link(browser, text) {
  return browser.$(`//a[normalize-space(.) = ${literal(text)}]`);
}

/** Checks the page with axe and keeps a screenshot named `name`. */
async function look(browser, name) {
  await snap(browser, `console-${name}`);
  assertNoSeriousViolations(await axe(browser));
}

/** Waits for the page's one h1 to read `text`. */
async function titled(browser, text, timeoutMsg) {
  try {
    await heading(browser, text).waitForDisplayed({ timeout: 15_000 });
  } catch {
    const shown = await snap(browser, `console-unexpected-${text.replace(/\W+/g, '-')}`);
    const body = await browser.$('body').getText().catch(() => '(no page)');
    throw new Error(`${timeoutMsg ?? `no page "${text}"`} at ${await browser.getUrl()} (${shown}):\n${body}`);
  }
}

/** The current TOTP step (RFC 6238: 30 seconds). */
const step = () => Math.floor(Date.now() / 1000 / 30);

/** The TOTP step a code was last given for; the console refuses a step twice (replay). */
let usedStep = null;

/**
 * The TOTP code of the base32 `secret` (HMAC-SHA1, 6 digits) for a step not used before: if the current step
 * gave the last code, this waits for the next one, as a person would wait for the app's next code.
 */
async function totp(secret) {
  while (step() === usedStep) await delay(250);
  usedStep = step();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(usedStep));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The setup link in what `accounts add` printed. */
function setupLink(printed) {
  const link = /^setup\s+(\S+)$/m.exec(printed)?.[1];
  assert.ok(link, `no setup link in: ${printed}`);
  return link;
}

/** Opens a setup link and sets PASSWORD; the console signs the person in and shows the next page. */
async function setPassword(browser, url, name) {
  await browser.url(url);
  await titled(browser, 'Konto einrichten');
  await look(browser, `${name}-einrichten`);
  await input(browser, 'Neues Passwort').setValue(PASSWORD);
  await input(browser, 'Neues Passwort wiederholen').setValue(PASSWORD);
  await button(browser, 'Passwort festlegen').click();
}

/** Signs in as `login` with `password` on the sign-in page. */
async function signIn(browser, login, password = PASSWORD) {
  await browser.url(`${portalUrl}/admin/anmelden`);
  await titled(browser, 'Anmelden');
  await input(browser, 'Anmeldename').setValue(login);
  await input(browser, 'Passwort').setValue(password);
  await button(browser, 'Anmelden').click();
}

/** Signs out with the header's button and waits for the sign-in page. */
async function signOut(browser) {
  await button(browser, 'Abmelden').click();
  await titled(browser, 'Anmelden', 'signing out did not lead to the sign-in page');
}

/**
 * Switches on the second factor on "Mein Konto": the key shown is read as an authenticator app would read it,
 * and the code it gives confirms it. Returns the key (base32).
 */
async function switchOnTotp(browser) {
  await browser.url(`${portalUrl}/admin/konto`);
  await button(browser, 'Zwei-Faktor-Anmeldung einrichten').click();
  const key = browser.$('//p[contains(@class, "secret")]');
  await key.waitForDisplayed({ timeoutMsg: 'no key for the authenticator app' });
  const secret = (await key.getText()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/, `not a base32 key: ${secret}`);
  assert.ok(await browser.$('//figure//*[local-name() = "svg"]').isExisting(), 'no QR code for the app');
  await look(browser, '03b-totp-einrichten');
  await input(browser, 'Code aus der App').setValue(await totp(secret));
  await button(browser, 'Zwei-Faktor-Anmeldung einschalten').click();
  await browser.$('//strong[normalize-space(.) = "eingeschaltet"]').waitForDisplayed({
    timeoutMsg: 'the second factor was not switched on',
  });
  return secret;
}

test('the operator sets a password with the setup link and adds a municipality and its device administrator', async () => {
  const { browser } = chromium;

  // No page without a session: the overview sends to the sign-in page.
  await browser.url(`${portalUrl}/admin/`);
  await titled(browser, 'Anmelden', 'the overview was shown without a session');
  await look(browser, '01-anmelden');

  const printed = admin(
    'accounts', 'add', '--operator', '--login', 'betrieb', '--name', 'Rechenzentrum Ostwestfalen',
    '--console-origin', portalUrl,
  );
  await setPassword(browser, setupLink(printed), '02');
  // An operator must sign in with a second factor: until it is on, every page leads to "Mein Konto".
  await titled(browser, 'Mein Konto', 'the operator was not sent to set up the second factor');
  await browser.url(`${portalUrl}/admin/betrieb/mandanten`);
  await titled(browser, 'Mein Konto', 'an operator without a second factor reached another page');
  const secret = await switchOnTotp(browser);
  await browser.url(`${portalUrl}/admin/`);
  await titled(browser, 'Übersicht', 'the operator did not reach the overview');
  await look(browser, '03-uebersicht-betrieb');

  // Signing in again asks for the code.
  await signOut(browser);
  await signIn(browser, 'betrieb');
  await titled(browser, 'Bestätigungscode', 'the sign-in did not ask for the code');
  await look(browser, '03c-code');
  await input(browser, 'Bestätigungscode').setValue(await totp(secret));
  await button(browser, 'Code bestätigen').click();
  await titled(browser, 'Übersicht', 'the code did not complete the sign-in');

  // Two municipalities: A with its device administrator, B only to attack A from later.
  for (const [ars, name] of [
    [ARS_A, 'Stadt Musterstadt'],
    [ARS_B, 'Gemeinde Beispielheim'],
  ]) {
    await browser.url(`${portalUrl}/admin/betrieb/mandanten`);
    await titled(browser, 'Mandanten');
    await input(browser, 'Amtlicher Regionalschlüssel (ARS)').setValue(ars);
    await input(browser, 'Name').setValue(name);
    await button(browser, 'Mandant anlegen').click();
    await browser.$(`//td[normalize-space(.) = ${literal(name)}] | //th[normalize-space(.) = ${literal(name)}]`)
      .waitForDisplayed({ timeoutMsg: `${name} is not listed after "Mandant anlegen"` });
  }
  await look(browser, '04-mandanten');

  await browser.url(`${portalUrl}/admin/betrieb/konten`);
  await titled(browser, 'Konten');
  await input(browser, 'Name der Person').setValue('Jens Kowalski');
  await input(browser, 'Anmeldename').setValue('kowalski');
  await input(browser, 'Mandant').selectByVisibleText(`Stadt Musterstadt (${ARS_A})`);
  await browser.$('#rolle-geraete').click();
  await button(browser, 'Konto anlegen').click();
  const shown = browser.$('//p[contains(@class, "setup-link")]/code');
  await shown.waitForDisplayed({ timeoutMsg: 'no setup link after "Konto anlegen"' });
  deviceAdminLink = await shown.getText();
  assert.match(deviceAdminLink, /\/admin\/einrichten\/[A-Za-z0-9_-]+$/);
  await look(browser, '05-konto-angelegt');

  await browser.url(`${portalUrl}/admin/betrieb/zustand`);
  await titled(browser, 'Zustand');
  await look(browser, '05c-zustand');
  await signOut(browser);
});

test('the device administrator issues a code, a desk connects with it, and the administrator revokes it', async () => {
  const { browser } = chromium;
  assert.ok(deviceAdminLink, 'the previous test made no device administrator');
  await setPassword(browser, deviceAdminLink, '06');
  await titled(browser, 'Stadt Musterstadt', 'the device administrator did not reach the overview');
  await look(browser, '07-uebersicht');

  await link(browser, 'Geräte').click();
  await titled(browser, 'Geräte');
  await input(browser, 'Name des Geräts').setValue('Bürgerbüro Platz 1');
  await button(browser, 'Gerät einrichten').click();
  await titled(browser, 'Gerät eingerichtet');
  const code = (await browser.$('//p[contains(@class, "code")]').getText()).trim();
  assert.match(code, /^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/, `not a one-time code: ${code}`);
  assert.ok(await browser.$('//*[local-name() = "svg"]').isExisting(), 'no QR code on the page');
  await look(browser, '08-geraet-eingerichtet');
  // The QR code, read from the screen as a camera would, carries the portal's address and the same code.
  const picture = join(ARTIFACTS, 'console-08-geraet-eingerichtet.png');
  const scanned = execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', picture], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  assert.equal(scanned, `formdesk-enrol:${portalUrl}#${code}`);

  // The real desk connects with the code from the page.
  const desk = await launch({ name: 'console-desk' });
  try {
    const app = desk.browser;
    await heading(app, 'Übermittlung').waitForDisplayed();
    await button(app, 'Mit Portal verbinden').click();
    await deskField(app, 'Adresse des Portals').setValue(portalUrl);
    await deskField(app, 'Anmeldecode').setValue(code);
    await button(app, 'Verbinden').click();
    await app
      .$(`//p[normalize-space(.) = 'Verbunden mit ${portalUrl} als „Bürgerbüro Platz 1“.']`)
      .waitForDisplayed({ timeout: 20_000, timeoutMsg: 'the desk does not say it is connected' });
    await shot(app, 'console-09-desk-connected');

    await browser.url(`${portalUrl}/admin/geraete`);
    const row = browser.$(`//tr[.//*[normalize-space(.) = 'Bürgerbüro Platz 1']]`);
    await browser.waitUntil(async () => /eingerichtet/.test(await row.getText()), {
      timeoutMsg: 'the console does not list the desk as set up',
    });
    await look(browser, '10-geraete');

    await row.$(`.//*[self::a or self::button][starts-with(normalize-space(.), 'Sperren')]`).click();
    await titled(browser, 'Gerät sperren');
    deviceId = new URL(await browser.getUrl()).pathname.split('/')[3];
    await look(browser, '11-sperren');
    await button(browser, 'Gerät sperren').click();
    await titled(browser, 'Geräte');
    await browser.waitUntil(async () => /gesperrt/.test(await row.getText()), {
      timeoutMsg: 'the console does not list the desk as revoked',
    });
    await look(browser, '12-gesperrt');

  } finally {
    await desk.close();
  }
  // The portal refuses the revoked desk from now on (its signed requests: tests/it/isolation.rs).
  const devices = admin('devices', 'list', '--tenant', ARS_A);
  assert.match(devices.split('\n').find((l) => l.includes('Bürgerbüro Platz 1')) ?? '', /revoked/);

  // The audit trail lists what happened, with ids only.
  await browser.url(`${portalUrl}/admin/protokoll`);
  await titled(browser, 'Protokoll');
  const rows = await browser.$$('//tbody/tr').map((row) => row.getText());
  for (const [who, what] of [
    ['Jens Kowalski', 'Gerät angelegt'],
    [deviceId, 'Gerät eingerichtet'],
    ['Jens Kowalski', 'Gerät gesperrt'],
  ]) {
    assert.ok(
      rows.some((row) => row.includes(who) && row.includes(what)),
      `the audit page has no "${what}" by ${who}:\n${rows.join('\n')}`,
    );
  }
  assert.ok(!rows.join('\n').includes(PASSWORD));
  await button(browser, 'Protokoll prüfen').click();
  await browser
    .$("//*[@role='status'][starts-with(normalize-space(.), 'Geprüft: Alle')]")
    .waitForDisplayed({ timeoutMsg: '"Protokoll prüfen" did not find the trail intact' });
  await look(browser, '14-protokoll');
});

test("another municipality's device is a page that does not exist, and wrong passwords are slowed down", async () => {
  const { browser } = chromium;
  assert.ok(deviceId, 'the previous test revoked no device');
  const b = admin('accounts', 'add', '--tenant', ARS_B, '--role', 'geraete', '--login', 'mueller', '--name',
    'Petra Müller', '--console-origin', portalUrl);
  await signOut(browser);
  await setPassword(browser, setupLink(b), '15');
  await titled(browser, 'Gemeinde Beispielheim');

  // A's device, asked for by B's device administrator: the same page as a device that never existed.
  await browser.url(`${portalUrl}/admin/geraete/${deviceId}`);
  await titled(browser, 'Seite nicht gefunden');
  const foreign = await browser.$('main').getHTML();
  await browser.url(`${portalUrl}/admin/geraete/00000000-0000-4000-8000-000000000000`);
  await titled(browser, 'Seite nicht gefunden');
  assert.equal(await browser.$('main').getHTML(), foreign);
  await look(browser, '16-nicht-gefunden');
  await signOut(browser);

  // Wrong passwords: the same message each time, then a wait before the next try.
  let said = '';
  for (let attempt = 1; attempt <= 6 && !/Zu viele Versuche/.test(said); attempt += 1) {
    await signIn(browser, 'kowalski', `falsch-${attempt}-Passwort!`);
    const notice = browser.$("//main//*[@role='alert']");
    await notice.waitForDisplayed({ timeoutMsg: `no message after wrong password ${attempt}` });
    said = await notice.getText();
    if (!/Zu viele Versuche/.test(said)) assert.match(said, /Anmeldename oder Passwort ist falsch/);
  }
  assert.match(said, /^Zu viele Versuche\. Bitte in \d+ Sekunden? erneut versuchen\.$/);
  await look(browser, '17-gebremst');
});

test('the form editor uploads a signed form set for the pilot desks, then for all desks', async () => {
  const { browser } = chromium;
  // The operator makes the municipality's form channel with the editor's public key; the editor keeps the key.
  const keys = mkdtempSync(join(tmpdir(), 'formdesk-console-keys-'));
  try {
    const operatorKeys = join(keys, 'betrieb');
    const editorKeys = join(keys, 'formulare');
    admin('keys', 'init', '--keys', operatorKeys);
    admin('keys', 'init', '--tenant', ARS_A, '--keys', editorKeys);
    admin('forms', 'channel-init', '--tenant', ARS_A, '--keys', operatorKeys, '--editor-key',
      join(editorKeys, `t${ARS_A}.pub`));
    const editor = admin('accounts', 'add', '--tenant', ARS_A, '--role', 'formulare', '--login', 'schulz', '--name',
      'Anna Schulz', '--console-origin', portalUrl);
    await setPassword(browser, setupLink(editor), '18');
    await titled(browser, 'Stadt Musterstadt', 'the form editor did not reach the overview');

    // The editor signs on their own machine, against what the portal serves, and uploads the bundle.
    const bundle = (name, ...change) => {
      const out = join(keys, `${name}.fdb`);
      admin('forms', ...change, '--tenant', ARS_A, '--keys', editorKeys, '--out', out, '--portal', portalUrl);
      return out;
    };
    const upload = async (file) => {
      await browser.url(`${portalUrl}/admin/formulare`);
      await titled(browser, 'Formulare');
      await browser.$('#paket').setValue(file);
      await button(browser, 'Formularstand hochladen').click();
    };
    const notice = (role, start) =>
      browser.$(`//main//*[@role=${literal(role)}][starts-with(normalize-space(.), ${literal(start)})]`);

    await link(browser, 'Formulare').click();
    await titled(browser, 'Formulare');
    await look(browser, '19-formulare-leer');
    // The municipality's forms, with one freshly imported from a FIM schema (its import report travels along).
    const forms = join(keys, 'formulare-ordner');
    cpSync(join(REPO, 'forms'), forms, { recursive: true });
    const fim = join(REPO, 'crates', 'formdesk-fim', 'tests', 'data', 'hundesteuer', 'v2');
    execFileSync(PORTAL, ['forms', 'import', join(fim, 'S60000001.xml'), '--codelists', fim, '--id', 'hundesteuer-fim',
      '--destination', 'steueramt', '--out', join(forms, 'hundesteuer-fim')], { encoding: 'utf8' });
    const pilot = bundle('pilot', 'publish', forms, '--channel', 'pilot');
    await upload(pilot);
    await notice('status', 'Formularpaket übernommen: Formularstand 1 für die Pilotgeräte')
      .waitForDisplayed({ timeoutMsg: 'the upload was not confirmed' });
    const dogs = browser.$(`//tr[.//a[normalize-space(.) = 'Hund anmelden (Hundesteuer)']]`);
    assert.match(await dogs.getText(), /nur Pilotgeräte/);
    await look(browser, '20-hochgeladen');

    // The same bundle again is stale: refused, and said so at the upload field.
    await upload(pilot);
    await notice('alert', 'Das Formularpaket ist veraltet')
      .waitForDisplayed({ timeoutMsg: 'a replayed bundle was not refused' });
    await look(browser, '21-veraltet');

    await upload(bundle('alle', 'promote'));
    await notice('status', 'Formularpaket übernommen: Formularstand 2 für alle Geräte')
      .waitForDisplayed({ timeoutMsg: 'promoting was not confirmed' });
    assert.match(await dogs.getText(), /alle Geräte/);

    await dogs.$('.//a').click();
    await titled(browser, 'Hund anmelden (Hundesteuer)');
    assert.match(await browser.$('main').getText(), /von Anna Schulz/);
    await look(browser, '22-formular');

    // The imported form's page shows its import report.
    await browser.url(`${portalUrl}/admin/formulare/hundesteuer-fim`);
    await browser.$("//h2[normalize-space(.) = 'Importbericht']").waitForDisplayed({
      timeoutMsg: 'the imported form shows no import report',
    });
    assert.match(await browser.$('main').getText(), /S60000001/);
    await look(browser, '23-importbericht');

    // The forms send to destinations the municipality does not have yet; the editor adds one with its key.
    await link(browser, 'Ziele').click();
    await titled(browser, 'Ziele');
    assert.match(await browser.$('main').getText(), /Formulare ohne Ziel/);
    await look(browser, '23b-ziele');
    await input(browser, 'Name').setValue('Steueramt');
    await input(browser, 'Kennung').setValue('steueramt');
    await browser.$('#ziel-schluessel').setValue(join(REPO, 'crates', 'formdesk-seal', 'tests', 'keys',
      'authority-a-4096.pub.pem'));
    await button(browser, 'Ziel hinzufügen').click();
    await browser.$(`//tbody//*[normalize-space(.) = 'Steueramt']`).waitForDisplayed({
      timeoutMsg: 'the destination is not listed after "Ziel hinzufügen"',
    });
    assert.match(await browser.$('main').getText(), /Hund anmelden \(Hundesteuer\)/);
    await look(browser, '23c-ziel-angelegt');

    await browser.url(`${portalUrl}/admin/protokoll`);
    await titled(browser, 'Protokoll');
    const rows = await browser.$$('//tbody/tr').map((row) => row.getText());
    const uploads = rows.filter((row) => row.includes('Anna Schulz') && row.includes('Formularstand hochgeladen'));
    assert.equal(uploads.length, 2, rows.join('\n'));
    assert.match(admin('forms', 'status', '--tenant', ARS_A), /channel all: set 2/);

    // A new desk of the municipality installs what was uploaded, the imported form among it, by itself.
    const code = enrolmentCode(admin('devices', 'enrol', '--tenant', ARS_A, '--name', 'Bürgerbüro Platz 2'));
    const desk = await launch({ name: 'console-forms-desk', access: 'none', args: ['--forms-check-seconds', '5'] });
    try {
      const app = desk.browser;
      await setUp(app, CLERK, PIN, { url: portalUrl, code });
      await heading(app, 'Formulare').waitForDisplayed();
      const panel = async () => squash(await app.$(`//section[@aria-labelledby='forms-title']`).getText());
      await app.waitUntil(async () => (await panel()).includes('Anmeldung zur Hundesteuer'), {
        timeout: 60_000,
        timeoutMsg: 'the desk did not install the form set uploaded in the console',
      });
      await shot(app, 'console-24-desk-installed');
    } finally {
      await desk.close();
    }
    // The form's page names the desk that runs the version, from the desk's own report.
    await browser.waitUntil(
      async () => {
        await browser.url(`${portalUrl}/admin/formulare/hundesteuer-fim`);
        return /Bürgerbüro Platz 2/.test(await browser.$('main').getText());
      },
      { timeout: 60_000, interval: 1_000, timeoutMsg: 'the form page does not name the desk that runs it' },
    );
    await look(browser, '25-formular-auf-geraet');
  } finally {
    rmSync(keys, { recursive: true, force: true });
  }
});

// The desk's vault in the real app: the setup on first start with its recovery secret, drafts that survive
// closing the app, the lock screen (wrong PIN, "Sperren", Ctrl+L, the idle lock), back to the same step
// after unlocking, a file stored encrypted and shown again after a restart, and no typed value readable
// anywhere on disk: the data directory, the web view's
// storage and caches (the app's XDG folders), or the app's log, while locked and after the app has exited.

import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { Key } from 'webdriverio';
import { CLERK, PIN, assertNoSeriousViolations, axe, freshDesk, launch, setUp, shot, unlockDesk } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import { button, byText, choice, field, heading, openForm } from '../lib/query.mjs';

const FIRST = 'Jürgen-Ödön';
const FAMILY = 'Größmann-Łukasiewicz';
const CITIZEN = `${FIRST} ${FAMILY}`;

const desk = freshDesk();
let app;
/** The recovery secret shown at setup. */
let recoverySecret;

after(async () => {
  await app?.close();
  rmSync(desk.root, { recursive: true, force: true });
});

/** Every file below `dir`. */
function filesBelow(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) out = out.concat(filesBelow(path));
    else if (stat?.isFile()) out.push(path);
  }
  return out;
}

/** How `value` would look in a file: UTF-8, UTF-16LE, and base64 at the three alignments. */
function needles(value) {
  const utf8 = Buffer.from(value, 'utf8');
  const out = [utf8, Buffer.from(value, 'utf16le')];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    out.push(Buffer.from(encoded.slice(shift === 0 ? 0 : shift + 1, -2)));
  }
  return out;
}

/** Where any of `values` can be read in the desk's folders or the app's log. */
function leaks(values) {
  const found = [];
  const files = filesBelow(desk.root).concat(app?.logPath ? [app.logPath] : []);
  for (const path of files) {
    const bytes = readFileSync(path);
    for (const value of values) {
      if (needles(value).some((n) => bytes.includes(n))) found.push(`${value} in ${path}`);
    }
  }
  return { found, files };
}

async function lockScreen(browser) {
  await heading(browser, 'Formdesk ist gesperrt').waitForDisplayed({ timeout: 20_000 });
}

test('the first start sets the desk up and shows the recovery secret once', async () => {
  app = await launch({ name: 'vault-setup', desk, access: 'none' });
  const { browser } = app;
  await heading(browser, 'Formdesk einrichten').waitForDisplayed();
  assert.equal(await button(browser, 'Sperren').isExisting(), false, 'nothing to lock before the setup');
  await shot(browser, 'vault-01-setup');
  assertNoSeriousViolations(await axe(browser));

  // PINs that differ are refused with a message, and nothing is set up.
  await field(browser, 'Ihr Name').setValue('Erika Musterfrau');
  await field(browser, 'PIN').setValue(PIN);
  await field(browser, 'PIN wiederholen').setValue('135790');
  await button(browser, 'Einrichten').click();
  await byText(browser, 'Die beiden PINs stimmen nicht überein.', 'div').waitForDisplayed();
  await browser.refresh();
  const secret = await setUp(browser);
  assert.match(secret, /^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
  recoverySecret = secret;
  assert.ok(await button(browser, 'Sperren').isDisplayed());

  // Locked at once, before any restart: the new clerk is chosen on the lock screen, and the same PIN opens it.
  await button(browser, 'Sperren').click();
  await heading(browser, 'Formdesk ist gesperrt').waitForDisplayed({ timeout: 20_000 });
  const clerk = field(browser, 'Mitarbeiterin oder Mitarbeiter');
  await browser.waitUntil(async () => (await clerk.getValue()) === CLERK, {
    timeoutMsg: `the lock screen does not offer ${CLERK}`,
  });
  await shot(browser, 'vault-01b-locked-after-setup');
  await unlockDesk(browser);
  assert.ok(await button(browser, 'Sperren').isDisplayed(), 'the right PIN opens the desk');
});

test('a draft survives closing the app and opens after the PIN', async () => {
  const { browser } = app;
  await openForm(browser, 'Hund anmelden');
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  await field(browser, 'Vorname(n)').setValue(FIRST);
  await field(browser, 'Familienname').setValue(FAMILY);
  await button(browser, 'Zur Startseite').click();
  await byText(browser, CITIZEN, 'span').waitForDisplayed({ timeoutMsg: 'the start screen does not name the citizen' });
  await app.close();

  app = await launch({ name: 'vault-reopen', desk, access: 'none' });
  const reopened = app.browser;
  await heading(reopened, 'Formdesk ist gesperrt').waitForDisplayed();
  await shot(reopened, 'vault-02-locked');
  assertNoSeriousViolations(await axe(reopened));
  await field(reopened, 'PIN').setValue('999999');
  await button(reopened, 'Entsperren').click();
  await byText(reopened, 'Die PIN ist falsch (1. Fehlversuch in Folge).', 'div').waitForDisplayed({ timeout: 20_000 });
  await shot(reopened, 'vault-03-wrong-pin');
  await unlockDesk(reopened);
  const entry = byText(reopened, CITIZEN, 'span');
  await entry.waitForDisplayed();
  await entry.click();
  await heading(reopened, 'Halterin oder Halter').waitForDisplayed();
  assert.equal(await field(reopened, 'Vorname(n)').getValue(), FIRST);
  assert.equal(await field(reopened, 'Familienname').getValue(), FAMILY);
});

test('"Sperren" hides everything, nothing typed is on disk, and unlocking returns to the same step', async () => {
  const { browser } = app;
  await field(browser, 'Vorname(n)').setValue(`${FIRST}-Ñandú`);
  await button(browser, 'Sperren').click();
  await lockScreen(browser);
  const page = await browser.execute(() => document.body.innerHTML);
  assert.ok(!page.includes(FIRST) && !page.includes(FAMILY), 'nothing of the draft is on the locked page');
  const locked = leaks([FIRST, FAMILY, `${FIRST}-Ñandú`]);
  assert.ok(locked.files.some((f) => f.endsWith('vault.sqlite3-wal')), `the WAL is scanned: ${locked.files.join(', ')}`);
  assert.deepEqual(locked.found, [], 'while locked');

  await unlockDesk(browser);
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  assert.equal(await field(browser, 'Vorname(n)').getValue(), `${FIRST}-Ñandú`, 'the change made before locking was kept');

  // Ctrl+L locks from inside a text field too.
  await field(browser, 'Familienname').click();
  await browser.keys([Key.Ctrl, 'l']);
  await lockScreen(browser);
  await unlockDesk(browser);
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();

  await app.close();
  const exited = leaks([FIRST, FAMILY, `${FIRST}-Ñandú`]);
  assert.deepEqual(exited.found, [], 'after exit');
});

test('a file goes into the vault encrypted and its picture comes back after a restart', async () => {
  const fixtures = uploadFixtures();
  try {
    const named = join(dirname(fixtures.png), `Zustimmung ${FAMILY}.png`);
    copyFileSync(fixtures.png, named);
    const picture = readFileSync(fixtures.png);
    app = await launch({ name: 'vault-file', desk, access: 'unlock', args: ['--open', 'baumfaellgenehmigung'] });
    let { browser } = app;
    await heading(browser, 'Antragstellerin oder Antragsteller').waitForDisplayed();
    await field(browser, 'Vorname(n)').setValue('Friedrich');
    await field(browser, 'Familienname').setValue('Wiesner');
    // Someone who does not own the plot attaches the owner's consent.
    await choice(browser, 'Nein', { group: 'Ich bin Eigentümerin oder Eigentümer des Grundstücks' }).click();
    const label = 'Schriftliche Zustimmung der Eigentümerin oder des Eigentümers';
    await (await field(browser, label)).addValue(named);
    const listed = () => browser.$(`//ul[@aria-label='Angehängt: ${label}']/li`);
    await listed().$('.//img').waitForDisplayed({ timeoutMsg: 'the consent is not listed with its picture' });
    assert.match(await listed().getText(), new RegExp(`Zustimmung ${FAMILY}\\.png`));
    await app.close();

    // Neither the file's name nor its bytes are readable on disk.
    const closed = leaks([`Zustimmung ${FAMILY}`]);
    assert.deepEqual(closed.found, [], 'the file name');
    const raw = closed.files.filter((f) => readFileSync(f).includes(picture.subarray(8, 70)));
    assert.deepEqual(raw, [], 'the picture is stored only encrypted');

    app = await launch({ name: 'vault-file-again', desk, access: 'unlock' });
    browser = app.browser;
    const entry = byText(browser, 'Friedrich Wiesner', 'span');
    await entry.waitForDisplayed();
    await entry.click();
    await heading(browser, 'Antragstellerin oder Antragsteller').waitForDisplayed();
    const thumb = listed().$('.//img');
    await thumb.waitForDisplayed({ timeoutMsg: 'the picture does not come back from the vault' });
    const expected = `data:image/png;base64,${picture.toString('base64')}`;
    assert.equal(await thumb.getAttribute('src'), expected, 'the picture comes back byte for byte');
    await thumb.scrollIntoView({ block: 'center' });
    await shot(browser, 'vault-04-file-after-restart');
    await app.close();
    app = undefined;
  } finally {
    fixtures.remove();
  }
});

test('the desk locks itself after the idle time', async () => {
  // Nine seconds: short enough to wait for, long enough that a busy machine shows the start screen after
  // unlocking before the desk locks itself again.
  app = await launch({ name: 'vault-idle', desk, access: 'unlock', args: ['--idle-lock', '0.15'] });
  const { browser } = app;
  await lockScreen(browser);
  assert.equal(await button(browser, 'Sperren').isExisting(), false);
  await unlockDesk(browser);
  await field(browser, 'Leistung suchen').waitForDisplayed();
});

test('a second clerk gets an own PIN, and the recovery key replaces a forgotten one', async () => {
  await app.close();
  app = await launch({ name: 'vault-clerks', desk, access: 'unlock' });
  const { browser } = app;
  await button(browser, 'Zugang hinzufügen').click();
  await heading(browser, 'Zugang hinzufügen').waitForDisplayed();
  assertNoSeriousViolations(await axe(browser));
  await field(browser, 'Name').setValue('Kemal Aydın');
  await field(browser, 'PIN').setValue('864209');
  await field(browser, 'PIN wiederholen').setValue('864209');
  await button(browser, 'Zugang anlegen').click();
  const added = 'Der Zugang für „Kemal Aydın“ ist angelegt. Auf dem Sperrbildschirm kann nun auch diese Person entsperren.';
  await byText(browser, added, 'p').waitForDisplayed();
  await shot(browser, 'vault-05-clerk-added');
  await button(browser, 'Schließen').click();

  // The new clerk unlocks with their own PIN; Erika's does not open it for him.
  await button(browser, 'Sperren').click();
  await lockScreen(browser);
  await field(browser, 'Mitarbeiterin oder Mitarbeiter').selectByVisibleText('Kemal Aydın');
  await field(browser, 'PIN').setValue(PIN);
  await button(browser, 'Entsperren').click();
  await byText(browser, 'Die PIN ist falsch (1. Fehlversuch in Folge).', 'div').waitForDisplayed({ timeout: 20_000 });
  await unlockDesk(browser, '864209');
  await field(browser, 'Leistung suchen').waitForDisplayed();

  // Erika forgot her PIN: the recovery key sets a new one, and the cases are all there.
  await button(browser, 'Sperren').click();
  await lockScreen(browser);
  await button(browser, 'PIN vergessen?').click();
  await heading(browser, 'Zugang mit dem Wiederherstellungsschlüssel').waitForDisplayed();
  assertNoSeriousViolations(await axe(browser));
  await field(browser, 'Wiederherstellungsschlüssel').setValue(recoverySecret.toLowerCase());
  await field(browser, 'Ihr Name').setValue(CLERK);
  await field(browser, 'Neue PIN').setValue('975310');
  await field(browser, 'PIN wiederholen').setValue('975310');
  await shot(browser, 'vault-06-recovery');
  await button(browser, 'Neue PIN festlegen und entsperren').click();
  await byText(browser, 'Friedrich Wiesner', 'span').waitForDisplayed({ timeout: 30_000 });
  await button(browser, 'Sperren').click();
  await lockScreen(browser);
  await field(browser, 'Mitarbeiterin oder Mitarbeiter').selectByVisibleText(CLERK);
  await unlockDesk(browser, '975310');
  await byText(browser, 'Friedrich Wiesner', 'span').waitForDisplayed();
});

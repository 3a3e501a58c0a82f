// The main scenario, as a clerk works through it: find "Hund anmelden" by searching "Hund", fill in
// the owner, two dogs (one of them a listed breed, with its permit attached), pay by SEPA direct debit after
// correcting a mistyped IBAN, check the review with the citizen and finalize. Every step leaves a
// screenshot, and axe checks each new screen.
//
// The tests run in order on one app and one draft; each picks up where the previous one stopped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Key } from 'webdriverio';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import {
  button,
  byText,
  choice,
  errors,
  field,
  fill,
  fillAddress,
  heading,
  instance,
  press,
  reveal,
  replaceText,
  results,
  select,
  squash,
  texts,
  waitForErrors,
} from '../lib/query.mjs';

const REQUIRED = 'Bitte ausfüllen.';
const BAD_IBAN = 'Die IBAN ist nicht gültig. Bitte prüfen Sie Länge und Prüfziffer.';

let app;
let browser;
let files;

before(async () => {
  files = uploadFixtures();
  app = await launch({ name: 'hundeanmeldung' });
  browser = app.browser;
});

after(async () => {
  await app?.close();
  files?.remove();
});

/** Presses "Weiter" and waits for the step titled `title` ("Schritt `number` von 3"). */
async function next(title, number) {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, title).waitForDisplayed({ timeoutMsg: `"Weiter" did not lead to "${title}"` });
  await byText(browser, `Schritt ${number} von 3`, 'p').waitForExist();
}

/** The value shown in the review next to `label`, or in the n-th row labelled so. */
async function reviewValues(label) {
  return texts(browser.$$(`//div[contains(@class,'review-row')][dt[normalize-space(.) = '${label}']]/dd[contains(@class,'review-value')]`));
}

test('searching "Hund" and pressing Enter on "Hund anmelden" opens its first step', async () => {
  const search = await field(browser, 'Leistung suchen');
  await search.waitForDisplayed();
  await replaceText(browser, search, 'Hund');
  await browser.waitUntil(async () => /Treffer für „Hund“/.test(await browser.$(`//p[contains(@class,'count')]`).getText()), {
    timeoutMsg: 'no hits for "Hund"',
  });
  const options = await results(browser);
  const titles = await texts(options);
  const position = titles.findIndex((t) => t.startsWith('Hund anmelden'));
  assert.ok(position >= 0 && position < 3, `"Hund anmelden" at ${position} in ${titles.join(' / ')}`);
  for (let i = 0; i < position; i++) await browser.keys(Key.ArrowDown);
  await browser.waitUntil(async () => (await options[position].getAttribute('aria-selected')) === 'true', {
    timeoutMsg: '↓ did not highlight "Hund anmelden"',
  });
  await shot(browser, 'hund-01-search');
  await browser.keys(Key.Enter);

  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  assert.ok(await heading(browser, 'Hund anmelden (Hundesteuer)').isDisplayed());
  assert.ok(await byText(browser, 'Schritt 1 von 3', 'p').isExisting());
  const steps = await texts(browser.$$(`//nav[@aria-label='Schritte']//li`));
  // The review is numbered like every step, and not marked done before it is.
  assert.equal(steps.at(-1).replace(/\s+/g, ' '), `${steps.length} Prüfen`, `step bar: ${steps.join(' / ')}`);
  assert.ok(await field(browser, 'Sprache der Bürgerin / des Bürgers').isExisting());
  assert.equal(await field(browser, 'Geburtsdatum').getAttribute('placeholder'), 'TT.MM.JJJJ');
  await shot(browser, 'hund-02-step1');
  assertNoSeriousViolations(await axe(browser));
});

test('an untouched step shows no errors; a required field left empty shows "Bitte ausfüllen."', async () => {
  for (const label of ['Vorname(n)', 'Familienname', 'Geburtsdatum']) {
    assert.deepEqual(await errors(browser, field(browser, label)), [], `errors at "${label}"`);
  }
  await fill(browser, 'Familienname', '');
  await waitForErrors(browser, field(browser, 'Familienname'), [REQUIRED], '"Familienname"');
  await shot(browser, 'hund-03-required');
});

// With the focus in an empty required field (here "Geburtsdatum", where the Tab above left it), pressing
// "Weiter" leaves the field, and its "Bitte ausfüllen." appears above the button. Shown at once, it pushed the
// button down by a line between press and release, and the click was lost; the UI now shows it after the click.
test('a click on "Weiter" right out of an empty required field is not lost', async () => {
  assert.ok(await field(browser, 'Geburtsdatum').isFocused(), 'the focus is in "Geburtsdatum"');
  await button(browser, 'Weiter').click();
  await browser.$(`//h4[contains(normalize-space(.), 'fehlen oder sind fehlerhaft:')]`).waitForDisplayed({
    timeout: 3000,
    timeoutMsg: 'the click on "Weiter" did nothing',
  });
});

test('"Weiter" on an incomplete step stays and lists every error of the step', async () => {
  await press(browser, button(browser, 'Weiter'));
  const summary = browser.$(`//h4[contains(normalize-space(.), 'fehlen oder sind fehlerhaft:')]`);
  await summary.waitForDisplayed({ timeoutMsg: 'no error summary after "Weiter"' });
  const title = squash(await summary.getText());
  const match = /^(\d+) Angaben fehlen oder sind fehlerhaft:$/.exec(title);
  assert.ok(match, `summary title "${title}"`);
  const count = Number(match[1]);
  const listed = await texts(summary.$$('./following-sibling::ul/li'));
  assert.equal(listed.length, count, `summary: ${listed.join(' / ')}`);
  for (const label of ['Vorname(n)', 'Familienname', 'Geburtsdatum']) {
    assert.ok(listed.some((l) => l.startsWith(`${label}: `)), `"${label}" in the summary: ${listed.join(' / ')}`);
  }
  await browser.waitUntil(
    async () => squash(await browser.$(`//*[@role='status'][contains(@class,'nav-status')]`).getText()) ===
      `Bitte prüfen Sie die ${count} markierten Angaben.`,
    { timeoutMsg: 'the status next to "Weiter" does not ask to check the marked entries' },
  );
  // Every error of the step shows now, also at fields never touched.
  await waitForErrors(browser, field(browser, 'Vorname(n)'), [REQUIRED], '"Vorname(n)"');
  await waitForErrors(browser, field(browser, 'Straße'), [REQUIRED], '"Straße"');
  assert.ok(await heading(browser, 'Halterin oder Halter').isDisplayed(), 'still at step 1');
  await shot(browser, 'hund-04-step1-errors');
  assertNoSeriousViolations(await axe(browser));
});

test('step 1 filled in completely leads on to the dogs', async () => {
  await fill(browser, 'Vorname(n)', 'Erika');
  await fill(browser, 'Familienname', 'Mustermann');
  await fill(browser, 'Geburtsdatum', '15.03.1985');
  await fillAddress(browser, { street: 'Amtshausstraße', houseNumber: '3', postcode: '32051', city: 'Herford' });
  await fill(browser, 'Telefon (für Rückfragen)', '+495221123456');
  await fill(browser, 'E-Mail-Adresse', 'erika.mustermann@example.de');
  for (const label of ['Vorname(n)', 'Familienname', 'Geburtsdatum', 'Straße', 'E-Mail-Adresse']) {
    await waitForErrors(browser, field(browser, label), [], `"${label}"`);
  }
  await shot(browser, 'hund-05-step1-filled');

  await next('Hunde', 2);
  assert.equal(await instance(browser, 'Hund 1').isExisting(), false, 'no dog yet');
  assert.ok(await byText(browser, 'Es ist noch nichts erfasst.', 'p').isDisplayed());
  await shot(browser, 'hund-06-step2');
  assertNoSeriousViolations(await axe(browser));
});

test('two dogs, one of them a listed breed with its permit attached', async () => {
  await press(browser, button(browser, 'Hund hinzufügen'));
  const first = instance(browser, 'Hund 1');
  await first.waitForDisplayed({ timeoutMsg: '"Hund hinzufügen" added no "Hund 1"' });
  await fill(browser, 'Name des Hundes', 'Bello', { within: first });
  await select(browser, 'Rasse', 'Labrador Retriever', { within: first });
  await choice(browser, 'Rüde', { within: first }).click();
  await fill(browser, 'Geburtsdatum (Wurfdatum) des Hundes', '01.04.2022', { within: first });
  await fill(browser, 'Gehalten seit', '15.06.2022', { within: first });
  await fill(browser, 'Transpondernummer (Chip)', '276098106543210', { within: first });

  await press(browser, button(browser, 'Hund hinzufügen'));
  const second = instance(browser, 'Hund 2');
  await second.waitForDisplayed({ timeoutMsg: '"Hund hinzufügen" added no "Hund 2"' });
  assert.ok(await browser.$(`//button[@aria-label='Hund 2 entfernen'][normalize-space(.)='Entfernen']`).isDisplayed());
  await fill(browser, 'Name des Hundes', 'Rocky', { within: second });
  await select(browser, 'Rasse', 'American Staffordshire Terrier', { within: second });
  await choice(browser, 'Rüde', { within: second }).click();
  await fill(browser, 'Geburtsdatum (Wurfdatum) des Hundes', '10.01.2025', { within: second });
  await fill(browser, 'Gehalten seit', '01.03.2025', { within: second });
  await fill(browser, 'Transpondernummer (Chip)', '276098106512345', { within: second });

  // A listed breed asks for the permit; a labrador does not.
  const permitLabel = 'Sachkundenachweis oder Erlaubnis nach LHundG NRW';
  const permit = await field(browser, permitLabel, { within: second });
  await permit.waitForExist({ timeoutMsg: 'the listed breed asks for no permit' });
  assert.equal(await field(browser, permitLabel, { within: first }).isExisting(), false);
  assert.ok(
    await second.$(`.//*[@role='note'][contains(., 'Regeln für gefährliche Hunde')]`).isDisplayed(),
    'the note on listed dogs at "Hund 2"',
  );
  assert.equal(await permit.getAttribute('type'), 'file');
  assert.ok(await second.$(`.//button[normalize-space(.)='Dateien auswählen']`).isDisplayed());

  await permit.addValue(files.pdf);
  const attached = second.$(`.//ul[@aria-label='Angehängt: ${permitLabel}']//span[normalize-space(.)='erlaubnis.pdf']`);
  await attached.waitForDisplayed({ timeoutMsg: 'the PDF is not listed as attached' });
  await waitForErrors(browser, permit, [], 'the permit');
  await reveal(browser, attached);
  await shot(browser, 'hund-07-two-dogs');
  assertNoSeriousViolations(await axe(browser));

  await next('Zahlung und Steuer', 3);
  await shot(browser, 'hund-08-step3');
  assertNoSeriousViolations(await axe(browser));
});

test('SEPA: a mistyped IBAN is named at its field until it is corrected; the tax is 696,00 €', async () => {
  await choice(browser, 'SEPA-Lastschrift', { group: 'Zahlungsart' }).click();
  const iban = field(browser, 'IBAN');
  await iban.waitForDisplayed({ timeoutMsg: 'SEPA asks for no IBAN' });
  await fill(browser, 'Kontoinhaberin oder Kontoinhaber', 'Erika Mustermann');

  await fill(browser, 'IBAN', 'DE89 3704 0044 0532 0130 01');
  await waitForErrors(browser, iban, [BAD_IBAN], '"IBAN"');
  await reveal(browser, iban);
  await shot(browser, 'hund-09-iban-wrong');
  assertNoSeriousViolations(await axe(browser));

  await fill(browser, 'IBAN', 'DE89 3704 0044 0532 0130 00');
  await waitForErrors(browser, iban, [], '"IBAN"');
  assert.equal(await browser.$(`//p[contains(normalize-space(.), 'Die IBAN ist nicht gültig')]`).isExisting(), false);

  await choice(browser, 'Ja', { group: 'SEPA-Lastschriftmandat erteilt' }).click();
  await waitForErrors(
    browser,
    browser.$(`//fieldset[legend[normalize-space(.)='SEPA-Lastschriftmandat erteilt *']]`),
    [],
    'the mandate',
  );

  const fees = browser.$(`//section[h4[normalize-space(.)='Gebühren']]`);
  await fees.waitForDisplayed({ timeoutMsg: 'no fees on the last step' });
  await browser.waitUntil(async () => squash(await fees.$('.//dd[contains(@class,"amount")]').getText()) === '696,00 €', {
    timeoutMsg: 'the dog tax did not come to 696,00 €',
  });
  assert.match(squash(await fees.getText()), /Hundesteuer \(Jahresbetrag\) 696,00 €/);
  assert.equal(squash(await field(browser, 'Anzahl Listenhunde').getText()), '1');
  await reveal(browser, fees);
  await shot(browser, 'hund-10-payment');
});

test('the review shows what was entered, with "Ändern" at each entry', async () => {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed({ timeoutMsg: '"Weiter" did not lead to the review' });
  await browser.$(`//dl[contains(@class,'review-list')]`).waitForDisplayed();

  assert.deepEqual(await reviewValues('Familienname'), ['Mustermann']);
  assert.deepEqual(await reviewValues('Vorname(n)'), ['Erika']);
  assert.deepEqual(await reviewValues('Name des Hundes'), ['Bello', 'Rocky']);
  assert.deepEqual(await reviewValues('Rasse'), ['Labrador Retriever', 'American Staffordshire Terrier']);
  const address = (await reviewValues('Anschrift')).join(' ');
  assert.match(address, /Amtshausstraße 3/);
  assert.match(address, /32051 Herford/);
  assert.ok(await browser.$(`//button[@aria-label='Ändern: Familienname'][normalize-space(.)='Ändern']`).isDisplayed());
  const fees = squash(await browser.$(`//section[h4[normalize-space(.)='Gebühren']]`).getText());
  assert.match(fees, /696,00 €/);
  assert.ok(await button(browser, 'Zurück').isDisplayed());
  assert.ok(await button(browser, 'Abschließen').isDisplayed());
  assert.equal(await browser.$(`//*[contains(@class,'review-warning')]`).isExisting(), false, 'the review reports missing entries');
  await shot(browser, 'hund-11-review');
  assertNoSeriousViolations(await axe(browser));
});

test('"Abschließen" finalizes the application', async () => {
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' });
  const number = browser.$(`//p[starts-with(normalize-space(.), 'Nummer am Arbeitsplatz:')]`);
  assert.match(squash(await number.getText()), /^Nummer am Arbeitsplatz: \d+$/);
  assert.ok(await heading(browser, 'Angaben im Antrag').isDisplayed());
  assert.ok(await button(browser, 'Neuer Vorgang').isDisplayed());
  assert.equal(await button(browser, 'Abschließen').isExisting(), false);
  assert.equal(await browser.$(`//button[starts-with(@aria-label, 'Ändern:')]`).isExisting(), false);

  // The citizen's receipt: a reference to read aloud and a QR code that scans.
  await heading(browser, 'Eingangsbestätigung für die Bürgerin / den Bürger').waitForDisplayed();
  const reference = browser.$(`//p[contains(@class,'receipt-reference')]`);
  await reference.waitForDisplayed({ timeoutMsg: 'no receipt reference' });
  assert.match(await reference.getText(), /^HUND-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  assert.ok(await button(browser, 'Drucken').isDisplayed());
  assert.ok(await button(browser, 'Speichern …').isDisplayed());
  const qr = browser.$(`//img[starts-with(@alt, 'QR-Code der Eingangsbestätigung')]`);
  await qr.scrollIntoView({ block: 'center' });
  const scratch = mkdtempSync(join(tmpdir(), 'formdesk-qr-'));
  try {
    const picture = join(scratch, 'qr.png');
    await qr.saveScreenshot(picture);
    const scanned = execFileSync('zbarimg', ['--quiet', '--raw', picture], { encoding: 'utf8' }).trim();
    assert.match(scanned, /^[0-9A-Z $%*+\-./:]{100,}$/, 'the QR code on screen scans as a Base45 payload');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  await shot(browser, 'hund-12-final');
  assertNoSeriousViolations(await axe(browser));

  // "Neuer Vorgang" leads back to the start, where the draft is listed as finished and, as this desk has no
  // portal, as waiting to be sent.
  const id = squash(await number.getText()).split(' ').at(-1);
  await press(browser, button(browser, 'Neuer Vorgang'));
  await heading(browser, 'Angefangene und letzte Vorgänge').waitForDisplayed();
  const entry = browser.$(`//button[contains(@class,'draft-entry')][contains(normalize-space(.), 'Vorgang ${id}')]`);
  await entry.waitForDisplayed({ timeoutMsg: `"Vorgang ${id}" is not listed at the start` });
  const text = squash(await entry.getText());
  assert.match(text, /Hund anmelden/);
  assert.match(text, /abgeschlossen wartet auf Übermittlung/);
  await shot(browser, 'hund-13-start-after');
});

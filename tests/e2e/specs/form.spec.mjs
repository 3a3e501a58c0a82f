// A form opened from the command line (`--open hundeanmeldung`): errors show only at fields the clerk has
// touched, clear once the field is filled, and invalid values are named at their field.
//
// Each check that a message is absent first waits for a state the engine computed after the input in
// question (see the comments below), so it cannot pass merely because the engine had not answered yet.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Key } from 'webdriverio';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { button, choice, errors, field, heading, replaceText } from '../lib/query.mjs';

const REQUIRED = 'Bitte ausfüllen.';

let app;
let browser;

before(async () => {
  app = await launch({ name: 'form', args: ['--open', 'hundeanmeldung'] });
  browser = app.browser;
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
});

after(async () => {
  await app?.close();
});

/** Puts `text` into the field labelled `label` and leaves it with Tab, as a clerk does. */
async function fill(label, text) {
  const input = await field(browser, label);
  await replaceText(browser, input, text);
  await browser.keys(Key.Tab);
  return input;
}

/** Waits until the field labelled `label` shows exactly `expected` as its errors. */
async function waitForErrors(label, expected) {
  const input = await field(browser, label);
  let shown = null;
  await browser
    .waitUntil(async () => {
      shown = await errors(browser, input);
      return JSON.stringify(shown) === JSON.stringify(expected);
    })
    .catch(() => {}); // the assertion below reports what was shown last
  assert.deepEqual(shown, expected, `errors at "${label}"`);
  assert.equal(await input.getAttribute('aria-invalid'), expected.length > 0 ? 'true' : 'false');
}

test('an untouched form opens without errors', async () => {
  for (const label of ['Vorname(n)', 'Familienname', 'Geburtsdatum']) {
    assert.deepEqual(await errors(browser, field(browser, label)), [], `errors at "${label}"`);
  }
});

test('a filled name shows no error; a required field left empty shows "Bitte ausfüllen." once', async () => {
  const firstName = await fill('Vorname(n)', 'Anna');
  assert.equal(await firstName.getValue(), 'Anna');

  // Clicking into "Familienname" and leaving it empty touches it: the engine's "required" error shows.
  await fill('Familienname', '');
  await waitForErrors('Familienname', [REQUIRED]);
  await shot(browser, 'hundeanmeldung-required');

  // Typing a surname clears it. That state comes from an evaluation sent after the last one for "Anna"
  // (answers accumulate, and the app applies only the newest answer), so the first name's errors read
  // now are the engine's verdict on "Anna".
  await fill('Familienname', 'Muster');
  await waitForErrors('Familienname', []);
  await waitForErrors('Vorname(n)', []);
});

test('an invalid e-mail address is named at its field', async () => {
  await fill('E-Mail-Adresse', 'anna@');
  await waitForErrors('E-Mail-Adresse', ['Bitte eine gültige E-Mail-Adresse eingeben, z. B. name@example.de.']);
  await shot(browser, 'hundeanmeldung-email');
  await fill('E-Mail-Adresse', 'anna.muster@example.de');
  await waitForErrors('E-Mail-Adresse', []);
});

test('an IBAN with a wrong check digit is named on the payment step', async () => {
  for (const title of ['Hunde', 'Zahlung und Steuer']) {
    await button(browser, 'Weiter').click();
    await heading(browser, title).waitForDisplayed();
  }
  await choice(browser, 'SEPA-Lastschrift').click();
  await field(browser, 'IBAN').waitForDisplayed();

  await fill('IBAN', 'DE89 3704 0044 0532 0130 01');
  await waitForErrors('IBAN', ['Die IBAN ist nicht gültig. Bitte prüfen Sie Länge und Prüfziffer.']);
  await shot(browser, 'hundeanmeldung-iban');
  assertNoSeriousViolations(await axe(browser));

  await fill('IBAN', 'DE89 3704 0044 0532 0130 00');
  await waitForErrors('IBAN', []);
});

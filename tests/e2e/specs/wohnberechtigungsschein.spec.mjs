// The housing eligibility certificate, opened from the command line: a household member with her own
// address and two incomes, each income an entry inside the member's entry. The member's total is computed
// by the engine; the review names the member each income belongs to.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import { button, choice, field, fill, fillAddress, heading, instance, press, reveal, select, squash } from '../lib/query.mjs';

let app;
let browser;
let files;

before(async () => {
  files = uploadFixtures();
  app = await launch({ name: 'wbs', args: ['--open', 'wohnberechtigungsschein'] });
  browser = app.browser;
});

after(async () => {
  await app?.close();
  files?.remove();
});

/** Presses "Weiter" and waits for the step titled `title`. */
async function next(title) {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, title).waitForDisplayed({ timeoutMsg: `"Weiter" did not lead to "${title}"` });
}

test('the applicant', async () => {
  await heading(browser, 'Antragstellerin oder Antragsteller').waitForDisplayed();
  await fill(browser, 'Vorname(n)', 'Olena');
  await fill(browser, 'Familienname', 'Kovalenko');
  await fill(browser, 'Geburtsdatum', '21.07.1988');
  await fillAddress(browser, { street: 'Mindener Straße', houseNumber: '44', postcode: '32052', city: 'Herford' });
  await choice(browser, 'verheiratet', { group: 'Familienstand' }).click();
  await choice(browser, 'EU, EWR oder Schweiz', { group: 'Staatsangehörigkeit' }).click();
  await next('Haushalt');
});

test('a member with her own address and two incomes inside her entry', async () => {
  await press(browser, button(browser, 'Haushaltsmitglied hinzufügen'));
  const member = instance(browser, 'Haushaltsmitglied 1');
  await member.waitForDisplayed({ timeoutMsg: 'no "Haushaltsmitglied 1"' });
  await fill(browser, 'Vor- und Familienname', 'Taras Kovalenko', { within: member });
  await fill(browser, 'Geburtsdatum', '09.01.1986', { within: member });
  await choice(browser, 'Ehegatte, Lebenspartnerin oder Lebenspartner', { within: member }).click();
  await choice(browser, 'Ja', { group: 'Die Person wohnt zurzeit unter einer anderen Anschrift als Sie', within: member }).click();
  const address = member.$(`.//fieldset[legend[starts-with(normalize-space(.), 'Jetzige Anschrift der Person')]]`);
  await address.waitForDisplayed({ timeoutMsg: 'the member’s address did not appear' });
  await fillAddress(browser, { street: 'Bielefelder Straße', houseNumber: '7', postcode: '32051', city: 'Herford' }, { within: address });

  for (let n = 1; n <= 3; n++) {
    await press(browser, member.$(`.//button[normalize-space(.) = 'Einkommen hinzufügen']`));
    await instance(browser, `Einkommen ${n}`).waitForDisplayed({ timeoutMsg: `no "Einkommen ${n}"` });
  }
  await select(browser, 'Art des Einkommens', 'Rente oder Pension', { within: instance(browser, 'Einkommen 1') });
  await press(browser, browser.$(`//button[@aria-label='Einkommen 1 entfernen']`));
  await instance(browser, 'Einkommen 3').waitForExist({ reverse: true, timeoutMsg: 'the income was not removed' });

  const first = instance(browser, 'Einkommen 1');
  await select(browser, 'Art des Einkommens', 'Lohn oder Gehalt', { within: first });
  await fill(browser, 'Betrag in zwölf Monaten (brutto) in Euro', '7200', { within: first });
  const second = instance(browser, 'Einkommen 2');
  await select(browser, 'Art des Einkommens', 'andere Einkünfte', { within: second });
  await field(browser, 'Welche Einkünfte?', { within: second }).waitForDisplayed({ timeoutMsg: 'no description asked' });
  await fill(browser, 'Welche Einkünfte?', 'Mieteinnahmen Garage', { within: second });
  await fill(browser, 'Betrag in zwölf Monaten (brutto) in Euro', '600,50', { within: second });

  const total = field(browser, 'Jahreseinkommen (brutto) in Euro', { within: member });
  await browser.waitUntil(async () => squash(await total.getText()) === '7.800,50 €', {
    timeoutMsg: 'the member’s total did not come to 7.800,50 €',
  });
  await reveal(browser, second);
  await shot(browser, 'wbs-01-member-with-incomes');
  assertNoSeriousViolations(await axe(browser));
  await next('Einkommen und besondere Umstände');
});

test('own income and proof', async () => {
  await fill(browser, 'Ihr Jahreseinkommen (brutto) in Euro', '9000');
  await field(browser, 'Einkommensnachweise aller Haushaltsangehörigen').addValue(files.pdf);
  const listed = browser.$(`//ul[@aria-label='Angehängt: Einkommensnachweise aller Haushaltsangehörigen']/li`);
  await listed.waitForDisplayed({ timeoutMsg: 'the proof is not listed as attached' });
  assert.match(squash(await listed.getText()), /erlaubnis\.pdf/);
  await choice(browser, 'Nein', { group: 'Im Haushalt lebt ein schwerbehinderter Mensch' }).click();
});

test('the review names the member of each income', async () => {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed({ timeoutMsg: '"Weiter" did not lead to the review' });
  const headings = browser.$$(`//h5[contains(@class,'review-instance')]`);
  await browser.waitUntil(async () => (await headings.length) >= 3, { timeoutMsg: 'no instance headings' });
  const shown = [];
  for (const h of await headings) shown.push(squash(await h.getText()));
  assert.deepEqual(shown, ['Haushaltsmitglied 1', 'Haushaltsmitglied 1 › Einkommen 1', 'Haushaltsmitglied 1 › Einkommen 2']);
  const nested = browser.$(`//h5[contains(@class,'review-instance')][normalize-space(.) = 'Haushaltsmitglied 1 › Einkommen 2']`);
  assert.match(await nested.getAttribute('class'), /nested/);
  await reveal(browser, nested);
  await shot(browser, 'wbs-02-review');
  assertNoSeriousViolations(await axe(browser));
});

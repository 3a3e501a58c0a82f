// The desk app as it starts: the nine installed services, the search box (a combobox over the listbox
// "Leistungen"), the shortcuts overlay, and axe's WCAG 2.1 AA rules on each of these screens.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Key } from 'webdriverio';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { button, byText, field, heading, replaceText, results, texts } from '../lib/query.mjs';

const FORM_TITLES = [
  'Hund anmelden',
  'Hund abmelden',
  'Wohnberechtigungsschein',
  'Baum',
  'Bewohnerparkausweis',
  'Personenstandsurkunde',
  'Gewerbeanmeldung',
  'Sondernutzungserlaubnis',
  'Brauchtumsfeuer',
];

let app;
let browser;

before(async () => {
  app = await launch({ name: 'start' });
  browser = app.browser;
});

after(async () => {
  await app?.close();
});

/** Types `query` into "Leistung suchen" and waits until the count names its hits. */
async function search(query) {
  await replaceText(browser, field(browser, 'Leistung suchen'), query);
  const count = browser.$(`//p[contains(@class, 'count')]`);
  await browser.waitUntil(async () => /Treffer für|Keine Leistung passt/.test(await count.getText()), {
    timeoutMsg: `no search result for "${query}"`,
  });
  // The count and the options come from the same answer of the desk.
  return { count: (await count.getText()).trim(), titles: await optionTitles() };
}

/** The titles of the options shown, in order (the first line of each option). */
async function optionTitles() {
  const out = [];
  for (const option of await results(browser)) out.push((await option.$('.result-title').getText()).trim());
  return out;
}

test('the start screen lists the nine installed services', async () => {
  await byText(browser, '9 Leistungen installiert', 'p').waitForDisplayed();
  assert.ok(await heading(browser, 'Formdesk').isDisplayed());
  assert.ok(await heading(browser, 'Neuer Vorgang').isDisplayed());
  assert.ok(await heading(browser, 'Angefangene und letzte Vorgänge').isDisplayed());
  assert.ok(await button(browser, 'Bürgeransicht').isDisplayed());
  assert.ok(await button(browser, 'Tastenkürzel').isDisplayed());
  assert.equal(await button(browser, 'Zur Startseite').isExisting(), false, 'no "Zur Startseite" without a draft');
  // The interface language: a select inside its label "Oberfläche".
  const uiLang = browser.$(`//label[span[normalize-space(.) = 'Oberfläche']]//select`);
  assert.equal(await uiLang.getValue(), 'de');
  assert.deepEqual(await texts(uiLang.$$('option')), ['Deutsch', 'English']);

  const search = await field(browser, 'Leistung suchen');
  assert.equal(await search.getAttribute('role'), 'combobox');
  assert.ok(await search.isFocused(), 'the search box has the focus at start');

  const entries = await texts(results(browser));
  assert.equal(entries.length, FORM_TITLES.length, `options: ${entries.join(' / ')}`);
  for (const title of FORM_TITLES) {
    assert.equal(entries.filter((e) => e.includes(title)).length, 1, `one option for "${title}" in ${entries}`);
  }
  await shot(browser, 'start');
});

test('the start screen has no serious accessibility violations', async () => {
  assertNoSeriousViolations(await axe(browser));
});

test('searching "Hund" puts "Hund anmelden" among the first three results', async () => {
  const { count, titles } = await search('Hund');
  assert.match(count, /^\d+ Treffer für „Hund“$/);
  assert.equal(Number(count.split(' ')[0]), titles.length, `count "${count}" for ${titles.join(' / ')}`);
  const position = titles.findIndex((t) => t.includes('Hund anmelden'));
  assert.ok(position >= 0 && position < 3, `"Hund anmelden" at ${position} in ${titles.join(' / ')}`);
  await shot(browser, 'start-search-hund');
  assertNoSeriousViolations(await axe(browser));
});

test('searching "Parkausweis" puts the parking permit first', async () => {
  const { titles } = await search('Parkausweis');
  assert.ok(titles.length >= 1);
  assert.match(titles[0], /Bewohnerparkausweis/, `results: ${titles.join(' / ')}`);

  // ↓ and ↑ move the highlight while the focus stays in the box.
  const options = await results(browser);
  assert.equal(await options[0].getAttribute('aria-selected'), 'true');
  if (options.length > 1) {
    await browser.keys(Key.ArrowDown);
    await browser.waitUntil(async () => (await options[1].getAttribute('aria-selected')) === 'true');
    await browser.keys(Key.ArrowUp);
    await browser.waitUntil(async () => (await options[0].getAttribute('aria-selected')) === 'true');
  }
  assert.ok(await field(browser, 'Leistung suchen').isFocused());
  await shot(browser, 'start-search-parkausweis');
});

test('a search without hits says so', async () => {
  const { count, titles } = await search('Xylophon');
  assert.equal(count, 'Keine Leistung passt zu „Xylophon“.');
  assert.deepEqual(titles, []);
  await replaceText(browser, field(browser, 'Leistung suchen'), '');
  await byText(browser, '9 Leistungen installiert', 'p').waitForDisplayed();
  await browser.waitUntil(async () => (await results(browser)).length === FORM_TITLES.length, {
    timeoutMsg: 'clearing the search did not bring back every service',
  });
});

test('F1 opens the shortcuts overlay as a dialog; Escape closes it', async () => {
  await field(browser, 'Leistung suchen').click();
  await browser.keys(Key.F1);
  const dialog = browser.$(`//*[@role='dialog'][@aria-labelledby = //*[normalize-space(.)='Tastenkürzel']/@id]`);
  await dialog.waitForDisplayed({ timeoutMsg: 'F1 did not open the dialog "Tastenkürzel"' });
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  const close = await dialog.$(`.//button[normalize-space(.)='Schließen']`);
  assert.ok(await close.isDisplayed());
  await browser.waitUntil(() => close.isFocused(), { timeoutMsg: '"Schließen" did not take the focus' });
  await shot(browser, 'help-dialog');
  assertNoSeriousViolations(await axe(browser));

  await browser.keys(Key.Escape);
  await dialog.waitForExist({ reverse: true, timeoutMsg: 'Escape did not close the dialog' });
  await browser.waitUntil(() => field(browser, 'Leistung suchen').isFocused(), {
    timeoutMsg: 'the focus did not return to the search box',
  });
});

test('choosing "Hund anmelden" opens its first step', async () => {
  await browser.$(`//*[@role='option'][contains(normalize-space(.), 'Hund anmelden')]`).click();
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  assert.ok(await heading(browser, 'Hund anmelden (Hundesteuer)').isDisplayed());
  assert.ok(await byText(browser, 'Schritt 1 von 3', 'p').isExisting());
  assert.ok(await button(browser, 'Zur Startseite').isDisplayed());
  await shot(browser, 'start-opened-hundeanmeldung');
});

// Without this, the checks above would also pass if axe silently checked nothing.
test('the accessibility check fails on a field without a label', async () => {
  await browser.execute(() => {
    const input = document.createElement('input');
    input.id = 'e2e-unlabelled';
    document.body.append(input);
  });
  try {
    const violations = await axe(browser);
    assert.throws(() => assertNoSeriousViolations(violations), /- label \(critical\)[^\n]*\n\s+at #e2e-unlabelled/);
  } finally {
    await browser.execute(() => document.getElementById('e2e-unlabelled')?.remove());
  }
});

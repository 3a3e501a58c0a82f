// The citizen's window in Arabic: the whole window right to left with its layout mirrored, and inside it the
// values that run left to right in any language (dates, postcodes, phone numbers, e-mail addresses, the IBAN,
// amounts) kept so; axe finds nothing serious. The clerk's window stays German and left to right whatever the
// citizen reads. Ukrainian, Russian and Leichte Sprache run left to right, each all in its language. The
// form's texts expected are its own, read from its translation files.
//
// The tests run in order on one app: the clerk's window and the citizen's window, switched between.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import {
  button,
  choice,
  field,
  fill,
  fillAddress,
  heading,
  instance,
  press,
  reveal,
  select,
  waitForErrors,
} from '../lib/query.mjs';
import { formTexts } from '../lib/translations.mjs';

const LANGUAGE = 'Sprache der Bürgerin / des Bürgers';
const ARABIC = 'العربية';

/** The Hundeanmeldung's Arabic texts, by unit. */
const ar = formTexts('hundeanmeldung', 'ar');

let app;
let browser;
let clerkWindow;
let citizenWindow;

before(async () => {
  app = await launch({ name: 'languages', args: ['--open', 'hundeanmeldung'] });
  browser = app.browser;
  clerkWindow = await browser.getWindowHandle();
});

after(async () => {
  await app?.close();
});

async function asClerk() {
  await browser.switchToWindow(clerkWindow);
}

async function asCitizen() {
  await browser.switchToWindow(citizenWindow);
}

/** The language and direction the window's document element carries, and the direction it computes to. */
async function page() {
  return browser.execute(() => ({
    lang: document.documentElement.getAttribute('lang'),
    dir: document.documentElement.getAttribute('dir'),
    direction: getComputedStyle(document.documentElement).direction,
  }));
}

/** The computed writing direction of `element`. */
async function direction(element) {
  const target = await element;
  await target.waitForExist();
  return browser.execute((el) => getComputedStyle(el).direction, target);
}

/** `element`'s text without the Unicode isolation marks Arabic messages put around their placeables. */
async function plainText(element) {
  const target = await element;
  return browser.execute((el) => el.textContent.replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim(), target);
}

/**
 * What of the page lies outside the window's width (visible elements only): the layout is mirrored, not
 * pushed off one side.
 */
async function cutOff() {
  return browser.execute(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('.citizen-screen *')) {
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.left < -1 || r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${r.left}–${r.right}`);
    }
    const content = document.querySelector('.content');
    if (content && content.scrollWidth > content.clientWidth) out.push(`.content scrolls sideways: ${content.scrollWidth}`);
    return out;
  });
}

/** The horizontal middle of `element` as a share of the window's width: near 1 on the right, near 0 on the left. */
async function across(element) {
  const target = await element;
  return browser.execute((el) => {
    const r = el.getBoundingClientRect();
    return (r.left + r.width / 2) / document.documentElement.clientWidth;
  }, target);
}

test('the clerk picks Arabic: the citizen window is right to left, its dates, postcode, phone and e-mail left to right', async () => {
  await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeout: 30_000 });
  await fill(browser, 'Vorname(n)', 'Layla');
  await fill(browser, 'Familienname', 'Haddad');
  await fill(browser, 'Geburtsdatum', '02.07.1985');
  await fillAddress(browser, { street: 'Amtshausstraße', houseNumber: '3', postcode: '32051', city: 'Herford' });
  await fill(browser, 'Telefon (für Rückfragen)', '05221 189-0');
  await fill(browser, 'E-Mail-Adresse', 'layla.haddad@example.de');
  await waitForErrors(browser, field(browser, 'E-Mail-Adresse'), [], '"E-Mail-Adresse"');

  // The desk offers Arabic for the Hundeanmeldung, whose texts cover it completely.
  await select(browser, LANGUAGE, ARABIC);
  await heading(browser, ar('steps.halter.title')).waitForDisplayed({
    timeoutMsg: 'the form’s texts on the clerk’s screen did not switch to Arabic',
  });
  await press(browser, button(browser, 'Bürgeransicht'));
  await browser.waitUntil(async () => (await browser.getWindowHandles()).length === 2, {
    timeoutMsg: 'no second window after "Bürgeransicht"',
  });
  citizenWindow = (await browser.getWindowHandles()).find((h) => h !== clerkWindow);
  await asCitizen();

  const stepTitle = heading(browser, ar('steps.halter.title'));
  await stepTitle.waitForDisplayed({ timeoutMsg: 'the citizen does not see step 1 in Arabic' });
  assert.ok(await heading(browser, ar('title')).isDisplayed(), 'the form’s Arabic title');
  assert.deepEqual(await page(), { lang: 'ar', dir: 'rtl', direction: 'rtl' });
  assert.equal(await plainText(browser.$('.progress')), 'الخطوة 1 من 3');
  assert.equal(await direction(stepTitle), 'rtl');

  // The values stay left to right, in Arabic surroundings; the name takes the direction around it.
  const birthday = field(browser, ar('steps.halter.items.halter_geburtsdatum.label'));
  assert.equal(await birthday.getValue(), '02.07.1985');
  assert.equal(await direction(birthday), 'ltr');
  const postcode = field(browser, 'الرمز البريدي');
  assert.equal(await postcode.getValue(), '32051');
  assert.equal(await direction(postcode), 'ltr');
  assert.equal(await direction(field(browser, ar('steps.halter.items.halter_telefon.label'))), 'ltr');
  const email = field(browser, ar('steps.halter.items.halter_email.label'));
  assert.equal(await email.getValue(), 'layla.haddad@example.de');
  assert.equal(await direction(email), 'ltr');
  assert.equal(await direction(field(browser, ar('steps.halter.items.halter_familienname.label'))), 'rtl');

  // Mirrored: the logo at the right of the header, the labels and fields on the right, nothing cut off.
  assert.ok((await across(browser.$('.app-header .logo'))) > 0.9, 'the logo is not at the right');
  assert.ok(
    (await across(browser.$(`//label[starts-with(normalize-space(.), 'الرمز البريدي')]`))) > 0.5,
    'the postcode’s label is not on the right',
  );
  assert.deepEqual(await cutOff(), []);

  await shot(browser, 'citizen-ar-01');
  assertNoSeriousViolations(await axe(browser));
});

test('the clerk’s window stays German and left to right', async () => {
  await asClerk();
  assert.deepEqual(await page(), { lang: 'de', dir: 'ltr', direction: 'ltr' });
  const next = button(browser, 'Weiter');
  assert.ok(await next.isDisplayed());
  assert.equal(await direction(next), 'ltr');
  assert.ok(await button(browser, 'Bürgeransicht').isDisplayed());
  assert.equal(await field(browser, LANGUAGE).getValue(), 'ar');
  // The form's texts in the citizen's language, in a block of their own direction, as before.
  const stepTitle = heading(browser, ar('steps.halter.title'));
  assert.equal(await direction(stepTitle), 'rtl');
  await shot(browser, 'citizen-ar-clerk');
});

test('back in German, the citizen window is left to right again', async () => {
  await select(browser, LANGUAGE, 'Deutsch');
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  await asCitizen();
  await heading(browser, 'Halterin oder Halter').waitForDisplayed({ timeoutMsg: 'the citizen window stayed Arabic' });
  assert.deepEqual(await page(), { lang: 'de', dir: 'ltr', direction: 'ltr' });
  assert.ok((await across(browser.$('.app-header .logo'))) < 0.1, 'the logo is not back at the left');
});

test('on the payment step in Arabic, the IBAN, the tax and the fee stay left to right', async () => {
  await asClerk();
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Hunde').waitForDisplayed();
  await press(browser, button(browser, 'Hund hinzufügen'));
  const dog = instance(browser, 'Hund 1');
  await dog.waitForDisplayed();
  await fill(browser, 'Name des Hundes', 'Bello', { within: dog });
  await select(browser, 'Rasse', 'Labrador Retriever', { within: dog });
  await choice(browser, 'Rüde', { within: dog }).click();
  await fill(browser, 'Geburtsdatum (Wurfdatum) des Hundes', '01.04.2022', { within: dog });
  await fill(browser, 'Gehalten seit', '15.06.2022', { within: dog });
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Zahlung und Steuer').waitForDisplayed();
  await choice(browser, 'SEPA-Lastschrift', { group: 'Zahlungsart' }).click();
  await fill(browser, 'Kontoinhaberin oder Kontoinhaber', 'Layla Haddad');
  const iban = await fill(browser, 'IBAN', 'DE89 3704 0044 0532 0130 00');
  await waitForErrors(browser, iban, [], '"IBAN"');
  await select(browser, LANGUAGE, ARABIC);
  await heading(browser, ar('steps.zahlung.title')).waitForDisplayed();

  await asCitizen();
  await heading(browser, ar('steps.zahlung.title')).waitForDisplayed({
    timeoutMsg: 'the citizen window did not follow to the payment step in Arabic',
  });
  assert.deepEqual(await page(), { lang: 'ar', dir: 'rtl', direction: 'rtl' });
  const citizenIban = field(browser, ar('steps.zahlung.items.sepa_iban.label'));
  assert.match(await citizenIban.getValue(), /^DE89 ?3704/);
  assert.equal(await direction(citizenIban), 'ltr');
  const tax = field(browser, ar('steps.zahlung.items.steuer_jahr.label'));
  assert.equal(await plainText(tax), '96,00 €');
  assert.equal(await direction(tax), 'ltr');
  const fee = browser.$('.fee-list .amount');
  assert.equal(await plainText(fee), '96,00 €');
  assert.equal(await direction(fee), 'ltr');
  assert.equal(await direction(browser.$('.fee-list dt')), 'rtl');
  assert.deepEqual(await cutOff(), []);

  await reveal(browser, citizenIban);
  await shot(browser, 'citizen-ar-02');
  await browser.execute(() => document.querySelector('.fees')?.scrollIntoView({ block: 'end' }));
  await shot(browser, 'citizen-ar-03');
  assertNoSeriousViolations(await axe(browser));
});

test('in Ukrainian, Russian and Leichte Sprache the citizen window is left to right, all in that language', async () => {
  const languages = [
    { name: 'Українська', lang: 'uk', progress: 'Крок 3 з 3', fees: 'Збори' },
    { name: 'Русский', lang: 'ru', progress: 'Шаг 3 из 3', fees: 'Сборы' },
    { name: 'Leichte Sprache', lang: 'de-x-ls', progress: 'Schritt 3 von 3', fees: 'Kosten' },
  ];
  for (const { name, lang, progress, fees } of languages) {
    const texts = formTexts('hundeanmeldung', lang);
    await asClerk();
    await select(browser, LANGUAGE, name);
    await heading(browser, texts('steps.zahlung.title')).waitForDisplayed({ timeoutMsg: `no "${name}" on the clerk's screen` });
    assert.deepEqual(await page(), { lang: 'de', dir: 'ltr', direction: 'ltr' });

    await asCitizen();
    await heading(browser, texts('steps.zahlung.title')).waitForDisplayed({
      timeoutMsg: `the citizen window did not switch to ${name}`,
    });
    assert.deepEqual(await page(), { lang, dir: 'ltr', direction: 'ltr' });
    assert.equal(await plainText(browser.$('.progress')), progress);
    assert.ok(await heading(browser, fees).isDisplayed(), `"${fees}" over the fees`);
    assert.ok((await across(browser.$('.app-header .logo'))) < 0.1, 'the logo is not at the left');
    assert.deepEqual(await cutOff(), []);
    assertNoSeriousViolations(await axe(browser));
  }
});

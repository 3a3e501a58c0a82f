// The second window, on a screen facing the citizen: it shows the clerk's current step read-only in the
// citizen's language, follows the clerk's entries and steps, and may call nothing but `citizen_view`.
// axe checks it as it checks the clerk's screens.
//
// The tests run in order on one app: the clerk's window and the citizen's window, switched between.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { button, byText, field, fill, fillAddress, heading, press, select, waitForErrors } from '../lib/query.mjs';
import { formTexts } from '../lib/translations.mjs';

/** The Hundeanmeldung's Turkish texts, by unit. */
const tr = formTexts('hundeanmeldung', 'tr');
const OWNER = tr('steps.halter.title');
const DOGS = tr('steps.angaben_hunde.title');

let app;
let browser;
let clerkWindow;
let citizenWindow;

before(async () => {
  app = await launch({ name: 'citizen', args: ['--open', 'hundeanmeldung'] });
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

test('"Bürgeransicht" opens a second window showing the current step', async () => {
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  await fill(browser, 'Vorname(n)', 'Ayşe');
  await fill(browser, 'Familienname', 'Yılmaz');
  await fill(browser, 'Geburtsdatum', '02.07.1979');
  await fillAddress(browser, { street: 'Lübberstraße', houseNumber: '12', postcode: '32052', city: 'Herford' });
  await fill(browser, 'E-Mail-Adresse', 'ayse.yilmaz@example.de');
  await waitForErrors(browser, field(browser, 'E-Mail-Adresse'), [], '"E-Mail-Adresse"');
  // The form's texts switch to Turkish on the clerk's screen too; the interface around them stays German.
  await select(browser, 'Sprache der Bürgerin / des Bürgers', 'Türkçe');
  await heading(browser, OWNER).waitForDisplayed();
  assert.ok(await button(browser, 'Weiter').isDisplayed());
  await press(browser, button(browser, 'Bürgeransicht'));

  await browser.waitUntil(async () => (await browser.getWindowHandles()).length === 2, {
    timeoutMsg: 'no second window after "Bürgeransicht"',
  });
  citizenWindow = (await browser.getWindowHandles()).find((h) => h !== clerkWindow);
  await asCitizen();
  assert.match(await browser.getUrl(), /#citizen$/);
  assert.equal(await browser.getTitle(), 'Formdesk – Ansicht für Bürgerinnen und Bürger');

  // The form's texts in Turkish, and so are the ones around them: progress, the address's parts.
  await heading(browser, OWNER).waitForDisplayed({ timeoutMsg: 'the citizen does not see step 1 in Turkish' });
  assert.ok(await heading(browser, tr('title')).isDisplayed());
  assert.ok(await byText(browser, 'Adım 1 / 3', 'p').isDisplayed());
  assert.equal(await byText(browser, 'Schritt 1 von 3', 'p').isExisting(), false);
  assert.equal(await field(browser, 'Posta kodu').getValue(), '32052');
  assert.equal(await browser.$('.items').getAttribute('lang'), 'tr');
  assert.equal(await browser.$('.citizen-screen').getAttribute('lang'), 'tr');
  // The whole window is Turkish, left to right.
  const root = await browser.execute(() => [document.documentElement.lang, document.documentElement.dir]);
  assert.deepEqual(root, ['tr', 'ltr']);
  await shot(browser, 'citizen-01-step1');
  assertNoSeriousViolations(await axe(browser));
});

test('the citizen window can change nothing', async () => {
  // Every field is read-only or disabled, and no button acts on the draft.
  const editable = await browser.execute(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !el.disabled && !el.readOnly)
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(editable, []);
  for (const label of ['Weiter', 'Zurück', 'Prüfen', 'Abschließen']) {
    assert.equal(await button(browser, label).isExisting(), false, `no "${label}" for the citizen`);
  }
  // The window's capability allows `citizen_view` and nothing else: a command that writes is refused by the
  // shell, whatever script runs in the page.
  const outcome = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__
      .invoke('start_draft', { formId: 'hundeabmeldung' })
      .then(() => done('allowed'))
      .catch((e) => done(`refused: ${String(e)}`));
  });
  assert.match(outcome, /^refused: .*not allowed/);
  const read = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__
      .invoke('citizen_view')
      .then((v) => done(v?.title ?? 'nothing'))
      .catch((e) => done(`refused: ${String(e)}`));
  });
  assert.equal(read, tr('title'));
});

test('what the clerk types appears on the citizen screen', async () => {
  await asCitizen();
  const surname = tr('steps.halter.items.halter_familienname.label');
  const name = await field(browser, surname);
  assert.equal(await name.getValue(), 'Yılmaz');
  await asClerk();
  await fill(browser, surname, 'Yılmaz-Demir');
  await waitForErrors(browser, field(browser, surname), [], `"${surname}"`);

  await asCitizen();
  await browser.waitUntil(async () => (await name.getValue()) === 'Yılmaz-Demir', {
    timeoutMsg: 'the corrected surname did not reach the citizen screen',
  });
  assert.equal(await field(browser, tr('steps.halter.items.halter_vorname.label')).getValue(), 'Ayşe');
  await shot(browser, 'citizen-02-typed');
});

test('the citizen screen follows the clerk to the next step', async () => {
  await asClerk();
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, DOGS).waitForDisplayed({ timeoutMsg: `"Weiter" did not lead to "${DOGS}"` });

  await asCitizen();
  await heading(browser, DOGS).waitForDisplayed({ timeoutMsg: 'the citizen screen stayed on step 1' });
  assert.ok(await byText(browser, 'Adım 2 / 3', 'p').isDisplayed());
  await shot(browser, 'citizen-03-step2');
  assertNoSeriousViolations(await axe(browser));
});

test('when the clerk goes back, the citizen screen goes back too', async () => {
  await asClerk();
  await press(browser, button(browser, 'Zurück'));
  await heading(browser, OWNER).waitForDisplayed();
  await asCitizen();
  await heading(browser, OWNER).waitForDisplayed({ timeoutMsg: 'the citizen screen did not go back' });
  assertNoSeriousViolations(await axe(browser));
});

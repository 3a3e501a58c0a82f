// The desk app as it starts: the installed forms, the filter box, opening a form, and axe's WCAG 2.1 AA
// rules on both screens.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { button, field, formEntries, heading, replaceText, texts } from '../lib/query.mjs';

const FORM_TITLES = [
  'Hund anmelden',
  'Hund abmelden',
  'Wohnberechtigungsschein',
  'Baum',
  'Bewohnerparkausweis',
  'Personenstandsurkunde',
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

test('lists the six installed forms', async () => {
  await button(browser, 'Hund anmelden', { exact: false }).waitForDisplayed();
  await browser.waitUntil(async () => (await formEntries(browser)).length === FORM_TITLES.length, {
    timeoutMsg: `expected ${FORM_TITLES.length} entries in the forms list`,
  });
  await shot(browser, 'start');

  const entries = await texts(formEntries(browser));
  for (const title of FORM_TITLES) {
    assert.equal(entries.filter((e) => e.includes(title)).length, 1, `one entry for "${title}" in ${entries}`);
  }
  assert.ok(await browser.$('//p[normalize-space(.)="6 Formulare installiert"]').isDisplayed());
});

test('the start screen has no serious accessibility violations', async () => {
  assertNoSeriousViolations(await axe(browser));
});

test('typing "Park" into the filter leaves only the parking permit', async () => {
  const filter = field(browser, 'Formulare filtern');
  await replaceText(browser, filter, 'Park');
  await browser.waitUntil(async () => (await formEntries(browser)).length === 1, {
    timeoutMsg: 'the list did not narrow to one form',
  });
  const entries = await texts(formEntries(browser));
  assert.equal(entries.length, 1);
  assert.match(entries[0], /Bewohnerparkausweis/);
  assert.ok(await browser.$('//p[normalize-space(.)="1 von 6 Formularen"]').isDisplayed());
  await shot(browser, 'start-filtered');

  await replaceText(browser, filter, '');
  await browser.waitUntil(async () => (await formEntries(browser)).length === FORM_TITLES.length, {
    timeoutMsg: 'clearing the filter did not bring back every form',
  });
});

test('choosing "Hund anmelden" opens its first step', async () => {
  await button(browser, 'Hund anmelden', { exact: false }).click();
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  assert.ok(await heading(browser, 'Hund anmelden (Hundesteuer)').isDisplayed());
  assert.ok(await browser.$('//p[normalize-space(.)="Schritt 1 von 3"]').isExisting());
  await shot(browser, 'hundeanmeldung-step1');
});

test('the open form has no serious accessibility violations', async () => {
  assertNoSeriousViolations(await axe(browser));
});

// Without this, the two checks above would also pass if axe silently checked nothing.
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

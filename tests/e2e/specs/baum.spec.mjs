// The tree felling permit, opened from the command line (`--open baumfaellgenehmigung`): the applicant,
// the plot, one tree with a photo from disk and one from the camera (WebKit's test camera, as this machine has
// no webcam), no replacement planting, then the review and
// "Abschließen". Every new screen leaves a screenshot and is checked by axe.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoSeriousViolations, axe, launch, shot } from '../lib/app.mjs';
import { uploadFixtures } from '../lib/files.mjs';
import {
  button,
  byText,
  choice,
  field,
  fill,
  fillAddress,
  heading,
  instance,
  press,
  reveal,
  select,
  squash,
  texts,
  waitForErrors,
} from '../lib/query.mjs';

const STEPS = 4;

let app;
let browser;
let files;

before(async () => {
  files = uploadFixtures();
  app = await launch({
    name: 'baum',
    args: ['--open', 'baumfaellgenehmigung'],
    env: { FORMDESK_FAKE_CAMERA: '1' },
  });
  browser = app.browser;
});

after(async () => {
  await app?.close();
  files?.remove();
});

/** Presses "Weiter" and waits for the step titled `title`, number `number`. */
async function next(title, number) {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, title).waitForDisplayed({ timeoutMsg: `"Weiter" did not lead to "${title}"` });
  await byText(browser, `Schritt ${number} von ${STEPS}`, 'p').waitForExist();
}

/** The values the review shows next to `label`. */
function reviewValues(label) {
  return texts(
    browser.$$(`//div[contains(@class,'review-row')][dt[normalize-space(.) = '${label}']]/dd[contains(@class,'review-value')]`),
  );
}

test('--open baumfaellgenehmigung starts a draft at its first step', async () => {
  await heading(browser, 'Antragstellerin oder Antragsteller').waitForDisplayed();
  assert.ok(await heading(browser, 'Baum fällen: Genehmigung nach der Baumschutzsatzung').isDisplayed());
  assert.ok(await byText(browser, `Schritt 1 von ${STEPS}`, 'p').isExisting());
  await shot(browser, 'baum-01-step1');
  assertNoSeriousViolations(await axe(browser));
});

test('the applicant, who owns the plot', async () => {
  await fill(browser, 'Vorname(n)', 'Friedrich');
  await fill(browser, 'Familienname', 'Wiesner');
  await fill(browser, 'Geburtsdatum', '11.02.1962');
  await fillAddress(browser, { street: 'Am Lindenhof', houseNumber: '8', postcode: '32545', city: 'Bad Oeynhausen' });
  await choice(browser, 'Ja', { group: 'Ich bin Eigentümerin oder Eigentümer des Grundstücks' }).click();
  for (const label of ['Vorname(n)', 'Familienname', 'Geburtsdatum', 'Ort']) {
    await waitForErrors(browser, field(browser, label), [], `"${label}"`);
  }
  // The owner's details are asked only from someone who does not own the plot.
  assert.equal(await field(browser, 'Name der Eigentümerin oder des Eigentümers').isExisting(), false);
  await shot(browser, 'baum-02-step1-filled');

  await next('Grundstück', 2);
  await shot(browser, 'baum-03-step2');
  assertNoSeriousViolations(await axe(browser));
});

test('the plot', async () => {
  await fillAddress(browser, { street: 'Am Lindenhof', houseNumber: '8', postcode: '32545', city: 'Bad Oeynhausen' });
  await fill(browser, 'Gemarkung', 'Rehme');
  await fill(browser, 'Flur', '12');
  await fill(browser, 'Flurstück', '123/4');
  await waitForErrors(browser, field(browser, 'Ort'), [], '"Ort"');
  await shot(browser, 'baum-04-step2-filled');

  await next('Bäume', 3);
  await shot(browser, 'baum-05-step3');
  assertNoSeriousViolations(await axe(browser));
});

test('one tree with a photo from disk and one from the camera', async () => {
  await press(browser, button(browser, 'Baum hinzufügen'));
  const tree = instance(browser, 'Baum 1');
  await tree.waitForDisplayed({ timeoutMsg: '"Baum hinzufügen" added no "Baum 1"' });
  await select(browser, 'Baumart', 'Rotbuche', { within: tree });
  await fill(browser, 'Stammumfang in cm, gemessen in 1 m Höhe', '180', { within: tree });
  await fill(browser, 'Höhe in Metern (geschätzt)', '14,5', { within: tree });

  const photo = await field(browser, 'Foto des Baumes', { within: tree });
  assert.equal(await photo.getAttribute('type'), 'file');
  await photo.addValue(files.png);
  const listed = tree.$(`.//ul[@aria-label='Angehängt: Foto des Baumes']/li`);
  await listed.waitForDisplayed({ timeoutMsg: 'the photo is not listed as attached' });
  assert.match(squash(await listed.getText()), /baum\.png/);
  // A picture gets a thumbnail (decorative: the file name says what it is).
  const thumb = listed.$('.//img');
  await browser.waitUntil(async () => (await thumb.isExisting()) && (await thumb.getAttribute('src')).startsWith('data:image/png'), {
    timeoutMsg: 'no thumbnail for the photo',
  });
  assert.equal(await thumb.getAttribute('alt'), '');
  await waitForErrors(browser, photo, [], 'the photo');

  // A second photo from the camera: WebKit's test camera stands in for a webcam (FORMDESK_FAKE_CAMERA).
  await press(browser, button(browser, 'Foto aufnehmen'));
  const preview = tree.$(`.//video`);
  await browser.waitUntil(async () => (await preview.isExisting()) && (await preview.getProperty('videoWidth')) > 0, {
    timeoutMsg: 'the camera preview shows no picture',
  });
  await shot(browser, 'baum-05-camera');
  await press(browser, button(browser, 'Auslösen'));
  const attached = () => tree.$$(`.//ul[@aria-label='Angehängt: Foto des Baumes']/li`);
  await browser.waitUntil(async () => (await attached().length) === 2, { timeoutMsg: 'the camera photo is not attached' });
  const photos = await attached();
  assert.match(squash(await photos[1].getText()), /foto-\d{4}-\d{2}-\d{2}-\d{6}\.jpg/);
  const cameraThumb = photos[1].$('.//img');
  await browser.waitUntil(async () => (await cameraThumb.isExisting()) && (await cameraThumb.getAttribute('src')).startsWith('data:image/jpeg'), {
    timeoutMsg: 'no thumbnail for the camera photo',
  });
  await waitForErrors(browser, photo, [], 'the photos');

  await choice(browser, 'Baum ist krank oder abgestorben', { within: tree }).click();
  await fill(browser, 'Begründung', 'Der Stamm ist am Fuß stark von Pilzen befallen; ein Gutachten liegt bei.', {
    within: tree,
  });
  await waitForErrors(browser, field(browser, 'Begründung', { within: tree }), [], '"Begründung"');
  await reveal(browser, listed);
  await shot(browser, 'baum-06-tree');
  assertNoSeriousViolations(await axe(browser));

  await next('Ersatzpflanzung', 4);
  await shot(browser, 'baum-07-step4');
  assertNoSeriousViolations(await axe(browser));
});

test('no replacement planting; the fee is 50,00 €', async () => {
  await choice(browser, 'Nein', { group: 'Ich biete eine Ersatzpflanzung auf dem Grundstück an' }).click();
  assert.equal(await field(browser, 'Anzahl der Ersatzbäume').isExisting(), false);
  const fees = browser.$(`//section[h4[normalize-space(.)='Gebühren']]`);
  await fees.waitForDisplayed({ timeoutMsg: 'no fees on the last step' });
  await browser.waitUntil(async () => squash(await fees.$('.//dd[contains(@class,"amount")]').getText()) === '50,00 €', {
    timeoutMsg: 'the fee did not come to 50,00 €',
  });
  await reveal(browser, fees);
  await shot(browser, 'baum-08-step4-filled');
});

test('the review lists the tree and its photo', async () => {
  await press(browser, button(browser, 'Weiter'));
  await heading(browser, 'Prüfen und abschließen').waitForDisplayed({ timeoutMsg: '"Weiter" did not lead to the review' });
  await browser.$(`//dl[contains(@class,'review-list')]`).waitForDisplayed();
  assert.deepEqual(await reviewValues('Familienname'), ['Wiesner']);
  assert.deepEqual(await reviewValues('Baumart'), ['Rotbuche']);
  assert.match((await reviewValues('Foto des Baumes')).join(' '), /baum\.png.*foto-[\d-]+\.jpg/);
  assert.match((await reviewValues('Anschrift des Grundstücks')).join(' '), /Am Lindenhof 8.*32545 Bad Oeynhausen/);
  assert.ok(await browser.$(`//button[@aria-label='Ändern: Foto des Baumes']`).isDisplayed());
  assert.match(squash(await browser.$(`//section[h4[normalize-space(.)='Gebühren']]`).getText()), /50,00 €/);
  assert.equal(await browser.$(`//*[contains(@class,'review-warning')]`).isExisting(), false, 'the review reports missing entries');
  await shot(browser, 'baum-09-review');
  assertNoSeriousViolations(await axe(browser));
});

test('"Abschließen" finalizes the application', async () => {
  await press(browser, button(browser, 'Abschließen'));
  await heading(browser, 'Antrag abgeschlossen').waitForDisplayed({ timeoutMsg: '"Abschließen" did not finalize' });
  assert.match(squash(await browser.$(`//p[starts-with(normalize-space(.), 'Nummer am Arbeitsplatz:')]`).getText()), /^Nummer am Arbeitsplatz: \d+$/);
  assert.ok(await heading(browser, 'Angaben im Antrag').isDisplayed());
  assert.ok(await button(browser, 'Neuer Vorgang').isDisplayed());
  await shot(browser, 'baum-10-final');
  assertNoSeriousViolations(await axe(browser));
});

// Finds elements the way a person at the desk does: by role and visible text, fields by their label.
// The UI has no test ids on purpose; if a query here stops matching, the screen changed for its users too.

import { Key } from 'webdriverio';

/** `text` as an XPath 1.0 string literal, also when it holds both kinds of quote. */
export function literal(text) {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return `concat(${text
    .split("'")
    .map((part) => `'${part}'`)
    .join(`, "'", `)})`;
}

/** A button whose text is `text` (`exact`) or contains it. */
export function button(browser, text, { exact = true } = {}) {
  const t = literal(text);
  const test = exact ? `normalize-space(.) = ${t}` : `contains(normalize-space(.), ${t})`;
  return browser.$(`//button[${test}]`);
}

/** A heading (h1–h6 or role heading) whose text is `text`. */
export function heading(browser, text) {
  return browser.$(
    `//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or @role='heading']` +
      `[normalize-space(.) = ${literal(text)}]`,
  );
}

/** An XPath test that the node's text is `label`, or `label` with the required mark: "Familienname *". */
function labelTest(label) {
  const t = literal(label);
  return `normalize-space(.) = ${t} or normalize-space(.) = concat(${t}, ' *')`;
}

/** Runs the XPath `path` (written from the document's root) inside `within`, or in the whole page. */
function find(browser, path, within) {
  return within ? within.$(`.${path}`) : browser.$(path);
}

/**
 * The input, select or text area labelled `label`. A required field's label reads "Familienname *" on
 * screen; the star counts as part of the label here too, so both spellings match. `within` (an element,
 * e.g. the fieldset of "Hund 2") narrows the search where the same label occurs more than once.
 */
export function field(browser, label, { within } = {}) {
  return find(
    browser,
    `//*[self::input or self::select or self::textarea or self::output][@id = //label[${labelTest(label)}]/@for]`,
    within,
  );
}

/**
 * The radio button or checkbox whose label reads `option`; with `group`, only inside the fieldset whose
 * legend reads `group` (several yes/no questions each have a "Ja").
 */
export function choice(browser, option, { group, within } = {}) {
  const scope = group ? `//fieldset[legend[${labelTest(group)}]]` : '';
  return find(
    browser,
    `${scope}//label[normalize-space(.) = ${literal(option)}]//input[@type='radio' or @type='checkbox']`,
    within,
  );
}

/** The fieldset of one entry of a repeat group, found by its legend: "Hund 1", "Baum 1". */
export function instance(browser, legend) {
  return browser.$(`//fieldset[legend[normalize-space(.) = ${literal(legend)}]]`);
}

/** An element of kind `tag` (any by default) whose whole visible text is `text`. */
export function byText(browser, text, tag = '*') {
  return browser.$(`//${tag}[normalize-space(.) = ${literal(text)}]`);
}

/** The results of the search on the start screen: the options of the listbox "Leistungen". */
export function results(browser) {
  return browser.$$(`//*[@role='listbox'][@aria-label='Leistungen']//*[@role='option']`);
}

/** `text` with its white space, also no-break spaces, collapsed to single spaces. */
export function squash(text) {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
}

/** The visible texts of `elements`, each with its white space (also no-break spaces) collapsed. */
export async function texts(elements) {
  const out = [];
  for (const element of await elements) out.push(squash(await element.getText()));
  return out;
}

/**
 * What assistive technology reads after `element`'s name: the texts of the elements its
 * `aria-describedby` names (its help text and its error messages, "Fehler: …"), joined by " | ".
 */
export async function description(browser, element) {
  const target = await element;
  return browser.execute((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id !== '');
    return ids
      .map((id) => document.getElementById(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? '')
      .filter((t) => t !== '')
      .join(' | ');
  }, target);
}

/** The error messages shown for `element`: the paragraphs of its description that start with "Fehler:". */
export async function errors(browser, element) {
  const target = await element;
  return browser.execute((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id !== '');
    return ids
      .flatMap((id) => [...(document.getElementById(id)?.querySelectorAll('p') ?? [])])
      .map((p) => p.textContent.replace(/\s+/g, ' ').trim())
      .filter((t) => /^Fehler:/.test(t))
      .map((t) => t.replace(/^Fehler:\s*/, ''));
  }, target);
}

/**
 * Replaces the text of the input `element` by `text` from the keyboard: click, select all, delete, type.
 * WebDriver's "Element Clear" would fire no input event, so the app would never hear of the deletion.
 */
export async function replaceText(browser, element, text) {
  const input = await element;
  await input.click();
  if ((await input.getValue()) !== '') {
    await browser.keys([Key.Ctrl, 'a']);
    await browser.keys(Key.Backspace);
  }
  if (text !== '') await input.addValue(text);
}

/** Puts `text` into the field labelled `label` (optionally `within` an element) and leaves it with Tab. */
export async function fill(browser, label, text, { within } = {}) {
  const input = await field(browser, label, { within });
  await replaceText(browser, input, text);
  await browser.keys(Key.Tab);
  return input;
}

/** Fills the four inputs of an address (Straße, Hausnummer, PLZ, Ort), optionally `within` an element. */
export async function fillAddress(browser, { street, houseNumber, postcode, city }, { within } = {}) {
  await fill(browser, 'Straße', street, { within });
  await fill(browser, 'Hausnummer', houseNumber, { within });
  await fill(browser, 'PLZ', postcode, { within });
  await fill(browser, 'Ort', city, { within });
}

/** Chooses the option `text` of the drop-down list labelled `label` and leaves it with Tab. */
export async function select(browser, label, text, { within } = {}) {
  const list = await field(browser, label, { within });
  await list.selectByVisibleText(text);
  await browser.waitUntil(async () => (await list.getValue()) !== '', {
    timeoutMsg: `"${text}" was not chosen in "${label}"`,
  });
  await browser.keys(Key.Tab);
  return list;
}

/**
 * Waits until `element` shows exactly `expected` as its errors (and aria-invalid agrees), then checks it.
 * A check for no errors first needs a state the engine computed after the input in question.
 */
export async function waitForErrors(browser, element, expected, what = 'the field') {
  const target = await element;
  let shown = null;
  await browser
    .waitUntil(async () => {
      shown = await errors(browser, target);
      return JSON.stringify(shown) === JSON.stringify(expected);
    })
    .catch(() => {}); // the assertion below reports what was shown last
  if (JSON.stringify(shown) !== JSON.stringify(expected)) {
    throw new Error(`errors at ${what}: expected ${JSON.stringify(expected)}, shown ${JSON.stringify(shown)}`);
  }
  const invalid = await target.getAttribute('aria-invalid');
  if (invalid !== null && invalid !== (expected.length > 0 ? 'true' : 'false')) {
    throw new Error(`aria-invalid at ${what} is "${invalid}" with errors ${JSON.stringify(shown)}`);
  }
}

/**
 * Clicks `element` after the focused field was left and the page has painted the result.
 *
 * Leaving a field marks it as touched, and its error can appear above the button. With the focus still in
 * the field, that happens between mouse-down and mouse-up on the button: the button moves away under the
 * pointer and the click lands next to it (see the "todo" test in hundeanmeldung.spec.mjs).
 */
export async function press(browser, element) {
  const target = await element;
  await browser.execute(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await target.click();
}

/**
 * Activates button `element` from the keyboard: the focus moves to it and Enter is pressed, as a clerk who
 * works with Tab and Enter does. Unlike a click, this cannot land beside the button when the page moves
 * under the pointer: an answer the desk returns late (a field's error that goes away after the last input)
 * can move the button between the moment its place is read and the click.
 */
export async function activate(browser, element) {
  const target = await element;
  await target.waitForEnabled();
  await browser.execute((el) => el.focus(), target);
  await browser.waitUntil(async () => browser.execute((el) => document.activeElement === el, target), {
    timeoutMsg: 'the button did not take the focus',
  });
  await browser.keys(Key.Enter);
}

/**
 * Scrolls `element` to the middle of the window, so that a screenshot shows it. Plain DOM scrolling:
 * WebdriverIO's scrollIntoView goes through a wheel action, which WebKitWebDriver refuses for some elements.
 */
export async function reveal(browser, element) {
  const target = await element;
  await browser.execute((el) => el.scrollIntoView({ block: 'center' }), target);
}

/**
 * Searches for `title` on the start screen and opens the result that starts with it, once the search has
 * answered (pressing Enter before the answer would open nothing).
 */
export async function openForm(browser, title) {
  await field(browser, 'Leistung suchen').setValue(title);
  // The list answers the whole title, not a query typed on the way (whose hits stand elsewhere).
  const count = browser.$(`//p[contains(@class,'count')]`);
  await browser.waitUntil(async () => (await count.getText()).endsWith(`für „${title}“`), {
    timeoutMsg: `the search never answered "${title}"`,
  });
  const hit = browser.$(
    `//*[@role='listbox'][@aria-label='Leistungen']//*[@role='option'][starts-with(normalize-space(.), ${literal(title)})]`,
  );
  await hit.waitForDisplayed({ timeoutMsg: `the search does not list "${title}"` });
  await hit.click();
}

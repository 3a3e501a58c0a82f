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

/**
 * The input, select or text area labelled `label`. A required field's label reads "Familienname *" on
 * screen; the star counts as part of the label here too, so both spellings match.
 */
export function field(browser, label) {
  const t = literal(label);
  return browser.$(
    `//*[self::input or self::select or self::textarea or self::output]` +
      `[@id = //label[normalize-space(.) = ${t} or normalize-space(.) = concat(${t}, ' *')]/@for]`,
  );
}

/** The radio button or checkbox whose label reads `label`. */
export function choice(browser, label) {
  return browser.$(`//label[normalize-space(.) = ${literal(label)}]//input[@type='radio' or @type='checkbox']`);
}

/** The buttons of the installed-forms list, in the sidebar labelled "Installierte Formulare". */
export function formEntries(browser) {
  return browser.$$(`//*[@aria-label='Installierte Formulare']//li//button`);
}

/** The visible texts of `elements`, each with its white space collapsed. */
export async function texts(elements) {
  const out = [];
  for (const element of await elements) out.push((await element.getText()).replace(/\s+/g, ' ').trim());
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

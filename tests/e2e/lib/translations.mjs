// A form's texts in one language as its translation file holds them (`forms/<form>/translations/<lang>.xlf`,
// XLIFF 2.0, which the catalog merges into the definition), so that a spec expects the form's own words
// rather than a copy of them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './app.mjs';

function unescape(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The texts of `form` in `lang`, as a function of the unit's name (`steps.halter.title`) that fails the test
 * when the file has no translation in use for it (none, or one in state `initial`).
 */
export function formTexts(form, lang) {
  const path = join('forms', form, 'translations', `${lang}.xlf`);
  const xliff = readFileSync(join(REPO, path), 'utf8');
  const texts = new Map();
  for (const unit of xliff.matchAll(/<unit\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/unit>/g)) {
    const segment = /<segment\b([^>]*)>[\s\S]*?<target>([\s\S]*?)<\/target>/.exec(unit[2]);
    if (segment && !/\bstate="initial"/.test(segment[1])) texts.set(unescape(unit[1]), unescape(segment[2]));
  }
  return (name) => {
    const text = texts.get(name);
    assert.ok(text, `no text for "${name}" in ${path}`);
    return text;
  };
}

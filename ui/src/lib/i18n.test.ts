import { describe, expect, it } from 'vitest';
import de from '../locales/de.ftl?raw';
import en from '../locales/en.ftl?raw';
import { bundleOf, declaredIds as ids, isUiLang, Messages, messagesFor, variablesOf } from './i18n';
import { SOURCES as sources } from './locales';

describe('the message files', () => {
  it('parse without errors', () => {
    expect(() => bundleOf('de', de)).not.toThrow();
    expect(() => bundleOf('en', en)).not.toThrow();
  });

  it('have an English text for every German one', () => {
    const missing = ids(de).filter((id) => !ids(en).includes(id));
    expect(missing).toEqual([]);
  });
});

describe('Messages', () => {
  it('looks up a message in the chosen language', () => {
    expect(messagesFor('de', sources).format('next')).toBe('Weiter');
    expect(messagesFor('en', sources).format('next')).toBe('Next');
    expect(messagesFor('de', sources).format('search-label')).toBe('Leistung suchen');
  });

  it('fills in arguments without isolation marks and picks the plural', () => {
    const m = messagesFor('de', sources);
    expect(m.format('step-progress', { number: 2, count: 3 })).toBe('Schritt 2 von 3');
    expect(m.format('search-count', { count: 1, query: 'Hund' })).toBe('1 Treffer für „Hund“');
    expect(m.format('forms-all', { count: 6 })).toBe('6 Leistungen installiert');
    expect(messagesFor('en', sources).format('forms-all', { count: 1 })).toBe('1 service installed');
  });

  it('formats numbers the German way', () => {
    const m = new Messages([bundleOf('de', 'total = { $n } Fälle')]);
    expect(m.format('total', { n: 1234 })).toBe('1.234 Fälle');
  });

  it('falls back to German for a message missing in English, and to the id when none has it', () => {
    const m = new Messages([bundleOf('en', 'only-en = Only'), bundleOf('de', 'only-de = Nur deutsch\nonly-en = Nur')]);
    expect(m.format('only-en')).toBe('Only');
    expect(m.format('only-de')).toBe('Nur deutsch');
    expect(m.format('nowhere')).toBe('nowhere');
    expect(m.has('only-de')).toBe(true);
    expect(m.has('nowhere')).toBe(false);
  });

  it('isolates placeables in right-to-left texts only', () => {
    const source = 'file = الملف { $name } جاهز';
    expect(new Messages([bundleOf('ar', source)]).format('file', { name: 'hund.pdf' })).toBe(
      'الملف \u2068hund.pdf\u2069 جاهز',
    );
    expect(new Messages([bundleOf('tr', 'file = Dosya { $name } hazır')]).format('file', { name: 'hund.pdf' })).toBe(
      'Dosya hund.pdf hazır',
    );
  });

  it('picks the plural forms of the citizen’s language, with Western digits', () => {
    const few = '{ $n ->\n    [one] one\n    [two] two\n    [few] few\n    [many] many\n   *[other] other\n} { $n }';
    // Arabic isolates the selected variant as well as the number.
    const ar = new Messages([bundleOf('ar', `n = ${few}`)]);
    expect([1, 2, 3, 11, 100].map((n) => ar.format('n', { n }))).toEqual([
      '\u2068one\u2069 \u20681\u2069',
      '\u2068two\u2069 \u20682\u2069',
      '\u2068few\u2069 \u20683\u2069',
      '\u2068many\u2069 \u206811\u2069',
      '\u2068other\u2069 \u2068100\u2069',
    ]);
    const uk = new Messages([bundleOf('uk', `n = ${few}`)]);
    expect([1, 3, 5, 21].map((n) => uk.format('n', { n }))).toEqual(['one 1', 'few 3', 'many 5', 'one 21']);
    const ru = new Messages([bundleOf('ru', `n = ${few}`)]);
    expect([2, 11].map((n) => ru.format('n', { n }))).toEqual(['few 2', 'many 11']);
  });

  it('finds the variables a message uses, also in its variants and selector', () => {
    const found = variablesOf('a = { $x } und { $y }\nb = { $n ->\n    [one] eins\n   *[other] { $m }\n}\nc = nichts\n');
    expect(Object.fromEntries([...found].map(([id, names]) => [id, [...names].sort()]))).toEqual({
      a: ['x', 'y'],
      b: ['m', 'n'],
      c: [],
    });
  });

  it('refuses a message file with a syntax error', () => {
    expect(() => bundleOf('de', 'kaputt = { $x')).toThrow(/Fehler in den Texten/);
  });

  it('knows its interface languages', () => {
    expect(isUiLang('de')).toBe(true);
    expect(isUiLang('en')).toBe(true);
    expect(isUiLang('tr')).toBe(false);
    expect(isUiLang(undefined)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import de from '../locales/de.ftl?raw';
import en from '../locales/en.ftl?raw';
import tr from '../locales/tr.ftl?raw';
import { bundleOf, declaredIds as ids, isUiLang, Messages, messagesFor } from './i18n';

const sources = { de, en, tr };

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

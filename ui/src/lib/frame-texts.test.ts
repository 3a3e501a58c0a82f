// The texts around a form on the citizen's screen: every one the citizen's window and a form's items can
// show exists in each language of the texts, and those components take no text from the clerk's language.
import { describe, expect, it } from 'vitest';
import citizenScreen from '../components/CitizenScreen.svelte?raw';
import feeList from '../components/FeeList.svelte?raw';
import fileField from '../components/FileField.svelte?raw';
import item from '../components/Item.svelte?raw';
import signatureField from '../components/SignatureField.svelte?raw';
import { bundleOf, CITIZEN_LANGS, declaredIds as ids, FRAME_LANGS, frameLang, messagesFor, variablesOf } from './i18n';
import { SOURCES as sources } from './locales';

const { de } = sources;

/** The components that draw a form's items, by file name. */
const ITEM_COMPONENTS: Readonly<Record<string, string>> = {
  'Item.svelte': item,
  'FeeList.svelte': feeList,
  'FileField.svelte': fileField,
  'SignatureField.svelte': signatureField,
};

/** The ids that `source` looks up through the texts of the language around the form (`tx.t('…')`). */
function framed(source: string): string[] {
  return [...source.matchAll(/\btx\.t\(\s*'([a-zA-Z][\w-]*)'/g)].map((m) => m[1]!);
}

describe('the texts around a form', () => {
  const used = [...new Set([citizenScreen, ...Object.values(ITEM_COMPONENTS)].flatMap(framed))].sort();

  it('are found in the components', () => {
    // The scan finds what it should: if this fails, the components changed how they look texts up.
    expect(used).toEqual(expect.arrayContaining(['step-progress', 'address-postcode', 'yes', 'files-choose']));
  });

  it.each(FRAME_LANGS)('all exist in %s', (lang) => {
    const known = ids(sources[lang]);
    expect(used.filter((id) => !known.includes(id))).toEqual([]);
  });

  describe.each(CITIZEN_LANGS)('in the citizen’s language %s', (lang) => {
    const source = sources[lang];

    it('parse as Fluent', () => {
      expect(() => bundleOf(lang, source)).not.toThrow();
    });

    it('are exactly the texts of the citizen’s window, each once', () => {
      const declared = ids(source);
      expect([...declared].sort()).toEqual(used);
      expect(new Set(declared).size).toBe(declared.length);
    });

    it('use every variable the German text uses', () => {
      const german = variablesOf(de);
      const own = variablesOf(source);
      const lost = used.flatMap((id) =>
        [...(german.get(id) ?? [])].filter((name) => !own.get(id)?.has(name)).map((name) => `${id}: $${name}`),
      );
      expect(lost).toEqual([]);
    });

    it('are not left in German or Turkish', () => {
      // A copied file would pass the checks above; the few words every language has its own word for.
      const m = messagesFor(lang, sources);
      for (const id of ['citizen-welcome', 'yes', 'fees-title']) {
        if (lang !== 'tr') expect(m.format(id)).not.toBe(messagesFor('tr', sources).format(id));
        if (lang !== 'de-x-ls') expect(m.format(id)).not.toBe(messagesFor('de', sources).format(id));
      }
    });
  });

  it('come only from the enclosing texts in the item components, never from the clerk’s directly', () => {
    const direct = Object.entries(ITEM_COMPONENTS).flatMap(([name, source]) =>
      [...source.matchAll(/(?<![\w.])t\(|\bui\.lang\b/g)].map((m) => `${name}: ${m[0]}`),
    );
    expect(direct).toEqual([]);
  });

  it('hold no message of a citizen’s language that German lacks', () => {
    const missing = CITIZEN_LANGS.flatMap((lang) => ids(sources[lang]).filter((id) => !ids(de).includes(id)));
    expect(missing).toEqual([]);
  });

  it('are Turkish for a Turkish citizen, with Turkish plurals', () => {
    const m = messagesFor('tr', sources);
    expect(m.format('step-progress', { number: 1, count: 3 })).toBe('Adım 1 / 3');
    expect(m.format('address-postcode')).toBe('Posta kodu');
    expect(m.format('files-note', { max: 1 })).toBe('Tek dosya.');
    expect(m.format('files-note', { max: 5 })).toBe('En fazla 5 dosya.');
    // A message of the clerk's interface, which the citizen never sees, falls back to German.
    expect(m.format('next')).toBe('Weiter');
  });
});

describe('frameLang', () => {
  it('takes the citizen’s language where there are texts for it', () => {
    expect(frameLang('tr', 'de')).toBe('tr');
    expect(frameLang('en', 'de')).toBe('en');
    expect(frameLang('de', 'en')).toBe('de');
  });

  it('has texts of their own for every citizen’s language, Leichte Sprache too', () => {
    expect(['uk', 'ar', 'ru', 'de-x-ls'].map((lang) => frameLang(lang, 'en'))).toEqual(['uk', 'ar', 'ru', 'de-x-ls']);
  });

  it('takes the language a variant belongs to, and the fallback for one without texts', () => {
    expect(frameLang('en-US', 'de')).toBe('en');
    expect(frameLang('ar-SY', 'de')).toBe('ar');
    expect(frameLang('pl', 'de')).toBe('de');
    expect(frameLang('fa', 'en')).toBe('en');
    expect(frameLang('', 'de')).toBe('de');
  });
});

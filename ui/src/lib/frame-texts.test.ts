// The texts around a form on the citizen's screen: every one the citizen's window and a form's items can
// show exists in each language of the texts, and those components take no text from the clerk's language.
import { describe, expect, it } from 'vitest';
import citizenScreen from '../components/CitizenScreen.svelte?raw';
import feeList from '../components/FeeList.svelte?raw';
import fileField from '../components/FileField.svelte?raw';
import item from '../components/Item.svelte?raw';
import signatureField from '../components/SignatureField.svelte?raw';
import de from '../locales/de.ftl?raw';
import en from '../locales/en.ftl?raw';
import tr from '../locales/tr.ftl?raw';
import { bundleOf, declaredIds as ids, frameLang, messagesFor } from './i18n';

const sources = { de, en, tr };

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

  it.each(['de', 'en', 'tr'] as const)('all exist in %s', (lang) => {
    const known = ids(sources[lang]);
    expect(used.filter((id) => !known.includes(id))).toEqual([]);
  });

  it('come only from the enclosing texts in the item components, never from the clerk’s directly', () => {
    const direct = Object.entries(ITEM_COMPONENTS).flatMap(([name, source]) =>
      [...source.matchAll(/(?<![\w.])t\(|\bui\.lang\b/g)].map((m) => `${name}: ${m[0]}`),
    );
    expect(direct).toEqual([]);
  });

  it('hold no Turkish message that German lacks', () => {
    expect(() => bundleOf('tr', tr)).not.toThrow();
    expect(ids(tr).filter((id) => !ids(de).includes(id))).toEqual([]);
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

  it('takes the language a variant belongs to, and the fallback for one without texts', () => {
    expect(frameLang('de-x-ls', 'en')).toBe('de');
    expect(frameLang('uk', 'de')).toBe('de');
    expect(frameLang('uk', 'en')).toBe('en');
    expect(frameLang('', 'de')).toBe('de');
  });
});

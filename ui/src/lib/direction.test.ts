// Which way text runs: the citizen's window as a whole, the clerk's, and the values that stay left to right
// inside right-to-left text, as the components draw them (Svelte's server rendering) and as the stylesheet
// lays them out.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import css from '../app.css?raw';
import FeeList from '../components/FeeList.svelte';
import Item from '../components/Item.svelte';
import { applyDocument, citizenDocument, clerkDocument, fieldDirection, inValueOrder, valueDirection } from './direction';
import { READ_ONLY_HOST } from './draft.svelte';
import type { ItemKind, ItemState } from './types';

function field(path: string, kind: ItemKind, overrides: Partial<ItemState> = {}): ItemState {
  return {
    kind,
    id: path,
    path,
    label: path,
    visible: true,
    required: false,
    sensitive: false,
    value: null,
    errors: [],
    options: [],
    input: { accept: [] },
    items: [],
    instances: [],
    ...overrides,
  };
}

function draw(item: ItemState): string {
  const props = { item, session: READ_ONLY_HOST, checked: false, readonly: true, onadd: () => {}, onremove: () => {} };
  return render(Item, { props }).body;
}

/** The opening tag of the element with the id `id` in `html`. */
function tag(html: string, id: string): string {
  const found = html.match(new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`))?.[0];
  if (!found) throw new Error(`no element with id "${id}" in ${html}`);
  return found;
}

describe('the citizen’s window as a whole', () => {
  it('is right to left in Arabic, with the language set', () => {
    expect(citizenDocument('ar', 'ar')).toEqual({ lang: 'ar', dir: 'rtl' });
    expect(citizenDocument('ar-SY', 'ar')).toEqual({ lang: 'ar-SY', dir: 'rtl' });
  });

  it('is left to right in the other languages, Leichte Sprache too', () => {
    for (const lang of ['de', 'en', 'tr', 'uk', 'ru', 'de-x-ls']) {
      expect(citizenDocument(lang, lang)).toEqual({ lang, dir: 'ltr' });
    }
  });

  it('takes the language of its own texts while no draft is shown', () => {
    expect(citizenDocument(null, 'de')).toEqual({ lang: 'de', dir: 'ltr' });
    expect(citizenDocument(undefined, 'en')).toEqual({ lang: 'en', dir: 'ltr' });
    expect(citizenDocument('', 'de')).toEqual({ lang: 'de', dir: 'ltr' });
  });

  it('is written onto the document element, and back when the citizen’s language changes', () => {
    const root = { lang: 'de', dir: 'ltr' };
    applyDocument(root, citizenDocument('ar', 'ar'));
    expect(root).toEqual({ lang: 'ar', dir: 'rtl' });
    applyDocument(root, citizenDocument('uk', 'uk'));
    expect(root).toEqual({ lang: 'uk', dir: 'ltr' });
  });
});

describe('the clerk’s window', () => {
  it('stays left to right in the interface’s language', () => {
    const root = { lang: 'ar', dir: 'rtl' };
    applyDocument(root, clerkDocument('de'));
    expect(root).toEqual({ lang: 'de', dir: 'ltr' });
    expect(clerkDocument('en')).toEqual({ lang: 'en', dir: 'ltr' });
  });
});

describe('values that run left to right', () => {
  it('are the fields of IBANs, numbers, amounts, dates, times, postcodes, phone numbers and e-mail addresses', () => {
    const ltr: ItemKind[] = ['iban', 'integer', 'decimal', 'currency', 'date', 'time', 'dateTime', 'postcode', 'phone', 'email'];
    expect(ltr.map((kind) => fieldDirection(kind))).toEqual(ltr.map(() => 'ltr'));
    const own: ItemKind[] = ['text', 'longText', 'choice', 'multiChoice', 'boolean', 'address', 'group', 'info'];
    expect(own.map((kind) => fieldDirection(kind))).toEqual(own.map(() => undefined));
  });

  it('include text fields with a special format, such as the Steuer-ID or a number plate', () => {
    expect(fieldDirection('text', { format: 'steuerId' })).toBe('ltr');
    expect(fieldDirection('text', { format: 'vehiclePlate' })).toBe('ltr');
    expect(fieldDirection('text', {})).toBeUndefined();
  });

  it('are the computed numbers, amounts and dates, not texts or yes and no', () => {
    expect(valueDirection('currency')).toBe('ltr');
    expect(valueDirection('integer')).toBe('ltr');
    expect(valueDirection('date')).toBe('ltr');
    expect(valueDirection('text')).toBeUndefined();
    expect(valueDirection('boolean')).toBeUndefined();
    expect(valueDirection(undefined)).toBeUndefined();
  });

  it('keep dir="ltr" on their inputs as drawn', () => {
    const iban = draw(field('iban', 'iban', { value: 'DE02120300000000202051' }));
    expect(tag(iban, 'f-iban')).toContain('dir="ltr"');
    expect(iban).toMatch(/<div class="input-row kind-iban" dir="ltr">/);
    const amount = draw(field('betrag', 'currency', { value: '48.00' }));
    expect(tag(amount, 'f-betrag')).toContain('dir="ltr"');
    expect(tag(draw(field('mail', 'email')), 'f-mail')).toContain('dir="ltr"');
    expect(tag(draw(field('tag', 'date')), 'f-tag')).toContain('dir="ltr"');
    expect(tag(draw(field('plz', 'postcode')), 'f-plz')).toContain('dir="ltr"');
    expect(tag(draw(field('tel', 'phone')), 'f-tel')).toContain('dir="ltr"');
  });

  it('leave a name to the direction around it', () => {
    const name = draw(field('name', 'text', { value: 'ليلى' }));
    expect(tag(name, 'f-name')).not.toContain('dir=');
    expect(name).not.toContain('dir="ltr"');
  });

  it('keep the postcode of an address left to right, and its street to the direction around it', () => {
    const html = draw(field('anschrift', 'address', { value: { street: 'شارع', postcode: '32052' } }));
    expect(tag(html, 'f-anschrift-postcode')).toContain('dir="ltr"');
    expect(tag(html, 'f-anschrift-street')).not.toContain('dir=');
  });

  it('keep a computed amount left to right, and a computed text not', () => {
    const tax = draw(field('steuer', 'computed', { value: '96.00', valueType: 'currency' }));
    expect(tag(tax, 'f-steuer')).toContain('dir="ltr"');
    expect(tax).toContain('96,00 €');
    const text = draw(field('hinweis', 'computed', { value: 'نعم', valueType: 'text' }));
    expect(tag(text, 'f-hinweis')).not.toContain('dir=');
  });

  it('isolate a file’s name and keep its size left to right', () => {
    const file = { name: 'شهادة.pdf', mediaType: 'application/pdf', size: 2_400_000, ref: 'f1' };
    const html = draw(field('nachweis', 'attachment', { value: [file], input: { accept: ['application/pdf'], maxFiles: 1 } }));
    expect(html).toMatch(/<span class="file-name" dir="auto">شهادة\.pdf<\/span>/);
    expect(html).toMatch(/<span class="file-size" dir="ltr">2,3 MB<\/span>/);
  });

  it('get their format hints in their own order: an Arabic date’s placeholder from day to year', () => {
    expect(inValueOrder('يوم.شهر.سنة', 'ar')).toBe('يوم\u200e.\u200eشهر\u200e.\u200eسنة');
    expect(inValueOrder('TT.MM.JJJJ', 'de')).toBe('TT.MM.JJJJ');
    expect(inValueOrder('ДД.ММ.РРРР', 'uk')).toBe('ДД.ММ.РРРР');
  });

  it('keep the fees’ amounts left to right in a right-to-left list', () => {
    const fees = [{ id: 'steuer', label: 'ضريبة الكلاب', amount: '96.00' }];
    const html = render(FeeList, { props: { fees, lang: 'ar', dir: 'rtl', headingId: 'fees' } }).body;
    expect(html).toMatch(/<dl class="fee-list" lang="ar" dir="rtl">/);
    expect(html).toMatch(/<dd class="amount" dir="ltr">96,00 €<\/dd>/);
  });
});

describe('the stylesheet', () => {
  // Without comments, which may well say "left" and "right".
  const rules = css.replace(/\/\*[\s\S]*?\*\//g, '');

  it('lays out with start and end, so that a right-to-left window mirrors', () => {
    const physical = [
      ...rules.matchAll(
        /^\s*((?:margin|padding|border)-(?:left|right)[\w-]*|(?:left|right)|float|text-align|clear)\s*:\s*([^;]*);/gm,
      ),
    ]
      // Of these three, only the values left and right are physical.
      .filter((m) => !/^(float|text-align|clear)$/.test(m[1] ?? '') || /\b(left|right)\b/.test(m[2] ?? ''))
      .map((m) => m[0].trim());
    expect(physical).toEqual([]);
  });

  it('puts a select’s chevron at the end of the box in right-to-left text', () => {
    expect(rules).toMatch(/\[dir='rtl'\] \.select \{\s*background-position: left 12px center;/);
  });

  it('keeps a left-to-right value at the start of a right-to-left line', () => {
    expect(rules).toMatch(/\[dir='rtl'\] \.input-row\[dir='ltr'\] \{\s*justify-content: flex-end;/);
    expect(rules).toMatch(/\[dir='rtl'\] \.input\[dir='ltr'\],\s*\[dir='rtl'\] \.computed-value\[dir='ltr'\] \{\s*text-align: end;/);
  });
});

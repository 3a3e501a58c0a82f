// The item component drawn on the server side of Svelte: what it shows of a repeat group inside a repeat
// group, from the engine's state alone.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_HOST } from '../lib/draft.svelte';
import type { ItemState } from '../lib/types';
import Item from './Item.svelte';

function field(path: string, overrides: Partial<ItemState> = {}): ItemState {
  return {
    kind: 'text',
    id: path.slice(path.lastIndexOf('.') + 1),
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

/** A household member with a plain group (the flat) and two incomes, as the engine evaluates it. */
function household(): ItemState {
  const income = (i: number, amount: string) => [
    field(`haushalt[0].einkuenfte[${i}].betrag`, { kind: 'currency', label: 'Betrag', value: amount }),
    field(`haushalt[0].einkuenfte[${i}].bezeichnung`, { label: 'Welche Einkünfte?', visible: false }),
  ];
  const incomes = field('haushalt[0].einkuenfte', {
    kind: 'group',
    label: 'Einkünfte',
    repeat: { min: 0, max: 2, itemLabel: 'Einkommen' },
    instances: [income(0, '7200,00'), income(1, '600,50')],
  });
  const flat = field('haushalt[0].wohnung', {
    kind: 'group',
    label: 'Jetzige Wohnung',
    items: [field('haushalt[0].andere_anschrift', { kind: 'boolean', label: 'Andere Anschrift', value: true })],
  });
  return field('haushalt', {
    kind: 'group',
    label: 'Haushaltsangehörige',
    repeat: { min: 0, max: 12, itemLabel: 'Haushaltsmitglied' },
    instances: [[field('haushalt[0].name', { label: 'Name', value: 'Taras' }), flat, incomes]],
  });
}

function draw(item: ItemState, readonly = false): string {
  const props = { item, session: READ_ONLY_HOST, checked: false, readonly, onadd: () => {}, onremove: () => {} };
  return render(Item, { props }).body;
}

describe('Item', () => {
  it('draws the instances of a repeat group inside an instance, each in its own fieldset', () => {
    const html = draw(household());
    expect(html).toContain('data-path="haushalt[0]"');
    expect(html).toContain('data-path="haushalt[0].einkuenfte[0]"');
    expect(html).toContain('data-path="haushalt[0].einkuenfte[1]"');
    const titles = [...html.matchAll(/<legend class="instance-title">([^<]*)<\/legend>/g)].map((m) => (m[1] ?? '').trim());
    expect(titles).toEqual(['Haushaltsmitglied 1', 'Einkommen 1', 'Einkommen 2']);
    // The nested fieldsets stand inside the member's.
    expect(html.indexOf('data-path="haushalt[0].einkuenfte[1]"')).toBeGreaterThan(html.indexOf('data-path="haushalt[0]"'));
    expect(html).toContain('id="f-haushalt-0-einkuenfte-1-betrag"');
    expect(html).toContain('value="600,50"');
    expect(html, 'a hidden field is not drawn').not.toContain('f-haushalt-0-einkuenfte-0-bezeichnung');
  });

  it('draws a plain group inside an instance with its fields', () => {
    const html = draw(household());
    expect(html).toMatch(/<fieldset class="field group" data-path="haushalt\[0\]\.wohnung"[^>]*>\s*<legend class="label">Jetzige Wohnung/);
    expect(html).toContain('data-path="haushalt[0].andere_anschrift"');
  });

  it('offers adding and removing at each level, bounded by the nested group’s own limits', () => {
    const html = draw(household());
    expect(html).toContain('id="f-haushalt-add"');
    const nestedAdd = html.match(/<button[^>]*id="f-haushalt-0-einkuenfte-add"[^>]*>/)?.[0] ?? '';
    expect(nestedAdd).not.toBe('');
    expect(nestedAdd, 'two incomes are the most').toContain('disabled');
    expect(html.match(/class="instance-actions"/g)?.length).toBe(3);
    expect(draw(household(), true)).not.toContain('instance-actions');
  });
});

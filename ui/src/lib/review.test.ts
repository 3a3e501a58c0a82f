import { describe, expect, it } from 'vitest';
import { computedPaths, groupReviewItems, needsAttention } from './review';
import type { FormState, ReviewItem } from './types';

function row(path: string, overrides: Partial<ReviewItem> = {}): ReviewItem {
  return { path, label: path, value: 'x', heading: false, missing: false, error: null, ...overrides };
}

describe('groupReviewItems', () => {
  it('puts the lines of each instance under its heading and the rest on their own', () => {
    const items = [
      row('hinweis'),
      row('hunde[0]', { heading: true, label: 'Hund 1', value: null }),
      row('hunde[0].name'),
      row('hunde[1]', { heading: true, label: 'Hund 2', value: null }),
      row('hunde[1].name'),
      row('hunde', { value: null, error: 'Zu viele Hunde.' }),
    ];
    const groups = groupReviewItems(items);
    expect(groups.map((g) => [g.heading?.label ?? null, g.rows.map((r) => r.path)])).toEqual([
      [null, ['hinweis']],
      ['Hund 1', ['hunde[0].name']],
      ['Hund 2', ['hunde[1].name']],
      [null, ['hunde']],
    ]);
  });

  it('keeps an instance without lines as a heading of its own', () => {
    const groups = groupReviewItems([row('b[0]', { heading: true, label: 'Baum 1' })]);
    expect(groups).toEqual([{ heading: row('b[0]', { heading: true, label: 'Baum 1' }), depth: 0, rows: [] }]);
  });

  it('puts an instance inside another under it, and the outer lines after it under the outer heading', () => {
    const items = [
      row('haushalt[0]', { heading: true, label: 'Haushaltsmitglied 1', value: null }),
      row('haushalt[0].name'),
      row('haushalt[0].einkommen[0]', { heading: true, label: 'Haushaltsmitglied 1 › Einkommen 1', value: null }),
      row('haushalt[0].einkommen[0].betrag'),
      row('haushalt[0].einkommen[1]', { heading: true, label: 'Haushaltsmitglied 1 › Einkommen 2', value: null }),
      row('haushalt[0].einkommen[1].betrag'),
      row('haushalt[0].anmerkung'),
      row('haushalt[1]', { heading: true, label: 'Haushaltsmitglied 2', value: null }),
      row('haushalt[1].einkommen[0]', { heading: true, label: 'Haushaltsmitglied 2 › Einkommen 1', value: null }),
      row('haushalt[1].einkommen[0].betrag'),
      row('summe'),
    ];
    const groups = groupReviewItems(items);
    expect(groups.map((g) => [g.heading?.label ?? null, g.depth, g.rows.map((r) => r.path)])).toEqual([
      ['Haushaltsmitglied 1', 0, ['haushalt[0].name']],
      ['Haushaltsmitglied 1 › Einkommen 1', 1, ['haushalt[0].einkommen[0].betrag']],
      ['Haushaltsmitglied 1 › Einkommen 2', 1, ['haushalt[0].einkommen[1].betrag']],
      ['Haushaltsmitglied 1', 0, ['haushalt[0].anmerkung']],
      ['Haushaltsmitglied 2', 0, []],
      ['Haushaltsmitglied 2 › Einkommen 1', 1, ['haushalt[1].einkommen[0].betrag']],
      [null, 0, ['summe']],
    ]);
  });

  it('does not take a sibling whose id begins alike for a line of the instance', () => {
    const groups = groupReviewItems([
      row('a[1]', { heading: true, label: 'A 2', value: null }),
      row('a[1].x'),
      row('a[10]', { heading: true, label: 'A 11', value: null }),
      row('a[10].x'),
    ]);
    expect(groups.map((g) => [g.heading?.label, g.rows.map((r) => r.path)])).toEqual([
      ['A 2', ['a[1].x']],
      ['A 11', ['a[10].x']],
    ]);
  });
});

describe('needsAttention', () => {
  it('marks missing and wrong lines', () => {
    expect(needsAttention(row('a'))).toBe(false);
    expect(needsAttention(row('a', { missing: true, value: null }))).toBe(true);
    expect(needsAttention(row('a', { error: 'Falsch.' }))).toBe(true);
  });
});

describe('computedPaths', () => {
  it('finds computed items, also inside groups and instances', () => {
    const base = { visible: true, required: false, sensitive: false, value: null, errors: [], options: [], input: { accept: [] }, items: [], instances: [] };
    const state = {
      steps: [
        {
          id: 's',
          title: 'S',
          visible: true,
          complete: true,
          errorCount: 0,
          items: [
            { ...base, kind: 'computed', id: 'steuer', path: 'steuer' },
            { ...base, kind: 'group', id: 'b', path: 'b', instances: [[{ ...base, kind: 'computed', id: 'x', path: 'b[0].x' }]] },
            { ...base, kind: 'text', id: 't', path: 't' },
          ],
        },
      ],
    } as unknown as FormState;
    expect([...computedPaths(state)]).toEqual(['steuer', 'b[0].x']);
  });
});

import { describe, expect, it } from 'vitest';
import { isTouched, shownErrors, touch } from './touched';
import type { ItemState } from './types';

function field(path: string, overrides: Partial<ItemState> = {}): ItemState {
  return {
    kind: 'text',
    id: path,
    path,
    visible: true,
    required: true,
    sensitive: false,
    value: null,
    errors: [{ code: 'required', message: 'Bitte ausfüllen.' }],
    options: [],
    input: { accept: [] },
    items: [],
    instances: [],
    ...overrides,
  };
}

describe('shownErrors', () => {
  it('hides the engine’s errors until the field is touched', () => {
    const item = field('halter_vorname');
    expect(shownErrors(item, new Set())).toEqual([]);
    expect(shownErrors(item, new Set(['halter_familienname']))).toEqual([]);
    expect(shownErrors(item, new Set(['halter_vorname']))).toEqual(item.errors);
  });

  it('shows nothing for a field without errors or a hidden one', () => {
    const touched = new Set(['sepa_iban']);
    expect(shownErrors(field('sepa_iban', { errors: [] }), touched)).toEqual([]);
    expect(shownErrors(field('sepa_iban', { visible: false }), touched)).toEqual([]);
  });

  it('shows a repeat group’s own errors once one of its instances was touched', () => {
    const group = field('hunde', { kind: 'group', errors: [{ code: 'too_few_items', message: 'Zu wenige.' }] });
    expect(shownErrors(group, new Set(['hunde_extra']))).toEqual([]);
    expect(shownErrors(group, new Set(['hunde[0].name']))).toEqual(group.errors);
  });
});

describe('touch', () => {
  it('adds a path without changing the given set', () => {
    const before: ReadonlySet<string> = new Set(['a']);
    const after = touch(before, 'b');
    expect([...before]).toEqual(['a']);
    expect(isTouched(after, 'b')).toBe(true);
    expect(touch(after, 'b')).toBe(after);
  });
});

describe('a checked step', () => {
  it('shows every error of its fields, touched or not', () => {
    const item = field('halter_vorname');
    expect(shownErrors(item, new Set(), true)).toEqual(item.errors);
    expect(shownErrors(field('x', { visible: false }), new Set(), true)).toEqual([]);
  });
});

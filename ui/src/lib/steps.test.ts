import { describe, expect, it } from 'vitest';
import { currentStep, isLastStep, reviewReachable, stepErrors, stepLinks, visibleSteps } from './steps';
import type { DraftInfo, FormState, ItemState, StepState } from './types';

function item(path: string, overrides: Partial<ItemState> = {}): ItemState {
  return {
    kind: 'text',
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

function step(id: string, items: ItemState[] = [], overrides: Partial<StepState> = {}): StepState {
  const errorCount = items.reduce((n, i) => n + i.errors.length, 0);
  return { id, title: id.toUpperCase(), visible: true, complete: errorCount === 0, errorCount, items, ...overrides };
}

function form(steps: StepState[]): FormState {
  return { formId: 'f', formVersion: '1', lang: 'de', title: 'F', steps, values: {}, fees: [], errors: [], complete: true };
}

function draft(overrides: Partial<DraftInfo> = {}): DraftInfo {
  return {
    id: 1,
    formId: 'f',
    formTitle: 'F',
    formVersion: '1.0.0',
    formStatus: 'current',
    citizen: '',
    status: 'open',
    step: 'a',
    visited: ['a'],
    checked: [],
    citizenLang: 'de',
    created: '2026-11-24T10:00:00',
    updated: '2026-11-24T10:00:00',
    erased: false,
    ...overrides,
  };
}

const required = [{ code: 'required', message: 'Bitte ausfüllen.' }];

describe('the step bar', () => {
  const state = form([step('a', [item('x', { errors: required })]), step('hidden', [], { visible: false }), step('b')]);

  it('shows the visible steps, numbered, with the current one marked', () => {
    const links = stepLinks(draft({ step: 'b', visited: ['a', 'b'] }), state);
    expect(links.map((l) => [l.id, l.number, l.current, l.reachable])).toEqual([
      ['a', 1, false, true],
      ['b', 2, true, false],
    ]);
  });

  it('flags a checked step with errors', () => {
    const links = stepLinks(draft({ checked: ['a'] }), state);
    expect(links[0]?.flagged).toBe(true);
    expect(stepLinks(draft(), state)[0]?.flagged).toBe(false);
  });

  it('reaches the review once every visible step was visited', () => {
    expect(reviewReachable(draft({ visited: ['a'] }), state)).toBe(false);
    expect(reviewReachable(draft({ visited: ['a', 'b'] }), state)).toBe(true);
  });

  it('finds the current and the last step among the visible ones', () => {
    expect(visibleSteps(state).map((s) => s.id)).toEqual(['a', 'b']);
    expect(currentStep(draft({ step: 'b' }), state)?.id).toBe('b');
    expect(currentStep(draft({ step: 'review' }), state)).toBeUndefined();
    expect(isLastStep(state, 'b')).toBe(true);
    expect(isLastStep(state, 'a')).toBe(false);
  });
});

describe('stepErrors', () => {
  it('lists the errors of visible items, naming instances of repeat groups', () => {
    const dogs = item('hunde', {
      kind: 'group',
      label: 'Hunde',
      repeat: { min: 1, max: 10, itemLabel: 'Hund' },
      errors: [{ code: 'too_many_items', message: 'Zu viele.' }],
      instances: [
        [item('hunde[0].name', { label: 'Name' })],
        [item('hunde[1].name', { label: 'Name', errors: required })],
      ],
    });
    const hidden = item('versteckt', { visible: false, errors: required });
    expect(stepErrors(step('s', [item('vorname', { label: 'Vorname', errors: required }), hidden, dogs]), 'Eintrag')).toEqual([
      { path: 'vorname', label: 'Vorname', message: 'Bitte ausfüllen.' },
      { path: 'hunde', label: 'Hunde', message: 'Zu viele.' },
      { path: 'hunde[1].name', label: 'Hund 2 – Name', message: 'Bitte ausfüllen.' },
    ]);
  });

  it('names every instance around an error inside a nested repeat group', () => {
    const incomes = item('haushalt[0].einkommen', {
      kind: 'group',
      label: 'Einkünfte',
      repeat: { min: 1, max: 3, itemLabel: 'Einkommen' },
      instances: [[item('haushalt[0].einkommen[0].betrag', { label: 'Betrag', errors: required })]],
    });
    const flat = item('haushalt[0].wohnung', {
      kind: 'group',
      label: 'Wohnung',
      items: [item('haushalt[0].anschrift', { label: 'Anschrift', errors: required })],
    });
    const members = item('haushalt', {
      kind: 'group',
      label: 'Haushalt',
      repeat: { min: 0, max: 4, itemLabel: 'Haushaltsmitglied' },
      instances: [[flat, incomes]],
    });
    expect(stepErrors(step('s', [members]), 'Eintrag')).toEqual([
      { path: 'haushalt[0].anschrift', label: 'Haushaltsmitglied 1 – Anschrift', message: 'Bitte ausfüllen.' },
      {
        path: 'haushalt[0].einkommen[0].betrag',
        label: 'Haushaltsmitglied 1 – Einkommen 1 – Betrag',
        message: 'Bitte ausfüllen.',
      },
    ]);
  });
});

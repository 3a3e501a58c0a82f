import { describe, expect, it } from 'vitest';
import { filterForms, inputId } from './forms';
import type { FormSummary } from './types';

const forms: FormSummary[] = [
  { id: 'hundeanmeldung', version: '1.0.0', title: 'Hund anmelden', description: 'Hundesteuer', languages: ['de'] },
  {
    id: 'bewohnerparkausweis',
    version: '1.0.0',
    title: 'Bewohnerparkausweis',
    description: 'Parken in der Straße',
    languages: ['de'],
  },
];

describe('filterForms', () => {
  it('matches every word, ignoring case and ß', () => {
    expect(filterForms(forms, '').map((f) => f.id)).toEqual(['hundeanmeldung', 'bewohnerparkausweis']);
    expect(filterForms(forms, 'HUND').map((f) => f.id)).toEqual(['hundeanmeldung']);
    expect(filterForms(forms, 'strasse parken').map((f) => f.id)).toEqual(['bewohnerparkausweis']);
    expect(filterForms(forms, 'hund parken')).toEqual([]);
  });
});

describe('inputId', () => {
  it('makes an element id of an item path', () => {
    expect(inputId('hunde[1].rasse')).toBe('f-hunde-1-rasse');
  });
});

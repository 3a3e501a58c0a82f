import { describe, expect, it } from 'vitest';
import { getAt, parsePath, setAt } from './answers';
import type { Answers } from './types';

describe('parsePath', () => {
  it('splits names and indexes', () => {
    expect(parsePath('sepa_iban')).toEqual(['sepa_iban']);
    expect(parsePath('hunde[1].rasse')).toEqual(['hunde', 1, 'rasse']);
    expect(parsePath('halter_adresse.postcode')).toEqual(['halter_adresse', 'postcode']);
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', 'a..b', 'a.[1]', 'hunde[x]', 'a b', '.a']) {
      expect(() => parsePath(bad), bad).toThrow(/Ungültiger Pfad/);
    }
  });
});

describe('setAt', () => {
  it('sets a value inside a repeat instance without touching the original', () => {
    const before: Answers = { halter_vorname: 'Erika', hunde: [{ name: 'Bello' }, { name: 'Luna' }] };
    const frozen = structuredClone(before);
    const after = setAt(before, 'hunde[1].rasse', 'beagle');

    expect(after).toEqual({
      halter_vorname: 'Erika',
      hunde: [{ name: 'Bello' }, { name: 'Luna', rasse: 'beagle' }],
    });
    expect(before).toEqual(frozen);
    expect(after.hunde).not.toBe(before.hunde);
    // What the write did not pass through is shared, not copied.
    expect((after.hunde as Answers[])[0]).toBe((before.hunde as Answers[])[0]);
  });

  it('creates the arrays and objects on the way', () => {
    expect(setAt({}, 'hunde[1].name', 'Luna')).toEqual({ hunde: [{}, { name: 'Luna' }] });
    expect(setAt({}, 'halter_adresse.city', 'Köln')).toEqual({ halter_adresse: { city: 'Köln' } });
  });

  it('replaces and clears top-level answers', () => {
    expect(setAt({ zahlungsart: 'sepa' }, 'zahlungsart', null)).toEqual({ zahlungsart: null });
  });

  it('reads back what it wrote', () => {
    const answers = setAt({}, 'hunde[0].rasse', 'dackel');
    expect(getAt(answers, 'hunde[0].rasse')).toBe('dackel');
    expect(getAt(answers, 'hunde[3].rasse')).toBeNull();
    expect(getAt(answers, 'halter_adresse.city')).toBeNull();
  });
});

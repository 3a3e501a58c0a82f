import { describe, expect, it } from 'vitest';
import { inputId, newestInstance } from './forms';

describe('inputId', () => {
  it('makes an element id of an item path', () => {
    expect(inputId('hunde[1].rasse')).toBe('f-hunde-1-rasse');
    expect(inputId('halter_adresse.postcode')).toBe('f-halter_adresse-postcode');
  });
});

describe('newestInstance', () => {
  it('finds the last instance of a group, not one nested in it', () => {
    const paths = ['haushalt[0]', 'haushalt[0].einkommen[0]', 'haushalt[1]', 'haushalt[1].einkommen[0]', 'haushalt[1].einkommen[1]'];
    expect(newestInstance(paths, 'haushalt')).toBe('haushalt[1]');
    expect(newestInstance(paths, 'haushalt[1].einkommen')).toBe('haushalt[1].einkommen[1]');
    expect(newestInstance(paths, 'haushalt[0].einkommen')).toBe('haushalt[0].einkommen[0]');
    expect(newestInstance(paths, 'haushalt[2].einkommen')).toBeUndefined();
    expect(newestInstance(['hunde[0]', 'hunde_alt[0]'], 'hunde')).toBe('hunde[0]');
  });
});

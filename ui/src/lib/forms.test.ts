import { describe, expect, it } from 'vitest';
import { inputId } from './forms';

describe('inputId', () => {
  it('makes an element id of an item path', () => {
    expect(inputId('hunde[1].rasse')).toBe('f-hunde-1-rasse');
    expect(inputId('halter_adresse.postcode')).toBe('f-halter_adresse-postcode');
  });
});

import { describe, expect, it } from 'vitest';
import { languageName, textDirection } from './languages';

describe('citizen languages', () => {
  it('names each language in itself', () => {
    expect(['de', 'en', 'tr', 'uk', 'ar', 'ru', 'de-x-ls'].map(languageName)).toEqual([
      'Deutsch',
      'English',
      'Türkçe',
      'Українська',
      'العربية',
      'Русский',
      'Leichte Sprache',
    ]);
    expect(languageName('xx')).toBe('xx');
  });

  it('writes Arabic right to left and the others left to right', () => {
    expect(textDirection('ar')).toBe('rtl');
    expect(textDirection('de-x-ls')).toBe('ltr');
    expect(textDirection('tr')).toBe('ltr');
  });
});

import { describe, expect, it } from 'vitest';
import { actionFor, isTextEntry, SHORTCUTS } from './shortcuts';

describe('actionFor', () => {
  it('focuses the search with Ctrl+K anywhere and with "/" on the start screen outside text', () => {
    expect(actionFor({ key: 'k', code: 'KeyK', ctrlKey: true }, 'start', true)).toBe('search');
    expect(actionFor({ key: 'k', code: 'KeyK', ctrlKey: true }, 'wizard', true)).toBe('search');
    expect(actionFor({ key: '/' }, 'start', false)).toBe('search');
    expect(actionFor({ key: '/' }, 'start', true)).toBeNull();
    expect(actionFor({ key: '/' }, 'wizard', false)).toBeNull();
  });

  it('moves between steps with Alt+Arrow, also from inside a text field', () => {
    expect(actionFor({ key: 'ArrowRight', altKey: true }, 'wizard', true)).toBe('next');
    expect(actionFor({ key: 'ArrowLeft', altKey: true }, 'wizard', true)).toBe('back');
    expect(actionFor({ key: 'ArrowLeft', altKey: true }, 'review', false)).toBe('back');
    expect(actionFor({ key: 'ArrowRight', altKey: true }, 'review', false)).toBeNull();
    expect(actionFor({ key: 'ArrowRight', altKey: true }, 'start', false)).toBeNull();
  });

  it('leaves editing keys alone', () => {
    expect(actionFor({ key: 'ArrowRight' }, 'wizard', true)).toBeNull();
    expect(actionFor({ key: 'ArrowLeft', ctrlKey: true }, 'wizard', true)).toBeNull();
    expect(actionFor({ key: 'Backspace', ctrlKey: true }, 'wizard', true)).toBeNull();
    expect(actionFor({ key: 'ArrowRight', altKey: true, shiftKey: true }, 'wizard', true)).toBeNull();
    expect(actionFor({ key: 'r', code: 'KeyR', ctrlKey: true }, 'wizard', false)).toBeNull();
  });

  it('opens the review with Alt+P, by the physical key when a layout changes the character', () => {
    expect(actionFor({ key: 'p', code: 'KeyP', altKey: true }, 'wizard', true)).toBe('review');
    expect(actionFor({ key: 'π', code: 'KeyP', altKey: true }, 'wizard', true)).toBe('review');
    expect(actionFor({ key: 'p', code: 'KeyP', altKey: true }, 'start', false)).toBeNull();
  });

  it('opens the help with F1 anywhere and with "?" outside text fields', () => {
    expect(actionFor({ key: 'F1' }, 'wizard', true)).toBe('help');
    expect(actionFor({ key: 'l', code: 'KeyL', ctrlKey: true }, 'wizard', true)).toBe('lock');
    expect(actionFor({ key: 'l', code: 'KeyL', ctrlKey: true }, 'start', false)).toBe('lock');
    expect(actionFor({ key: 'l', code: 'KeyL' }, 'wizard', false)).toBeNull();
    expect(actionFor({ key: '?', shiftKey: true }, 'start', false)).toBe('help');
    expect(actionFor({ key: '?', shiftKey: true }, 'wizard', true)).toBeNull();
  });

  it('does nothing while the help overlay is open: the overlay handles its keys', () => {
    expect(actionFor({ key: 'F1' }, 'dialog', false)).toBeNull();
    expect(actionFor({ key: 'ArrowRight', altKey: true }, 'dialog', false)).toBeNull();
  });

  it('lists every action in the help overlay', () => {
    const listed = SHORTCUTS.map((s) => s.action);
    for (const action of ['search', 'next', 'back', 'review', 'help', 'lock', 'close']) expect(listed).toContain(action);
  });
});

describe('isTextEntry', () => {
  const element = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, ...extra }) as never;

  it('counts text inputs, text areas and selects, but not buttons or check boxes', () => {
    expect(isTextEntry(element('INPUT', { type: 'text' }))).toBe(true);
    expect(isTextEntry(element('INPUT', { type: 'search' }))).toBe(true);
    expect(isTextEntry(element('TEXTAREA'))).toBe(true);
    expect(isTextEntry(element('SELECT'))).toBe(true);
    expect(isTextEntry(element('INPUT', { type: 'radio' }))).toBe(false);
    expect(isTextEntry(element('BUTTON'))).toBe(false);
    expect(isTextEntry(element('DIV', { isContentEditable: true }))).toBe(true);
    expect(isTextEntry(null)).toBe(false);
  });
});

// The draft session against a desk whose answers the test releases by hand: what the screen shows while
// requests are in flight, and that an older answer never overwrites newer input.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DraftView, JsonValue } from './types';

interface Call {
  command: string;
  args: Record<string, unknown>;
  answer: (view: unknown) => void;
  refuse: (error: unknown) => void;
}

const calls: Call[] = [];

vi.mock('@tauri-apps/api/core', () => ({
  invoke: (command: string, args: Record<string, unknown> = {}) =>
    new Promise((answer, refuse) => calls.push({ command, args, answer, refuse })),
}));

const { DraftSession } = await import('./draft.svelte');

function view(step: string, name: JsonValue, extra: Partial<DraftView['draft']> = {}): DraftView {
  return {
    draft: {
      id: 7,
      formId: 'hundeanmeldung',
      formTitle: 'Hund anmelden',
      formVersion: '1.0.0',
      formStatus: 'current',
      citizen: '',
      status: 'open',
      step,
      visited: [step],
      checked: [],
      citizenLang: 'de',
      created: '2026-11-24T10:00:00',
      updated: '2026-11-24T10:00:00',
      erased: false,
      ...extra,
    },
    state: {
      formId: 'hundeanmeldung',
      formVersion: '1.0.0',
      lang: 'de',
      title: 'Hund anmelden',
      steps: [],
      values: { name },
      fees: [],
      errors: [],
      complete: false,
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

async function open() {
  const opening = DraftSession.resume(7, (e) => `Fehler: ${String((e as { message?: string }).message ?? e)}`);
  calls.shift()!.answer(view('halter', null));
  return opening;
}

beforeEach(() => {
  calls.length = 0;
});

describe('DraftSession', () => {
  it('sends keystrokes in order, folds those that wait, and shows only the newest answer', async () => {
    const session = await open();
    session.set('name', 'B', 'B');
    session.set('name', 'Be', 'Be');
    session.set('name', 'Bello', 'Bello');
    expect(calls.map((c) => c.args.value)).toEqual(['B']);
    expect(session.local.name).toBe('Bello');

    calls.shift()!.answer(view('halter', 'B'));
    await settle();
    // The answer for "B" is older than the clerk's input: it is not shown.
    expect(session.state.values.name).toBeNull();
    expect(calls.map((c) => c.args.value)).toEqual(['Bello']);

    calls.shift()!.answer(view('halter', 'Bello'));
    await settle();
    expect(session.state.values.name).toBe('Bello');
    expect(session.local.name).toBe('Bello');
  });

  it('sends "Weiter" only after the answers typed before it', async () => {
    const session = await open();
    session.set('name', 'Anna', 'Anna');
    const moving = session.next();
    expect(calls.map((c) => c.command)).toEqual(['set_answer']);
    calls.shift()!.answer(view('halter', 'Anna'));
    await settle();
    expect(calls.map((c) => c.command)).toEqual(['next_step']);
    calls.shift()!.answer(view('hunde', 'Anna', { visited: ['halter', 'hunde'] }));
    await expect(moving).resolves.toBe(true);
    expect(session.info.step).toBe('hunde');
    // Typed text belongs to the step it was typed on.
    expect(session.local).toEqual({});
  });

  it('says when "Weiter" stayed on a step with errors', async () => {
    const session = await open();
    const moving = session.next();
    calls.shift()!.answer(view('halter', null, { checked: ['halter'] }));
    await expect(moving).resolves.toBe(false);
    expect(session.info.checked).toEqual(['halter']);
  });

  it('shows the desk’s message when a change is refused', async () => {
    const session = await open();
    session.set('name', 'x');
    calls.shift()!.refuse({ code: 'finalized', message: 'Der Vorgang 7 ist abgeschlossen.' });
    await settle();
    expect(session.failure).toBe('Fehler: Der Vorgang 7 ist abgeschlossen.');
  });

  it('forgets typed text of instances that moved when one is removed', async () => {
    const session = await open();
    session.set('hunde[1].name', 'Luna', 'Luna');
    session.set('halter_vorname', 'Anna', 'Anna');
    calls.shift()!.answer(view('halter', null));
    await settle();
    calls.shift()!.answer(view('halter', null));
    await settle();
    const removing = session.removeInstance('hunde', 0);
    expect(calls[0]?.args).toEqual({ id: 7, group: 'hunde', index: 0 });
    calls.shift()!.answer(view('halter', null));
    await removing;
    expect(session.local).toEqual({ halter_vorname: 'Anna' });
  });

  it('reports a refused finalization and reloads the draft and its review', async () => {
    const session = await open();
    const finalizing = session.finalize();
    calls.shift()!.refuse({ code: 'incomplete', message: 'Das Formular ist noch nicht vollständig.' });
    await settle();
    expect(calls.map((c) => c.command)).toEqual(['get_draft']);
    calls.shift()!.answer(view('review', null, { checked: ['halter'] }));
    await settle();
    expect(calls.map((c) => c.command)).toEqual(['review_draft']);
    calls.shift()!.answer({ draft: view('review', null).draft, steps: [], fees: [], complete: false, errorCount: 1 });
    await expect(finalizing).resolves.toBe(false);
    expect(session.failure).toBe('Fehler: Das Formular ist noch nicht vollständig.');
    expect(session.review?.errorCount).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { CommandQueue, Latest, type Delivery } from './queue';
import type { JsonValue } from './types';

/** A desk whose answers the test releases by hand, in any order it likes. */
function fakeDesk() {
  const sent: { path: string; value: JsonValue; answer: (r: string) => void; refuse: (e: unknown) => void }[] = [];
  const delivered: Delivery<string>[] = [];
  const failed: string[] = [];
  const queue = new CommandQueue<string>({
    send: (path, value) =>
      new Promise<string>((answer, refuse) => sent.push({ path, value, answer, refuse })),
    deliver: (d) => delivered.push(d),
    fail: (_e, path) => failed.push(path),
  });
  return { queue, sent, delivered, failed };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('CommandQueue', () => {
  it('sends one request at a time, in the order the clerk made the changes', async () => {
    const { queue, sent } = fakeDesk();
    queue.set('halter_vorname', 'A');
    queue.set('halter_familienname', 'M');
    expect(sent.map((s) => s.path)).toEqual(['halter_vorname']);
    sent[0]!.answer('v1');
    await settle();
    expect(sent.map((s) => s.path)).toEqual(['halter_vorname', 'halter_familienname']);
  });

  it('folds keystrokes that wait behind a request into one, so the last keystroke is sent', async () => {
    const { queue, sent } = fakeDesk();
    queue.set('name', 'B');
    queue.set('name', 'Be');
    queue.set('name', 'Bel');
    queue.set('name', 'Bello');
    expect(sent.map((s) => s.value)).toEqual(['B']);
    sent[0]!.answer('after B');
    await settle();
    expect(sent.map((s) => s.value)).toEqual(['B', 'Bello']);
  });

  it('does not fold an answer across another command', async () => {
    const { queue, sent } = fakeDesk();
    queue.set('name', 'B');
    queue.set('name', 'Be');
    void queue.run(() => Promise.resolve('next'));
    queue.set('name', 'Bel');
    sent[0]!.answer('1');
    await settle();
    sent[1]!.answer('2');
    await settle();
    expect(sent.map((s) => s.value)).toEqual(['B', 'Be', 'Bel']);
  });

  it('marks only the answer to the newest request as latest', async () => {
    const { queue, sent, delivered } = fakeDesk();
    queue.set('name', 'B');
    queue.set('name', 'Bello');
    sent[0]!.answer('state for B');
    await settle();
    sent[1]!.answer('state for Bello');
    await settle();
    expect(delivered).toEqual([
      { result: 'state for B', ticket: 1, latest: false },
      { result: 'state for Bello', ticket: 2, latest: true },
    ]);
  });

  it('never lets an older answer count as the newest, whatever the order of arrival', async () => {
    const latest = new Latest();
    const first = latest.next();
    const second = latest.next();
    expect(latest.isLatest(second)).toBe(true);
    expect(latest.isLatest(first)).toBe(false);
  });

  it('runs a command after the answers queued before it and hands back its result', async () => {
    const { queue, sent } = fakeDesk();
    queue.set('sepa_iban', 'DE89');
    const order: string[] = [];
    const next = queue.run(async () => {
      order.push(`next after ${sent.length} answer(s)`);
      return 'moved';
    });
    expect(order).toEqual([]);
    sent[0]!.answer('x');
    await expect(next).resolves.toBe('moved');
    expect(order).toEqual(['next after 1 answer(s)']);
  });

  it('reports a refused answer and goes on with the next request', async () => {
    const { queue, sent, failed } = fakeDesk();
    queue.set('a', 1);
    queue.set('b', 2);
    sent[0]!.refuse({ code: 'finalized', message: 'abgeschlossen' });
    await settle();
    expect(failed).toEqual(['a']);
    expect(sent.map((s) => s.path)).toEqual(['a', 'b']);
  });

  it('rejects a refused command to its caller', async () => {
    const { queue } = fakeDesk();
    await expect(queue.run(() => Promise.reject(new Error('nein')))).rejects.toThrow('nein');
    expect(queue.pending).toBe(0);
  });

  it('is idle once everything queued has been answered', async () => {
    const { queue, sent } = fakeDesk();
    await queue.idle();
    queue.set('a', 1);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await settle();
    expect(idle).toBe(false);
    sent[0]!.answer('done');
    await settle();
    expect(idle).toBe(true);
  });
});

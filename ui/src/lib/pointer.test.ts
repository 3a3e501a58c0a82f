import { describe, expect, it, vi } from 'vitest';
import { PointerGate } from './pointer';

describe('PointerGate', () => {
  it('runs work at once while no pointer is pressed', () => {
    const gate = new PointerGate(new EventTarget());
    const work = vi.fn();
    gate.afterRelease(work);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('holds work while a pointer is pressed and runs it after the release and its click', async () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const gate = new PointerGate(target);
    const order: string[] = [];
    target.dispatchEvent(new Event('pointerdown'));
    gate.afterRelease(() => order.push('touch'));
    expect(order).toEqual([]);
    target.dispatchEvent(new Event('pointerup'));
    order.push('click');
    vi.runAllTimers();
    expect(order).toEqual(['click', 'touch']);
    vi.useRealTimers();
  });

  it('releases on pointercancel as well', () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const gate = new PointerGate(target);
    const work = vi.fn();
    target.dispatchEvent(new Event('pointerdown'));
    gate.afterRelease(work);
    target.dispatchEvent(new Event('pointercancel'));
    vi.runAllTimers();
    expect(work).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});

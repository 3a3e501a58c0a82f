// Leaving a field by pressing a button shows the field's new error, and that can push the button down by a
// line between the press and the release: the release then lands beside the button and the click is lost.
// So while a pointer is pressed, work that changes the layout waits until it is released and the click has
// been dispatched.

/** Tracks whether a pointer is pressed on `target` and runs deferred work after its release. */
export class PointerGate {
  #down = false;
  #waiting: Array<() => void> = [];

  constructor(target: EventTarget) {
    target.addEventListener('pointerdown', () => (this.#down = true), { capture: true });
    const release = () => this.#release();
    target.addEventListener('pointerup', release, { capture: true });
    target.addEventListener('pointercancel', release, { capture: true });
  }

  /** Runs `work` now, or after the pressed pointer is released and its click is dispatched. */
  afterRelease(work: () => void): void {
    if (this.#down) this.#waiting.push(work);
    else work();
  }

  #release(): void {
    this.#down = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    // The click follows the pointerup in the same task; a macrotask later it has been delivered.
    if (waiting.length > 0) setTimeout(() => waiting.forEach((w) => w()), 0);
  }
}

/** The gate of this window (none outside a browser, where nothing is ever pressed). */
export const pointer: PointerGate | null = typeof window === 'undefined' ? null : new PointerGate(window);

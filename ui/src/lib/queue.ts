// The order in which a draft's changes reach the desk. Every command that changes or reads a draft goes
// through one queue per draft and is sent only after the one before it has been answered, so the desk sees
// the clerk's changes in the order they were made (two commands in flight at once could be run the other way
// round, and the older keystroke would win).
//
// Typing sends no request per keystroke while one is in flight: an answer to the same path that is still
// waiting at the end of the queue is replaced by the newer one, so a burst of keystrokes becomes one request
// and the last keystroke is always sent. Nothing here waits on a timer.
//
// Every request gets a sequence number (a ticket). An answer is applied to the screen only when it belongs
// to the newest request issued so far: an older answer would show a state from before the clerk's newest
// input.
import type { JsonValue } from './types';

/** How a queue reports an answer: the result and whether it belongs to the newest request. */
export interface Delivery<T> {
  result: T;
  ticket: number;
  /** No newer request was issued: the result reflects everything the clerk has done. */
  latest: boolean;
}

interface SetJob {
  kind: 'set';
  ticket: number;
  path: string;
  value: JsonValue;
}

interface RunJob<T> {
  kind: 'run';
  ticket: number;
  run: () => Promise<T>;
  resolve: (result: T) => void;
  reject: (error: unknown) => void;
}

type Job<T> = SetJob | RunJob<T>;

/** What a queue needs from its owner. */
export interface QueueHandlers<T> {
  /** Sends one answer (`set_answer`). */
  send: (path: string, value: JsonValue) => Promise<T>;
  /** Called with every answer the desk gives, in the order of the requests. */
  deliver: (delivery: Delivery<T>) => void;
  /** Called when a queued answer was refused; commands queued with `run` reject instead. */
  fail: (error: unknown, path: string) => void;
}

/** A queue of commands for one draft, sent one at a time in order. */
export class CommandQueue<T> {
  #jobs: Job<T>[] = [];
  #busy = false;
  #issued = 0;
  #idle: (() => void)[] = [];
  readonly #handlers: QueueHandlers<T>;

  constructor(handlers: QueueHandlers<T>) {
    this.#handlers = handlers;
  }

  /** The ticket of the newest request queued so far. */
  get issued(): number {
    return this.#issued;
  }

  /** How many requests wait or are in flight. */
  get pending(): number {
    return this.#jobs.length + (this.#busy ? 1 : 0);
  }

  /**
   * Queues an answer. If the last waiting job is an answer to the same path, it takes the new value instead
   * (it has not been sent yet); the order relative to every other command stays as the clerk made it.
   */
  set(path: string, value: JsonValue): void {
    const ticket = ++this.#issued;
    const last = this.#jobs.at(-1);
    if (last?.kind === 'set' && last.path === path) {
      last.value = value;
      last.ticket = ticket;
    } else {
      this.#jobs.push({ kind: 'set', ticket, path, value });
    }
    this.#pump();
  }

  /** Queues a command after everything queued before it; resolves with its result. */
  run<R extends T>(run: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // The job hands its own result back, so the caller gets the type it asked for.
      const job: RunJob<T> = { kind: 'run', ticket: ++this.#issued, run, resolve: (r) => resolve(r as R), reject };
      this.#jobs.push(job);
      this.#pump();
    });
  }

  /** Resolves once everything queued so far has been answered. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    if (this.#busy) return;
    const job = this.#jobs.shift();
    if (!job) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    this.#busy = true;
    const request = job.kind === 'set' ? this.#handlers.send(job.path, job.value) : job.run();
    request
      .then(
        (result) => {
          this.#handlers.deliver({ result, ticket: job.ticket, latest: job.ticket === this.#issued });
          if (job.kind === 'run') job.resolve(result);
        },
        (error: unknown) => {
          if (job.kind === 'run') job.reject(error);
          else this.#handlers.fail(error, job.path);
        },
      )
      .finally(() => {
        this.#busy = false;
        this.#pump();
      });
  }
}

/**
 * Sequence numbers for read-only requests where only the newest answer counts (search as you type): each
 * request takes a number, and an answer is used only while its number is still the newest.
 */
export class Latest {
  #issued = 0;

  /** The number of a new request. */
  next(): number {
    return ++this.#issued;
  }

  /** Whether `ticket` belongs to the newest request. */
  isLatest(ticket: number): boolean {
    return ticket === this.#issued;
  }
}

// One draft at the desk as the screen sees it: the desk's latest view of it, what the clerk has touched, and
// the text of inputs as typed. Every change goes to the desk through one queue (see queue.ts), and the
// screen is redrawn from what the desk answers; the draft itself lives in Rust.
import * as api from './api';
import { dataUrl, isPicture, keepPicture, picture } from './files';
import { CommandQueue, type Delivery } from './queue';
import { REVIEW } from './steps';
import { pointer } from './pointer';
import { touch } from './touched';
import type { DraftInfo, DraftView, FileRef, FormState, JsonValue, ReviewView } from './types';

type Answer = DraftView | ReviewView;

/**
 * What a field needs from whoever holds the answers: the text typed so far, what was touched, and where
 * changes go. A draft session is one; the citizen's read-only screen has one that takes no changes.
 */
export interface FieldHost {
  readonly local: Readonly<Record<string, string>>;
  readonly touched: ReadonlySet<string>;
  set(path: string, value: JsonValue, text?: string): void;
  touch(path: string): void;
  /** Sends a file to the desk; its record, or `null` when the desk refused (the reason is shown). */
  sendFile(blob: Blob, name: string, progress?: (sent: number, total: number) => void): Promise<FileRef | null>;
  /** The picture of a stored photo or signature as a `data:` URL, from the cache or the desk. */
  picture(file: { ref: string; mediaType: string }): Promise<string | undefined>;
}

/** A host for fields that only show answers: the citizen's screen. */
export const READ_ONLY_HOST: FieldHost = {
  local: {},
  touched: new Set(),
  set: () => undefined,
  touch: () => undefined,
  sendFile: () => Promise.resolve(null),
  // The citizen's window may not read files; it names them only.
  picture: () => Promise.resolve(undefined),
};

export class DraftSession implements FieldHost {
  /** The desk's view of the draft after the newest request. */
  view: DraftView;
  /** The review, once loaded for the review screen. */
  review: ReviewView | null = $state.raw(null);
  /** Paths the clerk has touched; their errors show. */
  touched: ReadonlySet<string> = $state.raw(new Set());
  /**
   * Inputs' text as the clerk typed it, by path. An input shows this rather than the answer, so that an
   * answer from the desk can never put older text into a field the clerk is typing in.
   */
  local: Readonly<Record<string, string>> = $state.raw({});
  /** The desk's message when a change was refused. */
  failure: string | null = $state(null);
  /** The path of the field to focus when the wizard shows next (set by the review's "Ändern"). */
  focusTarget: string | null = null;

  readonly #queue: CommandQueue<Answer>;
  readonly #describe: (error: unknown) => string;

  private constructor(view: DraftView, describe: (error: unknown) => string) {
    this.view = $state.raw(view);
    this.#describe = describe;
    this.#queue = new CommandQueue<Answer>({
      send: (path, value) => api.setAnswer(this.id, path, value),
      deliver: (d) => this.#deliver(d),
      fail: (error) => {
        this.failure = this.#describe(error);
      },
    });
  }

  /** Starts a new draft of `formId`. `describe` words a refused command for the clerk. */
  static async start(formId: string, describe: (error: unknown) => string): Promise<DraftSession> {
    return new DraftSession(await api.startDraft(formId), describe);
  }

  /** A session on a draft the desk just answered with (a draft carried over). */
  static of(view: DraftView, describe: (error: unknown) => string): DraftSession {
    return new DraftSession(view, describe);
  }

  /** Takes up draft `id` where it was left. */
  static async resume(id: number, describe: (error: unknown) => string): Promise<DraftSession> {
    return new DraftSession(await api.getDraft(id), describe);
  }

  get id(): number {
    return this.view.draft.id;
  }

  get info(): DraftInfo {
    return this.view.draft;
  }

  get state(): FormState {
    return this.view.state;
  }

  get final(): boolean {
    return this.view.draft.status === 'final';
  }

  get atReview(): boolean {
    return this.view.draft.step === REVIEW || this.final;
  }

  #deliver(d: Delivery<Answer>): void {
    this.failure = null;
    if (!d.latest) return;
    if ('state' in d.result) {
      if (d.result.draft.step !== this.view.draft.step) this.local = {};
      this.view = d.result;
    } else {
      this.review = d.result;
    }
  }

  async #run<T extends Answer>(command: () => Promise<T>): Promise<T> {
    try {
      return await this.#queue.run(command);
    } catch (error) {
      this.failure = this.#describe(error);
      throw error;
    }
  }

  /** Sets the answer at `path`; `text` is what its input shows when that is not simply the answer. */
  set(path: string, value: JsonValue, text?: string): void {
    if (text !== undefined) this.local = { ...this.local, [path]: text };
    this.#queue.set(path, value);
  }

  /** Marks `path` as touched, so that its errors show; not while a pointer is pressed (see `pointer`). */
  touch(path: string): void {
    const apply = () => (this.touched = touch(this.touched, path));
    if (pointer) pointer.afterRelease(apply);
    else apply();
  }

  async sendFile(
    blob: Blob,
    name: string,
    progress?: (sent: number, total: number) => void,
  ): Promise<FileRef | null> {
    try {
      const file = await api.sendFile(this.id, blob, name, progress);
      this.failure = null;
      return file;
    } catch (error) {
      this.failure = this.#describe(error);
      return null;
    }
  }

  async picture(file: { ref: string; mediaType: string }): Promise<string | undefined> {
    const cached = picture(file.ref);
    if (cached !== undefined || !isPicture(file.mediaType)) return cached;
    try {
      const url = await dataUrl(await api.readFile(this.id, file));
      keepPicture(file.ref, url);
      return url;
    } catch {
      // No preview then; the file's name and size still show.
      return undefined;
    }
  }

  /** Forgets typed text under a repeat group whose instances moved. */
  #forgetUnder(group: string): void {
    this.local = Object.fromEntries(Object.entries(this.local).filter(([p]) => !p.startsWith(`${group}[`)));
    this.touched = new Set([...this.touched].filter((p) => !p.startsWith(`${group}[`)));
  }

  /** Adds an instance to a repeat group (another dog). */
  async addInstance(group: string): Promise<void> {
    await this.#run(() => api.addInstance(this.id, group));
  }

  /** Removes instance `index` of a repeat group. */
  async removeInstance(group: string, index: number): Promise<void> {
    await this.#run(async () => {
      const view = await api.removeInstance(this.id, group, index);
      // Before the new view shows: the instances after the removed one have moved up.
      this.#forgetUnder(group);
      return view;
    });
  }

  /** "Weiter"; whether the draft moved on (it stays on a step with errors, and shows them all). */
  async next(): Promise<boolean> {
    const before = this.view.draft.step;
    const view = await this.#run(() => api.nextStep(this.id));
    return view.draft.step !== before;
  }

  /** "Zurück"; whether the draft moved. */
  async back(): Promise<boolean> {
    const before = this.view.draft.step;
    const view = await this.#run(() => api.previousStep(this.id));
    return view.draft.step !== before;
  }

  /** Jumps to a visited step, or to the review. */
  async goTo(step: string): Promise<void> {
    await this.#run(() => api.goToStep(this.id, step));
  }

  /** Switches the form's texts to the citizen's language. */
  async setCitizenLang(lang: string): Promise<void> {
    await this.#run(() => api.setCitizenLang(this.id, lang));
  }

  /** Loads the review of everything entered. */
  async loadReview(): Promise<ReviewView> {
    return this.#run(() => api.reviewDraft(this.id));
  }

  /** Finalizes the draft; afterwards it can no longer change. Whether it was finalized. */
  async finalize(): Promise<boolean> {
    let refusal: unknown = null;
    try {
      await this.#queue.run(() => api.finalizeDraft(this.id));
    } catch (error) {
      refusal = error;
      // A refusal marks every step as checked: fetch the draft so that its errors show there.
      await this.#queue.run(() => api.getDraft(this.id)).catch(() => undefined);
    }
    await this.#queue.run(() => api.reviewDraft(this.id)).catch(() => undefined);
    if (refusal !== null) this.failure = this.#describe(refusal);
    return refusal === null;
  }

  /** Resolves once every change made so far has reached the desk. */
  settled(): Promise<void> {
    return this.#queue.idle();
  }
}

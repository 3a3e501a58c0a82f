// One open form at the desk: the answers typed so far, what the clerk touched, and the engine's latest
// state for them. Every change goes to the engine, and the screen is redrawn from what it returns.
import { errorMessage, evaluateForm, openForm } from './api';
import { setAt } from './answers';
import { touch } from './touched';
import type { Answers, FormState, JsonValue } from './types';

/** The language of texts and messages; the desk's UI is German. */
export const LANG = 'de';

export class FormSession {
  /** The engine's state for the current answers. */
  state: FormState;
  answers: Answers = $state.raw({});
  /** Paths the clerk has touched; errors show only there. */
  touched: ReadonlySet<string> = $state.raw(new Set());
  /** The raw text of inputs whose text is not simply their answer (a decimal comma, half-typed numbers). */
  drafts: Readonly<Record<string, string>> = $state.raw({});
  /** The index of the shown step among the visible steps. */
  stepIndex = $state(0);
  /** A message when the engine could not be asked. */
  failure: string | null = $state(null);

  #sent = 0;

  private constructor(state: FormState) {
    this.state = $state.raw(state);
  }

  /** Opens `formId` with no answers. */
  static async open(formId: string): Promise<FormSession> {
    return new FormSession(await openForm(formId, LANG));
  }

  get formId(): string {
    return this.state.formId;
  }

  /** Sets the answer at `path` and re-evaluates; `text` is what the input shows, when it differs. */
  async set(path: string, value: JsonValue, text?: string): Promise<void> {
    this.answers = setAt(this.answers, path, value);
    if (text !== undefined) this.drafts = { ...this.drafts, [path]: text };
    await this.#evaluate();
  }

  /** Marks `path` as touched, so that its errors show. */
  touch(path: string): void {
    this.touched = touch(this.touched, path);
  }

  async #evaluate(): Promise<void> {
    const ticket = ++this.#sent;
    try {
      const state = await evaluateForm(this.formId, this.answers, LANG);
      // Answers to an older request must not overwrite the state of newer answers.
      if (ticket === this.#sent) {
        this.state = state;
        this.failure = null;
      }
    } catch (e) {
      if (ticket === this.#sent) this.failure = errorMessage(e);
    }
  }
}

// Reading the engine's state for the wizard: which steps show, where the clerk is, which steps can be
// jumped to, and the errors of a step for its summary. Everything here is read from the desk's answer;
// no rule of the form is evaluated.
import type { DraftInfo, FormState, ItemState, StepState } from './types';

/** The id the desk uses for the review, after the last step. */
export const REVIEW = 'review';

/** A step in the step bar. */
export interface StepLink {
  id: string;
  title: string;
  /** 1-based position among the visible steps. */
  number: number;
  current: boolean;
  /** Visited before: the clerk can jump there. */
  reachable: boolean;
  /** The step's errors show already, and it has some. */
  flagged: boolean;
}

/** The steps the engine shows. */
export function visibleSteps(state: FormState): StepState[] {
  return state.steps.filter((s) => s.visible);
}

/** The step bar: every visible step, the current one marked, the visited ones reachable. */
export function stepLinks(draft: DraftInfo, state: FormState): StepLink[] {
  return visibleSteps(state).map((s, i) => ({
    id: s.id,
    title: s.title,
    number: i + 1,
    current: s.id === draft.step,
    reachable: draft.visited.includes(s.id) && s.id !== draft.step,
    flagged: draft.checked.includes(s.id) && s.errorCount > 0,
  }));
}

/** Whether the review can be opened: every visible step was visited. */
export function reviewReachable(draft: DraftInfo, state: FormState): boolean {
  return visibleSteps(state).every((s) => draft.visited.includes(s.id));
}

/** The current step, or `undefined` during the review or when a change hid it. */
export function currentStep(draft: DraftInfo, state: FormState): StepState | undefined {
  return visibleSteps(state).find((s) => s.id === draft.step);
}

/** One error in a step's summary. */
export interface StepError {
  path: string;
  label: string;
  message: string;
}

/**
 * The errors of the visible items of `step`, in form order, each with a label the clerk can find on screen
 * ("Hund 2 – Rasse"). `itemLabel` names an instance when its group has no instance label.
 */
export function stepErrors(step: StepState, fallbackItemLabel: string): StepError[] {
  const out: StepError[] = [];
  const walk = (items: readonly ItemState[], prefix: string) => {
    for (const item of items) {
      if (!item.visible) continue;
      const label = `${prefix}${item.label ?? ''}`;
      for (const e of item.errors ?? []) out.push({ path: item.path, label, message: e.message });
      walk(item.items ?? [], prefix);
      (item.instances ?? []).forEach((instance, i) => {
        walk(instance, `${prefix}${item.repeat?.itemLabel ?? fallbackItemLabel} ${i + 1} – `);
      });
    }
  };
  walk(step.items, '');
  return out;
}

/** Whether `step` is the last visible step, so that "Weiter" leads to the review. */
export function isLastStep(state: FormState, stepId: string): boolean {
  return visibleSteps(state).at(-1)?.id === stepId;
}

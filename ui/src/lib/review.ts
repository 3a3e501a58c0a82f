// The review's lines, grouped for the screen: the lines of an instance of a repeat group ("Hund 2") under
// their heading, everything else on its own. The desk sends one flat list per step; headings are lines
// with `heading: true`, and the lines of an instance have paths inside it (`hunde[1].rasse`).
import type { FormState, ItemState, ReviewItem } from './types';

/** Lines under one heading, or under none. */
export interface ReviewGroup {
  heading: ReviewItem | null;
  rows: ReviewItem[];
}

/** Groups a step's review lines by the instance headings among them. */
export function groupReviewItems(items: readonly ReviewItem[]): ReviewGroup[] {
  const groups: ReviewGroup[] = [];
  let current: ReviewGroup | null = null;
  for (const item of items) {
    if (item.heading) {
      current = { heading: item, rows: [] };
      groups.push(current);
      continue;
    }
    const inside = current?.heading && item.path.startsWith(`${current.heading.path}.`);
    if (!inside) {
      if (current === null || current.heading !== null) {
        current = { heading: null, rows: [] };
        groups.push(current);
      }
    }
    current!.rows.push(item);
  }
  return groups;
}

/** Whether a review line needs the clerk's attention: required and empty, or wrong. */
export function needsAttention(item: ReviewItem): boolean {
  return item.missing || item.error !== null;
}

/** The paths of the computed items in `state`: the review offers no "Ändern" for them. */
export function computedPaths(state: FormState): Set<string> {
  const out = new Set<string>();
  const walk = (items: readonly ItemState[]) => {
    for (const item of items) {
      if (item.kind === 'computed') out.add(item.path);
      walk(item.items ?? []);
      for (const instance of item.instances ?? []) walk(instance);
    }
  };
  for (const step of state.steps) walk(step.items);
  return out;
}

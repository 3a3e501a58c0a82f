// The review's lines, grouped for the screen: the lines of an instance of a repeat group ("Hund 2") under
// their heading, everything else on its own. The desk sends one flat list per step; headings are lines
// with `heading: true`, and the lines of an instance have paths inside it (`hunde[1].rasse`). An instance
// inside another ("Haushaltsmitglied 1 › Einkommen 2", `haushalt[0].einkommen[1]`) follows the heading of the
// one it stands in; lines of the outer instance after it come under the outer heading again.
import type { FormState, ItemState, ReviewItem } from './types';

/** Lines under one heading, or under none; `depth` counts the instances the heading stands in. */
export interface ReviewGroup {
  heading: ReviewItem | null;
  depth: number;
  rows: ReviewItem[];
}

/** Whether the line at `path` stands inside the instance of `heading`. */
function within(heading: ReviewItem, path: string): boolean {
  return path.startsWith(`${heading.path}.`);
}

/** Groups a step's review lines by the instance headings among them. */
export function groupReviewItems(items: readonly ReviewItem[]): ReviewGroup[] {
  const groups: ReviewGroup[] = [];
  // The headings of the instances the current line stands in, outermost first.
  const open: ReviewItem[] = [];
  let current: ReviewGroup | null = null;
  for (const item of items) {
    for (let top = open.at(-1); top && !within(top, item.path); top = open.at(-1)) open.pop();
    if (item.heading) {
      current = { heading: item, depth: open.length, rows: [] };
      groups.push(current);
      open.push(item);
      continue;
    }
    const heading = open.at(-1) ?? null;
    if (current === null || current.heading !== heading) {
      current = { heading, depth: Math.max(open.length - 1, 0), rows: [] };
      groups.push(current);
    }
    current.rows.push(item);
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

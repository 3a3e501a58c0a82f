// Element ids for the engine's item paths: `hunde[1].rasse` is `f-hunde-1-rasse`.
/** The id of the input for the item at `path`, usable in `for` and `aria-describedby`. */
export function inputId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

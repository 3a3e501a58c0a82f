// Element ids for the engine's item paths: `hunde[1].rasse` is `f-hunde-1-rasse`.
/** The id of the input for the item at `path`, usable in `for` and `aria-describedby`. */
export function inputId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/**
 * The path of the newest instance of the repeat group at `group` among `paths` (the instances on screen, in
 * order): `hunde[2]` of `hunde`, never one of an instance nested in it (`haushalt[0].einkommen[1]`).
 */
export function newestInstance(paths: readonly string[], group: string): string | undefined {
  return paths.filter((p) => p.startsWith(`${group}[`) && /^\[\d+\]$/.test(p.slice(group.length))).at(-1);
}

// The list of installed forms: filtering by what the clerk types.
import type { FormSummary } from './types';

/** Lower case without diacritics, so that "hundeanmeldung" finds "Hundeanmeldung" and "strasse" "Straße". */
export function fold(text: string): string {
  return text.toLocaleLowerCase('de-DE').replaceAll('ß', 'ss').normalize('NFD').replace(/\p{M}/gu, '');
}

/** The forms whose title, description or id contain every word of `query`. */
export function filterForms(forms: readonly FormSummary[], query: string): FormSummary[] {
  const words = fold(query).split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...forms];
  return forms.filter((form) => {
    const haystack = fold(`${form.title} ${form.description ?? ''} ${form.id}`);
    return words.every((w) => haystack.includes(w));
  });
}

/** The id of the input for the item at `path`, usable in `for` and `aria-describedby`. */
export function inputId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

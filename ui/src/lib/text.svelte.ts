// The interface language the clerk chose, and `t`, which every component uses for its texts. Reading
// `t(...)` in a template makes the template follow a change of language.
import { getContext, setContext } from 'svelte';
import { isIpcError } from './api';
import { applyDocument, clerkDocument } from './direction';
import { frameLang, messagesFor, type FrameLang, type Messages, type MessageArgs, type UiLang } from './i18n';
import { SOURCES } from './locales';

const cache = new Map<FrameLang, Messages>();

function messages(lang: FrameLang): Messages {
  let m = cache.get(lang);
  if (!m) {
    m = messagesFor(lang, SOURCES);
    cache.set(lang, m);
  }
  return m;
}

/**
 * The interface's language: German at every start. A desk is shared, and the next clerk should not find it
 * in another language; nothing about the choice is stored.
 */
export const ui: { lang: UiLang } = $state({ lang: 'de' });

/** The interface text `id` in the interface's language. */
export function t(id: string, args?: MessageArgs): string {
  return messages(ui.lang).format(id, args);
}

/** Switches the interface to `lang` until the app closes. */
export function setUiLang(lang: UiLang): void {
  ui.lang = lang;
  applyDocument(document.documentElement, clerkDocument(lang));
}

/**
 * Texts in one language, for the components that draw a form's items: the clerk's window gives them the
 * interface's language, the citizen's window the citizen's (see `provideTexts`). `lang` is for the `lang`
 * attribute of what shows them.
 */
export interface Texts {
  readonly lang: FrameLang;
  t(id: string, args?: MessageArgs): string;
}

/** The interface's texts, following the clerk's choice of language. */
const clerkTexts: Texts = {
  get lang() {
    return ui.lang;
  },
  t,
};

/**
 * Texts for a citizen who reads `lang()` (a form's language code, read anew on each use so that it can
 * follow the clerk's choice): that language where there is a message file for it, else the interface's.
 */
export function citizenTexts(lang: () => string): Texts {
  const current = (): FrameLang => frameLang(lang(), ui.lang);
  return {
    get lang() {
      return current();
    },
    t: (id, args) => messages(current()).format(id, args),
  };
}

const TEXTS = Symbol('texts');

/** Makes `texts` the texts of every form item inside the calling component. */
export function provideTexts(texts: Texts): void {
  setContext(TEXTS, texts);
}

/** The texts a form item shows: those provided by an enclosing component, else the interface's. */
export function itemTexts(): Texts {
  return getContext<Texts | undefined>(TEXTS) ?? clerkTexts;
}

/** A message for the clerk about a failed command: the desk's own message, or a general one. */
export function problem(error: unknown): string {
  if (isIpcError(error)) return error.message;
  // Not one of the desk's errors: the web view's or Tauri's own text, in English. It goes to the console for
  // the support; the clerk reads our sentence.
  console.error(error);
  return t('error-unexpected');
}

// The interface language the clerk chose, and `t`, which every component uses for its texts. Reading
// `t(...)` in a template makes the template follow a change of language.
import de from '../locales/de.ftl?raw';
import en from '../locales/en.ftl?raw';
import { isIpcError } from './api';
import { messagesFor, type Messages, type MessageArgs, type UiLang } from './i18n';

const SOURCES: Readonly<Record<UiLang, string>> = { de, en };

const cache = new Map<UiLang, Messages>();

function messages(lang: UiLang): Messages {
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
  document.documentElement.lang = lang;
}

/** A message for the clerk about a failed command: the desk's own message, or a general one. */
export function problem(error: unknown): string {
  if (isIpcError(error)) return error.message;
  return t('error-unexpected', { detail: String(error) });
}

// The interface's own texts, looked up in Fluent message files (ui/src/locales/*.ftl). German is the
// default and the fallback: a message missing in another language shows in German, and one missing
// everywhere shows its id, so a gap is visible instead of an empty button.
//
// The clerk's interface is German or English. The form's texts (labels, help, the engine's messages) come
// from the form definition in the citizen's language; the few texts around a form on the citizen's screen
// (progress, address parts, yes and no, …) come from here in the citizen's language where there is a file
// for it (`FRAME_LANGS`), so that a Turkish citizen does not read "Schritt 1 von 3".
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import { locale } from './format';

/** The languages of the interface. */
export const UI_LANGS = ['de', 'en'] as const;

/** A language of the interface. */
export type UiLang = (typeof UI_LANGS)[number];

/**
 * The languages of the texts around a form: those of the interface and those only the citizen's screen
 * needs. A file for such a language holds the texts that a form's items and the citizen's screen show.
 */
export const FRAME_LANGS = [...UI_LANGS, 'tr'] as const;

/** A language of the texts around a form. */
export type FrameLang = (typeof FRAME_LANGS)[number];

/** The arguments of a message. */
export type MessageArgs = Record<string, FluentVariable>;

/**
 * The language of the texts around a form shown to a citizen who reads `lang`: that language, or the one
 * it is a variant of (`de-x-ls`, Leichte Sprache, gets German), or `fallback` for a language without a file.
 */
export function frameLang(lang: string, fallback: FrameLang): FrameLang {
  const known = (l: string): l is FrameLang => (FRAME_LANGS as readonly string[]).includes(l);
  if (known(lang)) return lang;
  const base = lang.split('-')[0] ?? lang;
  return known(base) ? base : fallback;
}

/** Whether `lang` is a language of the interface. */
export function isUiLang(lang: unknown): lang is UiLang {
  return typeof lang === 'string' && (UI_LANGS as readonly string[]).includes(lang);
}

/** The ids of the messages (and terms) that the Fluent file `source` declares, as written in it. */
export function declaredIds(source: string): string[] {
  return [...source.matchAll(/^(-?[a-zA-Z][\w-]*)\s*=/gm)].map((m) => m[1] ?? '');
}

/**
 * A bundle of the messages in `source` for `lang`. Fluent's runtime parser skips an entry it cannot read;
 * here a message declared in the file but lost that way is an error, as is a message declared twice.
 */
export function bundleOf(lang: string, source: string): FluentBundle {
  // No Unicode isolation marks around placeables: all these languages run left to right, and the marks
  // would end up in copied text and in the texts tests look for.
  const bundle = new FluentBundle(locale(lang), { useIsolating: false });
  const resource = new FluentResource(source);
  const parsed = new Set(resource.body.map((entry) => entry.id));
  const lost = declaredIds(source).filter((id) => !parsed.has(id));
  const errors = [...lost.map((id) => `„${id}“ ist nicht lesbar`), ...bundle.addResource(resource).map(String)];
  if (errors.length > 0) throw new Error(`Fehler in den Texten für „${lang}“: ${errors.join('; ')}`);
  return bundle;
}

/** Messages in one language, with the ones of later bundles as fallback. */
export class Messages {
  readonly #bundles: readonly FluentBundle[];

  constructor(bundles: readonly FluentBundle[]) {
    this.#bundles = bundles;
  }

  /** Whether some bundle has the message `id`. */
  has(id: string): boolean {
    return this.#bundles.some((b) => b.getMessage(id)?.value != null);
  }

  /** The message `id` with `args`, from the first bundle that has it; the id itself if none has. */
  format(id: string, args?: MessageArgs): string {
    for (const bundle of this.#bundles) {
      const message = bundle.getMessage(id);
      if (message?.value == null) continue;
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, args ?? null, errors);
      // A missing argument leaves its name in braces; the text is still the best there is.
      return text;
    }
    return id;
  }
}

/** The messages for `lang` from `sources`, the message files by language, falling back to German. */
export function messagesFor(lang: FrameLang, sources: Readonly<Record<FrameLang, string>>): Messages {
  const chain: FrameLang[] = lang === 'de' ? ['de'] : [lang, 'de'];
  return new Messages(chain.map((l) => bundleOf(l, sources[l])));
}

// The interface's own texts, looked up in Fluent message files (ui/src/locales/*.ftl). German is the
// default and the fallback: a message missing in another language shows in German, and one missing
// everywhere shows its id, so a gap is visible instead of an empty button.
//
// The clerk's interface is German or English. The form's texts (labels, help, the engine's messages) come
// from the form definition in the citizen's language; the few texts around a form on the citizen's screen
// (progress, address parts, yes and no, …) come from here in the citizen's language where there is a file
// for it (`FRAME_LANGS`), so that a Ukrainian citizen does not read "Schritt 1 von 3".
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import { locale } from './format';
import { textDirection } from './languages';

/** The languages of the interface. */
export const UI_LANGS = ['de', 'en'] as const;

/** A language of the interface. */
export type UiLang = (typeof UI_LANGS)[number];

/**
 * The languages only the citizen's screen needs: Turkish, Ukrainian, Arabic, Russian and Leichte Sprache
 * (`de-x-ls`, easy-read German). The file of such a language holds exactly the texts that a form's items and
 * the citizen's screen look up (`tx.t(…)`), which `frame-texts.test.ts` checks; every other message falls
 * back to German.
 */
export const CITIZEN_LANGS = ['tr', 'uk', 'ar', 'ru', 'de-x-ls'] as const;

/** The languages of the texts around a form: those of the interface and the citizens' own. */
export const FRAME_LANGS = [...UI_LANGS, ...CITIZEN_LANGS] as const;

/** A language of the texts around a form. */
export type FrameLang = (typeof FRAME_LANGS)[number];

/** The arguments of a message. */
export type MessageArgs = Record<string, FluentVariable>;

/**
 * The language of the texts around a form shown to a citizen who reads `lang`: that language, or the one
 * it is a variant of (`en-US` gets English), or `fallback` for a language without a file.
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
 * The variables (`{ $name }`) that each message and term of the Fluent file `source` uses, in its text, in a
 * variant or to select one, by id.
 */
export function variablesOf(source: string): Map<string, Set<string>> {
  const byId = new Map<string, Set<string>>();
  for (const entry of new FluentResource(source).body) {
    const names = new Set<string>();
    // The parsed pattern is a tree of strings, arrays and expression objects; a variable is `{type: 'var'}`.
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
      } else if (node !== null && typeof node === 'object') {
        const expression = node as { type?: unknown; name?: unknown };
        if (expression.type === 'var' && typeof expression.name === 'string') names.add(expression.name);
        Object.values(node).forEach(visit);
      }
    };
    visit(entry.value);
    visit(entry.attributes);
    byId.set(entry.id, names);
  }
  return byId;
}

/**
 * A bundle of the messages in `source` for `lang`. Fluent's runtime parser skips an entry it cannot read;
 * here a message declared in the file but lost that way is an error, as is a message declared twice.
 */
export function bundleOf(lang: string, source: string): FluentBundle {
  // Unicode isolation marks around placeables only where the text runs right to left: there a number or a
  // Latin name inside an Arabic sentence must not reorder the words around it. In left-to-right texts they
  // would only end up in copied text and in the texts tests look for.
  const bundle = new FluentBundle(pluralLocale(lang), { useIsolating: textDirection(lang) === 'rtl' });
  const resource = new FluentResource(source);
  const parsed = new Set(resource.body.map((entry) => entry.id));
  const lost = declaredIds(source).filter((id) => !parsed.has(id));
  const errors = [...lost.map((id) => `„${id}“ ist nicht lesbar`), ...bundle.addResource(resource).map(String)];
  if (errors.length > 0) throw new Error(`Fehler in den Texten für „${lang}“: ${errors.join('; ')}`);
  return bundle;
}

/**
 * The locale whose plural rules a language's messages select by: the language itself for the citizens'
 * languages (Arabic has six plural forms, Ukrainian and Russian four), the formatting locale otherwise.
 * Numbers inside a message are formatted by it too, in Western digits, as the form's own texts write them.
 */
function pluralLocale(lang: string): string {
  if (lang === 'uk' || lang === 'ru') return lang;
  if (lang === 'ar') return 'ar-u-nu-latn';
  return locale(lang);
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

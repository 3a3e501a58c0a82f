// The message files, by language: German and English for the clerk's interface, and the citizens' own
// languages for the texts around a form on the citizen's screen (see `FRAME_LANGS` in i18n.ts).
import ar from '../locales/ar.ftl?raw';
import deLs from '../locales/de-x-ls.ftl?raw';
import de from '../locales/de.ftl?raw';
import en from '../locales/en.ftl?raw';
import ru from '../locales/ru.ftl?raw';
import tr from '../locales/tr.ftl?raw';
import uk from '../locales/uk.ftl?raw';
import type { FrameLang } from './i18n';

/** The Fluent source of each language of the texts. */
export const SOURCES: Readonly<Record<FrameLang, string>> = { de, en, tr, uk, ar, ru, 'de-x-ls': deLs };

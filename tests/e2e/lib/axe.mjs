// axe-core in a page driven over WebDriver, for the desk's web view and the console in Chromium alike.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The axe-core tags checked: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const require = createRequire(import.meta.url);
let axeSource = null;

/**
 * Runs axe-core's WCAG 2.0/2.1 A and AA rules on the current page and returns its violations.
 *
 * The page's CSP stays in force for this (the desk: `script-src 'self'`; the console: no script at all). axe's
 * source goes in as the body of a WebDriver "execute script" call, which the driver (WebKitWebDriver,
 * chromedriver) evaluates as automation without asking the CSP; a `<script>` element with the same text
 * would be refused. The code it runs is still the page's, so `eval` or `new Function` inside it would be
 * blocked (tried: "Refused to evaluate a string as JavaScript"); axe-core uses neither.
 */
export async function axe(browser) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const injected = await browser.execute(`${axeSource}\n;return typeof window.axe === 'object' && window.axe.version;`);
  if (!injected) throw new Error('axe-core could not be injected into the web view');
  const result = await browser.executeAsync((tags, done) => {
    window.axe
      .run(document, { runOnly: tags, resultTypes: ['violations'] })
      .then((r) => done({ violations: r.violations }))
      .catch((e) => done({ error: String(e?.stack ?? e) }));
  }, WCAG_TAGS);
  if (result.error) throw new Error(`axe.run failed in the web view: ${result.error}`);
  return result.violations;
}

/** A readable list of `violations`: rule, impact, what to do, and the first elements affected. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 3)
        .map((n) => `    at ${n.target.join(' ')}: ${n.html.slice(0, 160)}`)
        .join('\n');
      const more = v.nodes.length > 3 ? `\n    … and ${v.nodes.length - 3} more` : '';
      return `- ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]\n${nodes}${more}`;
    })
    .join('\n');
}

/** Fails when axe found any violation of impact "serious" or "critical", listing each one. */
export function assertNoSeriousViolations(violations) {
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    throw new Error(
      `axe found ${serious.length} serious or critical accessibility violation(s):\n${describeViolations(serious)}`,
    );
  }
}

// Benchmark: from a keystroke in a field to the engine's validation message on the screen.
//
// Opens the Hundeanmeldung in the app named by FORMDESK_BIN (`cargo xtask bench app` passes the release
// build), types a valid birth date into "Geburtsdatum" and leaves the field, so that its errors show. Then,
// KEYSTROKES times, alternately Backspace ("15.03.198": an error) and "5" ("15.03.1985": none). Each
// keystroke goes from the web view's input event through the desk and the engine and back; the page notes
//   - keyToInput: from the keydown handler to the input event,
//   - dom:        from the input event to the moment the field's message changed in the DOM,
//   - paint:      from the input event to the end of the next frame's rendering (a task queued from
//                 requestAnimationFrame runs after that frame has been painted),
//   - keyToPaint: from the keydown handler to that same moment.
// Prints one JSON line: the percentiles of each in milliseconds.
//
// Non-goals: asserting anything about speed; the figures go to docs/benchmarks.md.

import { Key } from 'webdriverio';
import { launch } from '../lib/app.mjs';
import { field, fill, heading } from '../lib/query.mjs';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 200);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

// APP_ARGS: more arguments for the app, e.g. "--software-drawing".
const extra = (process.env.APP_ARGS ?? '').split(' ').filter(Boolean);
const app = await launch({ name: 'bench-keystroke', args: ['--open', 'hundeanmeldung', ...extra] });
try {
  const { browser } = app;
  await heading(browser, 'Halterin oder Halter').waitForDisplayed();
  await fill(browser, 'Geburtsdatum', '15.03.1985');
  const input = await field(browser, 'Geburtsdatum');
  await input.click();
  await browser.keys(Key.End);

  const installed = await browser.execute((el) => {
    const messages = el.closest('[data-path]')?.querySelector('.errors');
    if (!messages) return false;
    const w = window;
    w.benchSamples = [];
    let keydown = null;
    let input = null;
    el.addEventListener('keydown', () => (keydown = performance.now()), { capture: true });
    el.addEventListener('input', () => (input = performance.now()), { capture: true });
    new MutationObserver(() => {
      if (keydown === null || input === null) return;
      const [key, typed, changed] = [keydown, input, performance.now()];
      keydown = input = null;
      requestAnimationFrame(() =>
        setTimeout(() => {
          const painted = performance.now();
          w.benchSamples.push({ keyToInput: typed - key, dom: changed - typed, paint: painted - typed, keyToPaint: painted - key });
        }),
      );
    }).observe(messages, { childList: true, subtree: true, characterData: true });
    return true;
  }, input);
  if (!installed) throw new Error('the field "Geburtsdatum" has no message area to watch');

  for (let i = 0; i < KEYSTROKES; i++) {
    await browser.keys(i % 2 === 0 ? Key.Backspace : '5');
    await browser.waitUntil(async () => (await browser.execute(() => window.benchSamples.length)) > i, {
      timeout: 5000,
      interval: 5,
      timeoutMsg: `keystroke ${i + 1} changed no message`,
    });
  }
  const samples = await browser.execute(() => window.benchSamples);
  console.log(
    JSON.stringify(Object.fromEntries(Object.keys(samples[0]).map((k) => [k, summary(samples.map((s) => s[k]))]))),
  );
} finally {
  await app.close();
}

// Benchmark: from a keystroke in a field to the engine's validation message on the screen.
//
// Opens the Hundeanmeldung in the app named by FORMDESK_BIN (`cargo xtask bench app` passes the release
// build), types a valid birth date into "Geburtsdatum" and leaves the field, so that its errors show. Then,
// KEYSTROKES times, 100 ms apart, alternately Backspace ("15.03.198": an error) and "5" ("15.03.1985": none). Each
// keystroke goes from the web view's input event through the desk and the engine and back; the page notes
//   - keyToInput: from the keydown handler to the input event,
//   - dom:        from the input event to the moment the field's message changed in the DOM,
//   - paint:      from the input event to the end of the next frame's rendering (a task queued from
//                 requestAnimationFrame runs after that frame has been painted),
//   - frameStart: from the input event to the start of the frame that paints the message (its
//                 requestAnimationFrame callbacks), render: from there to the end of that frame,
//   - keyToPaint: from the keydown handler to that same moment,
//   - sent:       from the input event to the `set_answer` request leaving the page (Tauri's fetch),
//   - ipc:        from that request to its answer in the page, i.e. the round trip through the desk;
//   - sameFrame:  whether the message was in the DOM before the first frame after the input event began
//                 (its requestAnimationFrame callbacks), so that the typed character and the message were
//                 painted in the same frame; otherwise the message came one frame later.
// Prints one JSON line: the percentiles of each in milliseconds, `sameFrame` as the share of keystrokes,
// and `memory`: PSS and RSS in MiB of the app and every process it started (WebKit's web and network
// processes) with the form open, after typing.
//
// Non-goals: asserting anything about speed; the figures go to docs/benchmarks.md.

import { setTimeout as delay } from 'node:timers/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { Key } from 'webdriverio';
import { launch } from '../lib/app.mjs';
import { field, fill, heading } from '../lib/query.mjs';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 200);
/** The rest before each keystroke. */
const PAUSE_MS = 100;

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

/** `pid` and its descendants, from /proc. */
function processTree(root) {
  const parents = new Map();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  }
  return tree;
}

/** PSS and RSS in MiB of the app running with data directory `dataDir` and of its child processes. */
function memory(dataDir) {
  const app = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .find((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.includes('--data-dir') && args.includes(dataDir);
      } catch {
        return false;
      }
    });
  if (app === undefined) throw new Error(`no app process with the data directory ${dataDir}`);
  const mib = (kib) => Math.round((kib / 1024) * 10) / 10;
  const processes = processTree(Number(app)).flatMap((pid) => {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
      return [{ name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), pss: field('Pss'), rss: field('Rss') }];
    } catch {
      return [];
    }
  });
  const total = (key) => mib(processes.reduce((sum, p) => sum + p[key], 0));
  return {
    pss: total('pss'),
    rss: total('rss'),
    processes: processes.map((p) => ({ name: p.name, pss: mib(p.pss), rss: mib(p.rss) })),
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
    // The newest set_answer request: when it left and when its answer came back.
    let sent = null;
    let answered = null;
    const fetch = w.fetch;
    w.fetch = (resource, init) => {
      if (!String(resource).endsWith('/set_answer')) return fetch(resource, init);
      const start = performance.now();
      return fetch(resource, init).then((response) => {
        [sent, answered] = [start, performance.now()];
        return response;
      });
    };
    el.addEventListener('keydown', () => (keydown = performance.now()), { capture: true });
    // When the first frame after the newest input event began; null until it has.
    let firstFrame = null;
    el.addEventListener(
      'input',
      () => {
        const at = performance.now();
        input = at;
        firstFrame = null;
        requestAnimationFrame(() => {
          if (input === at) firstFrame = performance.now();
        });
      },
      { capture: true },
    );
    new MutationObserver(() => {
      if (keydown === null || input === null) return;
      const [key, typed, changed] = [keydown, input, performance.now()];
      const sameFrame = firstFrame === null;
      const ipc = sent !== null && sent >= typed ? { sent: sent - typed, ipc: answered - sent } : null;
      keydown = input = sent = answered = null;
      requestAnimationFrame(() => {
        const frame = performance.now();
        setTimeout(() => {
          const painted = performance.now();
          w.benchSamples.push({
            keyToInput: typed - key,
            dom: changed - typed,
            frameStart: frame - typed,
            render: painted - frame,
            paint: painted - typed,
            keyToPaint: painted - key,
            sameFrame,
            ...ipc,
          });
        });
      });
    }).observe(messages, { childList: true, subtree: true, characterData: true });
    return true;
  }, input);
  if (!installed) throw new Error('the field "Geburtsdatum" has no message area to watch');

  for (let i = 0; i < KEYSTROKES; i++) {
    // A clerk types a few keys a second; each keystroke starts with the app at rest.
    await delay(PAUSE_MS);
    await browser.keys(i % 2 === 0 ? Key.Backspace : '5');
    // Waits inside the page: asking through the driver every few milliseconds would keep the app's
    // processes busy with the driver's requests while they are being measured.
    const arrived = await browser.executeAsync((n, done) => {
      const until = performance.now() + 5000;
      const check = () => {
        if (window.benchSamples.length > n) done(true);
        else if (performance.now() > until) done(false);
        else setTimeout(check, 10);
      };
      check();
    }, i);
    if (!arrived) throw new Error(`keystroke ${i + 1} changed no message`);
  }
  const samples = await browser.execute(() => window.benchSamples);
  const used = memory(app.desk.data);
  console.log(
    JSON.stringify(
      Object.fromEntries(
        ['keyToInput', 'dom', 'frameStart', 'render', 'paint', 'keyToPaint', 'sent', 'ipc'].map((k) => [
          k,
          summary(samples.map((s) => s[k]).filter((v) => v !== undefined)),
        ]).concat([
          ['sameFrame', Math.round((100 * samples.filter((s) => s.sameFrame).length) / samples.length) / 100],
          ['memory', used],
        ]),
      ),
    ),
  );
} finally {
  await app.close();
}

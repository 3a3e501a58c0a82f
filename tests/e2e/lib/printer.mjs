// A printer for the app's "Drucken" that keeps what it is given: an `lp` first on the app's PATH that takes
// `lp -t TITLE -` with the PDF on its standard input and keeps it as a file. The file appears whole (written
// beside it, then renamed), so a test that sees it can read it at once.

import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes the printer in folder `dir` (created); returns the environment for `launch` and a function that
 * waits until a print job arrived and gives its PDF's path.
 */
export function keepingPrinter(dir) {
  const pdf = join(dir, 'printed.pdf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lp'), `#!/bin/sh\ncat > '${pdf}.part' && mv '${pdf}.part' '${pdf}'\n`);
  chmodSync(join(dir, 'lp'), 0o755);
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    /** Waits until the printed PDF is there, as `browser` waits; its path. */
    async printed(browser) {
      await browser.waitUntil(async () => existsSync(pdf), { timeoutMsg: 'nothing reached the printer' });
      return pdf;
    },
  };
}

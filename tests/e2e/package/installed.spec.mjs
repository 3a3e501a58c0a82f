// The desk app as an IT department installs it: the package test of `cargo xtask test` installs the .deb and
// runs this file with FORMDESK_BIN=/usr/bin/formdesk and FORMDESK_INSTALLED_HOME, a home folder of its own.
// The installed app opens its window at the setup screen, and a desk is set up in the app's default data
// folder; the package test then removes the package and checks that the data stays.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { APP_BINARY, assertNoSeriousViolations, axe, launch, setUp, shot } from '../lib/app.mjs';
import { field } from '../lib/query.mjs';

const home = process.env.FORMDESK_INSTALLED_HOME;

test('the installed app opens its window at the setup screen and sets a desk up', async () => {
  assert.ok(home, 'FORMDESK_INSTALLED_HOME is not set: this file runs from `cargo xtask test package`');
  assert.equal(APP_BINARY, '/usr/bin/formdesk', 'FORMDESK_BIN must name the installed app');
  const desk = { root: home, data: null, home };
  const app = await launch({ name: 'installed', desk, access: 'none' });
  try {
    const title = app.browser.$(`//h2[normalize-space(.) = 'Formdesk einrichten']`);
    await title.waitForDisplayed({ timeout: 30_000 });
    await shot(app.browser, 'installed-01-setup');
    assertNoSeriousViolations(await axe(app.browser));
    await setUp(app.browser);
    // The start screen, with the forms built into the app.
    await (await field(app.browser, 'Leistung suchen')).waitForDisplayed();
    await shot(app.browser, 'installed-02-start');
  } finally {
    await app.close();
  }
  const vault = join(home, 'data', 'de.formdesk.desk', 'vault.sqlite3');
  assert.ok(existsSync(vault), `the installed app kept no vault in its default folder ${vault}`);
});

// The real `formdesk-portal` for the specs: its administrators' commands on a data folder, and `serve`.

import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './app.mjs';

export const PORTAL = process.env.FORMDESK_PORTAL_BIN ?? join(REPO, 'target', 'debug', 'formdesk-portal');

/** The regional key (ARS) of the one municipality the specs' portal serves. */
export const ARS = '059580000000';

/**
 * The administrators' commands on the portal data folder `dataDir`: each returns what it printed. The portal
 * serves one municipality (tenant `ARS`, added before the first command), so no command needs `--tenant`.
 */
export function adminOf(dataDir) {
  const run = (...args) => execFileSync(PORTAL, [...args, '--data-dir', dataDir], { encoding: 'utf8' });
  let tenant = false;
  return (...args) => {
    if (!tenant) {
      if (/^0 tenant\(s\)$/m.test(run('tenants', 'list'))) run('tenants', 'add', '--ars', ARS, '--name', 'Gemeinde Musterstadt');
      tenant = true;
    }
    return run(...args);
  };
}

/** Starts `formdesk-portal serve` with `args`; resolves with the process and its address once it listens. */
export function serve(args) {
  const child = spawn(PORTAL, ['serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the portal did not start: ${seen}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const found = /listening on (https?:\/\/\S+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve({ child, url: found[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`the portal exited with ${code}: ${seen}`)));
  });
}

/** Stops a portal and waits until it has exited. */
export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The one-time code in what `devices enrol` printed. */
export function enrolmentCode(printed) {
  const code = /^code\s+(\S+)$/m.exec(printed)?.[1];
  if (!code) throw new Error(`no code in: ${printed}`);
  return code;
}

/**
 * doctor's text shows process names escaped: any user can name a process (argv[0], comm) with an
 * escape sequence or a newline, and root reading `doctor --user` must not get them raw on the
 * terminal, nor a table they break or misalign (src/formatters/terminal.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, scenario } from './helpers.js';

let mux: { root: string; cleanup: () => void };
const EVIL = 's\u001b[8m\nX';
beforeAll(() => {
  mux = scenario('mux');
  const proc = path.join(mux.root, 'proc');
  let renamed = 0;
  for (const pid of readdirSync(proc).filter((n) => /^\d+$/.test(n))) {
    const f = path.join(proc, pid, 'cmdline');
    let text: string;
    try { text = readFileSync(f, 'latin1'); } catch { continue; }
    if (!text.includes('[mux]')) continue;
    writeFileSync(f, `${EVIL}: /tmp/x [mux]\u0000`, 'latin1');
    try { writeFileSync(path.join(proc, pid, 'comm'), `${EVIL}\n`, 'latin1'); } catch { /* no comm in this snapshot */ }
    renamed++;
  }
  expect(renamed).toBeGreaterThan(0);
});
afterAll(() => mux.cleanup());

it('a process named with ESC and a newline is shown escaped, in one table row', () => {
  for (const colour of ['--no-color', '--color']) {
    const r = cli(['doctor', '--root', mux.root, '--user', 'admin', colour]);
    expect(r.stderr).toBe('');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f]|\u001b(?!\[(1|2|22|31|32|33|36|39)m)/);
    // eslint-disable-next-line no-control-regex
    const plain = r.stdout.replace(/\u001b\[\d+m/g, '');
    expect(plain).toMatch(/^ +\d+ × s\\x1b\[8m +\d+ proc {2}e\.g\. s\\x1b\[8m\\x0aX: \/tmp\/x \[mux\]$/m);
  }
});

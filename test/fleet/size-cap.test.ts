/**
 * The Ansible collection plans on the controller (src/fleet/plan-host.ts) and writes with its own
 * command, not through commitEdits: it refuses a change that would make a limits file larger
 * than limitsctl reads (ETOOLARGE, in check mode too), as the CLI and the library do. The cap is
 * lowered to 4 KiB here (the real one, 16 MiB, makes the host's od snapshot take most of a minute);
 * the tree reader and the planner both use the lowered value.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { taskIntent } from '../../src/core/fleet/params.js';
import { readScript } from '../../src/core/fleet/remote.js';
import { planHost, removeScratch } from '../../src/fleet/plan-host.js';
import { failure } from '../../src/fleet/server.js';

const CAP = 4096;
vi.mock('../../src/io/read.js', async (importOriginal) => ({ ...(await importOriginal<typeof import('../../src/io/read.js')>()), MAX_LIMITS_FILE_BYTES: 4096 }));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-fleet-cap-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  removeScratch();
});

function state(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      out.push(`${path.relative(root, p)} ${st.mode.toString(8)} ${st.mtimeMs} ${st.isFile() ? readFileSync(p, 'latin1') : ''}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

it('a set that would make limits.conf larger than the read cap is refused with ETOOLARGE, check mode too; nothing written', async () => {
  const root = path.join(tmp, 't');
  cpSync(path.resolve(__dirname, '../../fixtures/demo'), root, { recursive: true });
  const conf = path.join(root, 'etc/security/limits.conf');
  appendFileSync(conf, '#'.repeat(CAP - statSync(conf).size - 1) + '\n');
  expect(statSync(conf).size).toBe(CAP);
  const before = state(root);
  for (const check of [true, false]) {
    const read = spawnSync('/bin/sh', ['-c', readScript(root)], { encoding: 'latin1' });
    expect(read.status, read.stderr).toBe(0);
    const planned = await planHost(taskIntent({ root, user: 'admin', item: 'nofile', value: 4096 }), read.stdout, { check, diff: false }).then((x) => x, (e: unknown) => e);
    const res = failure(planned);
    expect(res.error_code, JSON.stringify(res)).toBe('ETOOLARGE');
    expect(res.msg).toMatch(new RegExp(`^refusing to write ${conf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: its new content would be \\d+ bytes, above limitsctl's 4096-byte cap for this file`));
    expect(state(root)).toEqual(before);
  }
});

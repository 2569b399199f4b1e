/**
 * `set` against the real module: on seeded random trees, plan a set for an account of the tree,
 * write the result, open a session with Debian's pam_limits.so, and check the module asks the
 * kernel for exactly the requested value. A change limitsctl refuses (another line would win)
 * is counted, not written.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planEdits } from '../../src/core/edit.js';
import { parseProcLimits } from '../../src/core/resolve.js';
import { itemInfo } from '../../src/core/schema.js';
import { convertToKernel, parseValue } from '../../src/core/values.js';
import { loadAccountDb } from '../../src/io/accounts.js';
import { loadTree } from '../../src/io/tree.js';
import { generateTree, writeTree } from './generate.js';
import { realModuleSkipReason, runRealModuleBatch, SHIM_DEFAULT_NR_OPEN } from './real-module.js';

const skipReason = await realModuleSkipReason();
if (skipReason) console.warn(`set-vs-real-module conformance skipped: ${skipReason}`);
const mustRun = process.env.LIMITSCTL_REQUIRE_REAL_MODULE === '1';

const ITEMS = ['nofile', 'nproc', 'core', 'stack', 'cpu', 'memlock', 'sigpending'] as const;
const VALUES = ['4096', 'unlimited', '100', '65536'] as const;
const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe.skipIf(skipReason !== null && !mustRun)('set, then the real pam_limits.so', () => {
  it('gives the requested value to the account on 150 random trees', async () => {
    expect(skipReason).toBeNull();
    const jobs: Array<{ dir: string; users: string[] }> = [];
    const expectations: Array<{ seed: number; user: string; resource: number; kernel: bigint; req: string; denied: boolean }> = [];
    let refused = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const gen = generateTree(seed);
      const dir = await mkdtemp(join(tmpdir(), 'limitsctl-setconf-'));
      dirs.push(dir);
      await writeTree(dir, gen);
      const tree = loadTree(dir, { profile: 'debian' });
      const db = loadAccountDb(dir);
      if (tree.failure || db.users.length === 0) { refused++; continue; }
      const user = db.users[seed % db.users.length]!;
      const item = ITEMS[seed % ITEMS.length]!;
      const value = VALUES[(seed >> 2) % VALUES.length]!;
      const nrOpen = gen.nrOpen && /^\d+/.test(gen.nrOpen) ? BigInt(gen.nrOpen.match(/^\d+/)![0]) : SHIM_DEFAULT_NR_OPEN;
      const plan = planEdits(tree, [{ op: 'set', domain: user.name, item, value, type: 'both' }], {
        accounts: db, nrOpen, pid1Limits: gen.pid1Limits === null ? null : parseProcLimits(gen.pid1Limits),
      });
      if (plan.blockers.some((b) => b.everyone)) { refused++; continue; }
      for (const c of plan.changes) writeFileSync(join(dir, c.path), Buffer.from(c.after, 'latin1'));
      const info = itemInfo(item)!;
      let kernel = convertToKernel(info, parseValue(info, value).number!);
      if (item === 'nofile' && value === 'unlimited') kernel = nrOpen;
      jobs.push({ dir, users: [user.name] });
      expectations.push({ seed, user: user.name, resource: info.rlimit!, kernel, req: `set ${item} ${value} --user ${user.name}`, denied: plan.warnings.some((w) => w.includes('denies the session')) });
    }
    const results = await runRealModuleBatch(jobs);
    const failures: string[] = [];
    results.forEach((perUser, i) => {
      const e = expectations[i]!;
      const r = perUser[0]!;
      const call = r.setrlimit.filter((c) => c.resource === e.resource).at(-1);
      // a session denied for another reason (maxlogins 0) must have been announced by the plan
      if (r.pamResultName !== (e.denied ? 'PAM_PERM_DENIED' : 'PAM_SUCCESS') || !call || call.soft !== e.kernel || call.hard !== e.kernel) {
        failures.push(`seed ${e.seed}: ${e.req}: module ${r.pamResultName} ${call ? `${call.soft}:${call.hard}` : 'no setrlimit'}, wanted ${e.kernel}`);
      }
    });
    expect(failures).toEqual([]);
    expect(expectations.length).toBeGreaterThan(80);
    console.log(`set conformance: ${expectations.length} changes checked against the real module, ${refused} refused or not applicable`);
  }, 300_000);
});

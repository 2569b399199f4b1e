/**
 * The semantic findings agree with the resolver. On seeded random trees (the conformance
 * generator's), for every profile, with and without the tree's accounts:
 * - a line reported as never winning (LC202 duplicate-entry, LC302 overridden-by-later-file,
 *   LC203 never-wins) never holds a final value in resolveLimits() for any account we try: the
 *   tree's own, and random hypothetical ones (any uid, gid and groups; an account named root has
 *   uid 0 unless the tree's etc/passwd says otherwise — the convention docs/rules.md states);
 * - removing a line LC202 offers to remove changes no account's result;
 * - no rule crashes (no LC900).
 * Reproduce with LIMITSCTL_LINT_SEED (first seed) and LIMITSCTL_LINT_TREES (how many).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type GroupRef, type Identity, identityFromDb } from '../../src/core/accounts.js';
import { lintTarget } from '../../src/core/lint/engine.js';
import type { ConfigTree, Reading } from '../../src/core/model.js';
import { parseBinary } from '../../src/core/parse.js';
import { type Resolution, resolveLimits } from '../../src/core/resolve.js';
import { RLIMIT_ITEMS } from '../../src/core/schema.js';
import { DISTINCT_PROFILES } from '../distinct-profiles.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { loadLintAccounts } from '../../src/io/lint-targets.js';
import { loadTree } from '../../src/io/tree.js';
import { formatTree, generateTree, writeTree } from '../conformance/generate.js';

const FIRST = Number(process.env.LIMITSCTL_LINT_SEED ?? 1);
const COUNT = Number(process.env.LIMITSCTL_LINT_TREES ?? 120);
const NEVER = new Set(['LC202', 'LC203', 'LC302']);

let tmp: string | null = null;
afterAll(async () => { if (tmp) await rm(tmp, { recursive: true, force: true }); });

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function finalSources(res: Resolution): Set<string> {
  const out = new Set<string>();
  if (!res.applied) return out;
  const add = (s: { file: string; line: number; chunk?: number } | null | undefined) => { if (s) out.add(`${s.file}\0${s.line}\0${s.chunk ?? 0}`); };
  for (const item of RLIMIT_ITEMS) { add(res.rlimits[item].soft.source); add(res.rlimits[item].hard.source); }
  add(res.logins.source); add(res.priority.source); add(res.nonewprivs.source); add(res.chroot?.source);
  return out;
}

function fingerprint(res: Resolution): string {
  if (!res.applied) return JSON.stringify({ r: res.result, a: false });
  return JSON.stringify({
    r: res.result, a: res.applied,
    l: RLIMIT_ITEMS.map((i) => res.rlimits[i].applied && [String(res.rlimits[i].applied!.soft), String(res.rlimits[i].applied!.hard)]),
    c: res.calls.setpriority, n: res.calls.nonewprivs, ch: res.calls.chroot, lg: [res.logins.value, res.logins.system, res.logins.group, res.logins.check],
  });
}

function domainNames(tree: ConfigTree): { users: string[]; groups: string[]; uids: number[] } {
  const users = new Set<string>();
  const groups = new Set<string>();
  const uids = new Set<number>([0, 1, 999, 1000, 1001, 65534, 4294967295]);
  for (const f of tree.files) for (const l of f.doc?.lines ?? []) for (const r of l.readings) {
    if (r.kind !== 'entry' && r.kind !== 'nolimit') continue;
    const d = r.domainSpec;
    if (d.kind === 'user') users.add(d.text);
    if (d.group) groups.add(d.group);
    const rg = d.range;
    if (rg.form === 'one' || rg.form === 'min' || rg.form === 'minmax') { uids.add(rg.min); uids.add(Math.max(0, rg.min - 1)); }
    if (rg.form === 'minmax') { uids.add(rg.max); uids.add(Math.min(4294967295, rg.max + 1)); }
  }
  return { users: [...users], groups: [...groups], uids: [...uids] };
}

function readingAt(tree: ConfigTree, file: string, offset: number): { key: string; r: Reading } | null {
  const f = tree.files.find((x) => x.path === file);
  if (!f?.doc) return null;
  for (const l of f.doc.lines) {
    if (offset < l.start || offset > l.end) continue;
    for (let i = 0; i < l.readings.length; i++) {
      const r = l.readings[i]!;
      if (offset >= r.span.start && offset <= r.span.end) return { key: `${file}\0${l.index + 1}\0${i}`, r };
    }
  }
  return null;
}

describe('semantic findings agree with the resolver', () => {
  it(`on ${COUNT} seeded trees from seed ${FIRST}, every profile, with and without accounts`, async () => {
    tmp = await mkdtemp(join(tmpdir(), 'limitsctl-lint-agree-'));
    let claims = 0;
    let fixesChecked = 0;
    for (let seed = FIRST; seed < FIRST + COUNT; seed++) {
      const gen = generateTree(seed);
      const dir = join(tmp, `t${seed}`);
      await writeTree(dir, gen);
      for (const profile of DISTINCT_PROFILES) {
        const tree = loadTree(dir, { profile });
        const accounts = loadLintAccounts(dir);
        const names = domainNames(tree);
        for (const withAccounts of [true, false]) {
          const acc = withAccounts ? accounts : null;
          const result = lintTarget({ tree, accounts: acc, nrOpen: 1048576n });
          const where = `seed ${seed}, ${profile}, ${withAccounts ? 'with' : 'without'} accounts`;
          const crashes = result.diagnostics.filter((d) => d.code === 'LC900');
          expect(crashes.map((d) => d.message), `${where}\n${formatTree(gen)}`).toEqual([]);
          const never = result.diagnostics.filter((d) => NEVER.has(d.code));
          if (never.length === 0) continue;
          // accounts to try: the tree's, plus random hypothetical ones
          const ids: Identity[] = [];
          const real = new Set<string>();
          if (acc) for (const u of acc.db.users) { const id = identityFromDb(acc.db, u.name); if (id) { ids.push(id); real.add(u.name); } }
          const rnd = rng(seed * 7 + profile.length);
          const groupPool: GroupRef[] = [
            ...(accounts?.db.groups ?? []).map((g) => ({ name: g.name, gid: g.gid })),
            ...names.groups.map((g, i) => ({ name: g, gid: 3_000_000 + i })),
          ];
          for (let i = 0; i < 60; i++) {
            const pool = [...names.users.filter((u) => !real.has(u)), 'someone-else', 'root'].filter((u) => !real.has(u));
            const name = pool[Math.floor(rnd() * pool.length)]!;
            const uid = name === 'root' ? 0 : names.uids[Math.floor(rnd() * names.uids.length)]!;
            const gid = rnd() < 0.5 ? names.uids[Math.floor(rnd() * names.uids.length)]! : Math.floor(rnd() * 5000);
            const groups = groupPool.filter(() => rnd() < 0.35);
            ids.push({ name, uid, gid, groups });
          }
          const claimed = new Map<string, string>();
          for (const d of never) {
            const at = readingAt(tree, d.file, d.offset!.start);
            expect(at, `${where}: ${d.file}:${d.line} ${d.code}`).not.toBeNull();
            claimed.set(at!.key, `${d.file}:${d.line} ${d.code} ${d.message}`);
          }
          claims += claimed.size;
          const before = new Map<Identity, string>();
          for (const id of ids) {
            const res = resolveLimits(tree, id, { profile, nrOpen: 1048576n });
            before.set(id, fingerprint(res));
            for (const k of finalSources(res)) {
              expect(claimed.has(k), `${where}: ${claimed.get(k)} — but it wins for ${JSON.stringify(id)}\n${formatTree(gen)}`).toBe(false);
            }
          }
          // removing a line LC202 offers to remove changes nothing
          for (const d of never.filter((x) => x.code === 'LC202' && x.fix)) {
            const f = tree.files.find((x) => x.path === d.file)!;
            const fixed = { ...tree, files: tree.files.map((x) => (x === f ? { ...x, doc: parseBinary(applyEdits(f.doc!.text, d.fix!), { file: f.path, profile }) } : x)) };
            for (const id of ids) {
              expect(fingerprint(resolveLimits(fixed, id, { profile, nrOpen: 1048576n })), `${where}: removing ${d.file}:${d.line} changes ${id.name}`).toBe(before.get(id));
            }
            fixesChecked++;
          }
        }
      }
    }
    console.log(`lint/resolver agreement: ${claims} "never wins" claims checked, ${fixesChecked} duplicate removals re-resolved`);
    expect(claims).toBeGreaterThan(0);
    // 120 trees × every distinct profile, each linted and re-resolved: about a minute of CPU
  }, 300_000);

  it('on dense random trees of few domains and items (many duplicates and overrides)', () => {
    const rnd = rng(4242);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const domains = ['alice', 'bob', 'root', '*', '@g', '@h', '@:10', '1000:', '0:', ':1001', '@1000:', '%g', '%'];
    const types = ['soft', 'hard', '-', '-', 'soft'];
    const items = ['nofile', 'nofile', 'nproc', 'maxlogins', 'maxsyslogins', 'priority', 'nonewprivs'];
    const values = ['5', '10', '100', 'unlimited', '-1', '0', '1'];
    const db = {
      users: [
        { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' },
        { name: 'alice', uid: 1000, gid: 1000, home: '/', shell: '/bin/sh' },
        { name: 'bob', uid: 1001, gid: 10, home: '/', shell: '/bin/sh' },
      ],
      groups: [{ name: 'root', gid: 0, members: [] }, { name: 'g', gid: 10, members: ['alice'] }, { name: 'h', gid: 11, members: ['root'] }],
    };
    let claims = 0;
    let removals = 0;
    for (let n = 0; n < 300; n++) {
      const files: string[][] = [[], []];
      const lines = 2 + Math.floor(rnd() * 10);
      for (let i = 0; i < lines; i++) {
        const f = files[rnd() < 0.6 ? 0 : 1]!;
        f.push(rnd() < 0.05 ? `${pick(domains)} -` : `${pick(domains)} ${pick(types)} ${pick(items)} ${pick(values)}`);
      }
      for (const profile of DISTINCT_PROFILES) {
        const tree: ConfigTree = {
          profile, ignored: [], failure: null,
          files: files.map((f, i) => {
            const path = i === 0 ? 'limits.conf' : 'limits.d/a.conf';
            return { path, role: i === 0 ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseBinary(f.map((l) => `${l}\n`).join(''), { file: path, profile }) };
          }),
        };
        for (const acc of [{ db, hasPasswd: true, hasGroup: true }, null]) {
          const result = lintTarget({ tree, accounts: acc });
          const text = files.map((f, i) => `--- ${i}\n${f.join('\n')}`).join('\n');
          expect(result.diagnostics.filter((d) => d.code === 'LC900').map((d) => d.message), text).toEqual([]);
          const never = result.diagnostics.filter((d) => NEVER.has(d.code));
          const claimed = new Map<string, string>();
          for (const d of never) claimed.set(readingAt(tree, d.file, d.offset!.start)!.key, `${d.file}:${d.line} ${d.code}`);
          claims += claimed.size;
          const ids: Identity[] = [
            ...db.users.map((u) => identityFromDb(db, u.name)!),
            { name: 'carol', uid: 1000, gid: 5, groups: [] },
            { name: 'dave', uid: 0, gid: 0, groups: [{ name: 'g', gid: 10 }] },
            { name: 'erin', uid: 5000, gid: 1000, groups: [{ name: 'g', gid: 10 }, { name: 'h', gid: 11 }] },
            { name: 'frank', uid: 1001, gid: 20, groups: [{ name: 'h', gid: 11 }] },
          ];
          if (!acc) ids.push({ name: 'alice', uid: 7, gid: 7, groups: [] }, { name: 'bob', uid: 1000, gid: 10, groups: [{ name: 'h', gid: 11 }] });
          for (const id of ids) {
            const res = resolveLimits(tree, id, { profile, nrOpen: 1048576n });
            for (const k of finalSources(res)) expect(claimed.has(k), `${claimed.get(k)} wins for ${id.name} (${profile})\n${text}`).toBe(false);
            for (const d of never.filter((x) => x.code === 'LC202' && x.fix)) {
              const f = tree.files.find((x) => x.path === d.file)!;
              const fixed = { ...tree, files: tree.files.map((x) => (x === f ? { ...x, doc: parseBinary(applyEdits(f.doc!.text, d.fix!), { file: f.path, profile }) } : x)) };
              expect(fingerprint(resolveLimits(fixed, id, { profile, nrOpen: 1048576n })), `removing ${d.file}:${d.line} changes ${id.name} (${profile})\n${text}`).toBe(fingerprint(res));
              removals++;
            }
          }
        }
      }
    }
    console.log(`dense trees: ${claims} claims, ${removals} removals re-resolved`);
    expect(claims).toBeGreaterThan(100);
    expect(removals).toBeGreaterThan(10);
    // a few hundred dense trees linted and each claim re-resolved: about 25 s of CPU on a quiet
    // machine, several times that on a loaded one (vitest's 60 s default is too short there)
  }, 300_000);
});

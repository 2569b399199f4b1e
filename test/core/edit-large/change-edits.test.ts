/**
 * A plan's FileChange.edits (src/core/edit/plan.ts diffEdits) is one edit over the changed middle
 * of before and after: the longest common prefix and suffix. The plan searches them from the
 * stretches its edits never touched (WorkFile.untouched); this compares the result with the
 * prefix and suffix counted byte by byte, on random files and random lists of set/unset requests
 * (several edits to one file, edits that insert a line equal to its neighbours, removals); and
 * the unified diff printed from that edit's known head and tail with the one searched from scratch.
 */
import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd, type AccountDb } from '../../../src/core/accounts.js';
import { type EditRequest, planEdits } from '../../../src/core/edit.js';
import type { ConfigTree } from '../../../src/core/model.js';
import { parseLimits } from '../../../src/core/parse.js';
import * as jsdiff from 'diff';
import { type JsDiff, unifiedDiff } from '../../../src/core/edit/unified-diff.js';
import { applyEdits } from '../../../src/core/text-edit.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const MAIN = 'etc/security/limits.conf';
const DROP = 'etc/security/limits.d/10-x.conf';
const accounts: AccountDb = {
  users: parsePasswd('root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\nbob:x:1001:1001::/h:/bin/sh\n'),
  groups: parseGroup('root:x:0:\nadmin:x:1000:\ndevs:x:2000:bob\n'),
};
const DOMAINS = ['admin', 'bob', '@devs', '*'];
const ITEMS = ['nofile', 'nproc', 'core', 'maxlogins'];
const TYPES = ['soft', 'hard', '-'] as const;
const VALUES = ['10', '100', '4096', 'unlimited'];

function tree(files: Record<string, string>): ConfigTree {
  return {
    profile: 'debian-12', ignored: [], failure: null,
    files: Object.keys(files).sort().map((p) => ({ path: p, role: p === MAIN ? 'main' : 'dropin', status: 'ok', doc: parseLimits(Buffer.from(files[p]!, 'latin1'), { profile: 'debian-12', file: p }) })),
  };
}

function naive(before: string, after: string): { offset: number; length: number; content: string } {
  let s = 0;
  while (s < before.length && s < after.length && before[s] === after[s]) s++;
  let e = 0;
  const max = Math.min(before.length, after.length) - s;
  while (e < max && before[before.length - 1 - e] === after[after.length - 1 - e]) e++;
  return { offset: s, length: before.length - s - e, content: after.slice(s, after.length - e) };
}

describe('FileChange.edits', () => {
  it('is the longest common prefix and suffix of before and after, whatever the requests', () => {
    const seed = testSeed('change-edits');
    const r = rng(seed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const text = (n: number) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) out.push(r() < 0.15 ? '# End of file' : r() < 0.1 ? '' : `${pick(DOMAINS)} ${pick(TYPES)} ${pick(ITEMS)} ${pick(VALUES)}`);
        return out.join('\n') + (r() < 0.8 ? '\n' : '');
      };
      const files: Record<string, string> = { [MAIN]: text(Math.floor(r() * 12)) };
      if (r() < 0.4) files[DROP] = text(Math.floor(r() * 6));
      const requests: EditRequest[] = [];
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) {
        requests.push(r() < 0.7
          ? { op: 'set', domain: pick(DOMAINS), item: pick(ITEMS), value: pick(VALUES), type: pick(['soft', 'hard', 'both'] as const) }
          : { op: 'unset', domain: pick(DOMAINS), item: pick(ITEMS) });
      }
      const plan = planEdits(tree(files), requests, { accounts });
      for (const c of plan.changes) {
        const before = c.before ?? '';
        expect(c.edits, `${seedNote(seed)}, round ${round}, ${c.path}`).toEqual([naive(before, c.after)]);
        expect(applyEdits(before, c.edits)).toBe(c.after);
        // the diff a dry run prints searches its shared head and tail from the plan's edit
        const e = c.edits[0]!;
        expect(unifiedDiff(jsdiff as unknown as JsDiff, 'a', 'b', before, c.after, 3, { head: e.offset, tail: before.length - e.offset - e.length }), `${seedNote(seed)}, round ${round}`)
          .toBe(unifiedDiff(jsdiff as unknown as JsDiff, 'a', 'b', before, c.after, 3));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

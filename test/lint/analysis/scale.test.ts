/**
 * Nothing is dropped at size: a generated tree linted alone (1×) and as four copies in one tree
 * (4×, each copy with its own user names and files, so no account matches lines of two copies)
 * gives, copy by copy, exactly the 1× findings — four times as many in all. Before the analysis
 * was exhaustive at any size, the 4× tree lost its LC203 findings to sampling. Seeded (printed).
 */
import { describe, expect, it } from 'vitest';
import { lintTarget } from '../../../src/core/lint/engine.js';
import type { Diagnostic } from '../../../src/core/lint/types.js';
import type { TreeFile } from '../../../src/core/model.js';
import { parseLimits } from '../../../src/core/parse.js';
import type { Profile } from '../../../src/core/schema.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const SEED = testSeed('lint analysis 1x/4x');
const FILES = 4;
const LINES = 1500;

/** The drop-ins of one copy: `copy` null for the 1× tree (names `.c9`), else names get `.cN` and files `cN-`. */
function copyFiles(seed: number, copy: number | null): Array<{ path: string; text: string }> {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  // the same length in every copy, so that columns agree
  const names = Array.from({ length: 40 }, (_, i) => `u${i}.c${copy ?? 9}`);
  const items = ['nofile', 'nproc', 'core', 'maxlogins', 'priority', 'stack'];
  const out: Array<{ path: string; text: string }> = [];
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < LINES / FILES; i++) {
      const x = r();
      if (x < 0.03) lines.push(`${pick(names)} -`);
      else if (x < 0.1) lines.push('# a comment');
      else lines.push(`${pick(names)} ${pick(['soft', 'hard', '-'])} ${pick(items)} ${pick(['1', '10', '100', '4096', 'unlimited', '-1', '0'])}`);
    }
    out.push({ path: `etc/security/limits.d/${copy === null ? '' : `c${copy}-`}${10 + f}-gen.conf`, text: `${lines.join('\n')}\n` });
  }
  return out;
}

function lint(files: Array<{ path: string; text: string }>, profile: Profile): readonly Diagnostic[] {
  const tf: TreeFile[] = [{ path: 'etc/security/limits.conf', role: 'main', status: 'ok', doc: parseLimits(Buffer.from('# empty\n'), { file: 'etc/security/limits.conf', profile }) }];
  for (const f of files) tf.push({ path: f.path, role: 'dropin', status: 'ok', doc: parseLimits(Buffer.from(f.text, 'latin1'), { file: f.path, profile }) });
  return lintTarget({ tree: { profile, files: tf, ignored: [], failure: null }, accounts: null }).diagnostics;
}

/** A finding with the copy's marks taken out (names, file prefixes), to compare with 1×. */
const plain = (d: Diagnostic) => JSON.stringify({ ...d, offset: undefined }).replace(/\.c\d\b/g, '').replace(/limits\.d\/c\d-/g, 'limits.d/');

describe('1× and 4× inputs', () => {
  for (const profile of ['linux-pam-1.5.2', 'debian-12'] as const) {
    it(`four copies give four times the findings, each copy the 1× ones (${profile}, ${seedNote(SEED)})`, () => {
      const one = lint(copyFiles(SEED, null), profile);
      const four = lint([0, 1, 2, 3].flatMap((k) => copyFiles(SEED, k)), profile);
      const codes = (ds: readonly Diagnostic[]) => ds.reduce((m, d) => m.set(d.code, (m.get(d.code) ?? 0) + 1), new Map<string, number>());
      expect(codes(one).get('LC203') ?? 0, 'the 1× tree has lines that never win').toBeGreaterThan(0);
      expect(four.length).toBe(4 * one.length);
      expect([...codes(four)].sort()).toEqual([...codes(one)].map(([c, n]) => [c, 4 * n]).sort());
      const base = one.map(plain).sort();
      for (const k of [0, 1, 2, 3]) {
        const mine = four.filter((d) => d.file.includes(`limits.d/c${k}-`) || (k === 0 && !/limits\.d\/c\d-/.test(d.file)));
        expect(mine.map(plain).sort(), `copy ${k}`).toEqual(k === 0 ? base : base.filter((x) => x.includes('limits.d/')));
      }
    });
  }
});

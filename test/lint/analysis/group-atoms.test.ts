/**
 * One group atom per group name: a group absent from etc/group is one hypothetical group however
 * many lines name it, so the account classes do not double with every line (issue 14: six such
 * groups of one line each gave LC203 for an empty uid range, two lines each lost it).
 */
import { describe, expect, it } from 'vitest';
import { lintTarget } from '../../../src/core/lint/engine.js';
import { parseLimits } from '../../../src/core/parse.js';
import type { Profile } from '../../../src/core/schema.js';

function lint(text: string, profile: Profile = 'linux-pam-1.5.2') {
  const doc = parseLimits(Buffer.from(text, 'latin1'), { file: 'limits.conf', profile });
  return lintTarget({
    tree: { profile, files: [{ path: 'limits.conf', role: 'main', status: 'ok', doc }], ignored: [], failure: null },
    accounts: null, standalone: true,
  }).diagnostics;
}

const groups = (linesEach: number) => {
  const out: string[] = [];
  for (let g = 1; g <= 6; g++) for (let k = 0; k < linesEach; k++) out.push(`@team${g} hard nofile ${1000 + g * 10 + k}`);
  return out;
};

describe('groups absent from etc/group', () => {
  for (const linesEach of [1, 2, 3]) {
    it(`six groups of ${linesEach} line(s) each: the empty range 2000:1000 is reported`, () => {
      const text = [...groups(linesEach), '2000:1000 hard nofile 5', ''].join('\n');
      const ds = lint(text).filter((d) => d.code === 'LC203');
      expect(ds.map((d) => `${d.line} ${d.message.slice(0, 53)}`)).toEqual([
        `${6 * linesEach + 1} this line never applies: the range 2000:1000 is empty`,
      ]);
    });
  }
});

describe('many group names for one item', () => {
  const text = (n: number) => [...Array.from({ length: n }, (_, g) => `@team${g} hard nofile ${1000 + g}\n@team${g} soft nofile ${100 + g}`), '2000:1000 hard nofile 5', ''].join('\n');

  it('10 groups (1,024 combinations of memberships): still exhaustive, the empty range is reported', () => {
    const ds = lint(text(10)).filter((d) => d.code === 'LC203');
    expect(ds.map((d) => `${d.line} ${d.message.slice(0, 53)}`)).toEqual([`${2 * 10 + 1} this line never applies: the range 2000:1000 is empty`]);
  });

  it('20 groups (2^20 combinations): not silent — never-wins says it was not checked for nofile, and why', () => {
    const ds = lint(text(20)).filter((d) => d.code === 'LC203');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.line).toBe(1);
    expect(ds[0]!.message).toMatch(/^LC203 was not checked for nofile: its lines test [\d,]+ combinations .* more than the 16,384 the analysis tries, so lines of nofile that never win are not reported/);
  });
});

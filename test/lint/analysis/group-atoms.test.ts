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

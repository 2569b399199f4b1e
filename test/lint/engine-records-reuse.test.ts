/**
 * The engine writes a tree's findings file by file and reuses one file's record arrays for the
 * next (Records.reset): nothing of a file written may show up in the next one — not a message,
 * not a related location, not a count.
 */
import { describe, expect, it } from 'vitest';
import { lintTarget } from '../../src/core/lint/engine.js';
import type { Rule } from '../../src/core/lint/types.js';
import { treeOf } from '../core/tree-of.js';

// a long first file, then shorter ones: a reused array is longer than the next file needs
const texts = ['* soft nofile 1\n'.repeat(40), '* soft nofile 2\n'.repeat(3), '* soft nofile 3\n'.repeat(5)];


// every line of a file, with a related location (its first line) only in the first file
const rule: Rule = {
  code: 'LC998', name: 'every-line', category: 'tool', severity: 'warning', description: 'test', fixable: false, scope: 'file',
  check(ctx) {
    for (const { file } of ctx.docs) {
      const first = file.path.endsWith('limits.conf');
      file.doc!.lines.forEach((l, i) => ctx.report({
        file, span: { start: l.start, end: l.end }, message: `${file.path} line ${i + 1}`,
        related: first ? [{ file, span: { start: 0, end: 1 }, message: 'first line' }] : undefined,
      }));
    }
  },
};

describe('record arrays reused from file to file', () => {
  it('leave no finding, message or related location of a file in the next', () => {
    const out = lintTarget({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [rule]).diagnostics;
    expect(out.map((d) => d.file).filter((f, i, a) => a.indexOf(f) === i)).toEqual(['etc/security/limits.conf', 'etc/security/limits.d/1.conf', 'etc/security/limits.d/2.conf']);
    expect(out).toHaveLength(48);
    for (const d of out) {
      expect(d.message).toBe(`${d.file} line ${d.line}`);
      expect(d.related !== undefined).toBe(d.file === 'etc/security/limits.conf');
    }
  });
});

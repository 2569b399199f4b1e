/** --fix in the core: safe fixes applied, and re-linting finds nothing fixable. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTarget } from '../../src/core/lint/engine.js';
import { fixTarget } from '../../src/core/lint/fix.js';
import { parseBinary } from '../../src/core/parse.js';
import { FIXTURES, loadCase } from './helpers.js';

describe('lint --fix (core)', () => {
  for (const rule of ['duplicate-entry', 'stray-header', 'uppercase-keyword']) {
    it(`${rule}: fixed, and a fresh lint of the result reports nothing fixable`, async () => {
      const c = await loadCase(path.join(FIXTURES, rule, 'bad'));
      const t = c.targets[0]!.target;
      const before = lintTarget(t, c.config).diagnostics.filter((d) => d.fix);
      expect(before.length).toBeGreaterThan(0);
      const out = fixTarget(t, c.config);
      expect(out.changes.length).toBe(1);
      expect(out.result.diagnostics.filter((d) => d.fix)).toEqual([]);
      // from scratch: parse the new bytes again
      const ch = out.changes[0]!;
      const doc = parseBinary(ch.after, { file: ch.file, profile: c.profile });
      const fresh = { ...t, tree: { ...t.tree, files: t.tree.files.map((f) => (f.path === ch.file ? { ...f, doc } : f)) } };
      expect(lintTarget(fresh, c.config).diagnostics.filter((d) => d.fix)).toEqual([]);
    });
  }

  it('duplicate-entry removes exactly the dead lines that are safe to remove', async () => {
    const c = await loadCase(path.join(FIXTURES, 'duplicate-entry', 'bad'));
    const out = fixTarget(c.targets[0]!.target, c.config);
    expect(out.changes[0]!.after).toBe([
      '* soft nproc 4096',
      'alice hard nofile 200',
      'bob - nofile 20',
      'carol hard core 1 # expect: LC202',
      '* hard core 5',
      'carol hard core 2',
      '',
    ].join('\n'));
    // carol's line is dead but another core line sits between: reported, not removed
    expect(out.result.diagnostics.map((d) => `${d.line}:${d.code}:${d.fix ? 'fix' : ''}`)).toEqual(['4:LC202:']);
  });

  it('stray-header comments the header out; uppercase-keyword lower-cases type, item and value only', async () => {
    const h = fixTarget((await loadCase(path.join(FIXTURES, 'stray-header', 'bad'))).targets[0]!.target);
    expect(h.changes[0]!.after.split('\n')[1]).toBe('#<domain>      <type>  <item>         <value> # expect: LC009');
    const u = fixTarget((await loadCase(path.join(FIXTURES, 'uppercase-keyword', 'bad'))).targets[0]!.target);
    expect(u.changes[0]!.after).toBe('alice soft nofile 10 # expect: LC011\nbob - nproc unlimited # expect: LC011\n');
  });
});

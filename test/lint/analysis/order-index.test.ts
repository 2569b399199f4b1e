/**
 * The analysis addresses entries by reading order: refOf finds the entry a resolver Source names
 * by a binary search in its file's entries, dead() gives the dead lines as arrays by order, and
 * itemRuns gives each file's run of an item's entries.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, entryKey } from '../../../src/core/lint/analysis.js';
import { EMPTY_POLICY } from '../../../src/core/lint/policy.js';
import type { ConfigTree } from '../../../src/core/model.js';
import { parseLimits } from '../../../src/core/parse.js';
import { DEFAULT_NR_OPEN } from '../../../src/core/schema.js';

const profile = 'linux-pam-1.5.2' as const;
function analysis(texts: readonly string[]): Analysis {
  const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-x.conf'];
  const tree: ConfigTree = {
    profile,
    files: texts.map((text, i) => ({ path: paths[i]!, role: i === 0 ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseLimits(Buffer.from(text), { file: paths[i]!, profile }) })),
    ignored: [],
    failure: null,
  };
  return new Analysis({ tree, profile, accounts: null, nrOpen: DEFAULT_NR_OPEN, policy: EMPTY_POLICY, budget: 1 << 16 });
}

describe('entries by reading order', () => {
  const an = analysis([
    '# head\nalice soft nofile 1\nbob - \nalice soft nofile 2\n* hard nproc 5\n\nalice soft nofile 3\n',
    '* hard nproc 6\nalice hard nofile 7\n',
  ]);

  it('refOf finds each entry from its file, line and chunk, and nothing for other lines', () => {
    for (const e of an.entries) {
      // references are made when asked for: equal, not the same object
      expect(an.refOf({ file: e.file.path, line: e.line.index + 1, chunk: e.chunk })).toEqual(e);
      expect(an.ref(entryKey(e))).toEqual(e);
      expect(an.entryAt(e.order)).toEqual(e);
    }
    expect(an.refOf({ file: 'etc/security/limits.conf', line: 1 })).toBeUndefined(); // a comment
    expect(an.refOf({ file: 'etc/security/limits.conf', line: 3 })).toBeUndefined(); // `bob -`
    expect(an.refOf({ file: 'etc/security/limits.d/50-x.conf', line: 3 })).toBeUndefined();
    expect(an.refOf({ file: 'nowhere.conf', line: 2 })).toBeUndefined();
  });

  it('dead() by order: each line a later same-domain line replaces, and by which', () => {
    const d = an.dead();
    const dead = an.entries.filter((e) => d.by[e.order]! >= 0).map((e) => [e.line.index + 1, an.entryAt(d.by[e.order]!)!.line.index + 1, d.removable[e.order]]);
    // alice soft nofile 1 → line 4 (removable: adjacent in the item's lines); line 4 → line 7;
    // * hard nproc 5 → the drop-in's line 1 (another file; nothing between them names nproc)
    expect(dead).toEqual([[2, 4, 1], [4, 7, 1], [5, 1, 1]]);
    expect(d.count).toBe(3);
    expect([...an.deadFlags()].filter((x) => x === 1).length).toBe(3);
    expect(an.deadLine(an.entries[0]!.order)!.by.line.index).toBe(3);
  });

  it("itemRuns: each file's run of each item's entries, items in itemKeys order", () => {
    const [main, dropin] = an.options.tree.files;
    const show = (f: typeof main) => an.itemRuns(f!).map((r) => `${r.key} ${r.from}-${r.to}`);
    expect(an.itemKeys()).toEqual(['nofile', 'nproc']);
    expect(show(main)).toEqual(['nofile 0-3', 'nproc 0-1']);
    expect(show(dropin)).toEqual(['nofile 3-4', 'nproc 1-2']);
  });
});

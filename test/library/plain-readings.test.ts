/**
 * Parsed readings are compact instances (kind on the prototype, fields made by getters: see
 * docs/library.md "Parse and print"). What the docs promise about copies of them: `toJSON()` (or a
 * spread of the kinds that are plain objects already) gives
 * a plain reading that every library function takes as it takes the parsed one (same results);
 * a spread copy (which has neither `kind` nor the fields) is refused with EARGUMENT naming it,
 * never misread or a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { lintTarget, resolveLimits, treeFromFiles, type ConfigTree, type LimitsDocument } from '../../src/index.js';

const TEXT = 'alice soft nofile 10\n@dev - nproc 50 # team\n* hard core 0\nbad line\n%x -\n';
const alice = { name: 'alice', uid: 1000, gid: 1000, groups: [{ name: 'dev', gid: 2000 }] };

function withDoc(tree: ConfigTree, copy: (doc: LimitsDocument) => LimitsDocument): ConfigTree {
  const [first, ...rest] = tree.files;
  return { ...tree, files: [{ ...first!, doc: copy(first!.doc!) }, ...rest] };
}
const copyLines = (doc: LimitsDocument, reading: (r: object) => object): LimitsDocument => ({
  ...doc,
  text: (doc as unknown as { text: string }).text,
  lines: doc.lines.map((l) => ({ index: l.index, start: l.start, end: l.end, eolLength: l.eolLength, readings: l.readings.map(reading) })),
}) as unknown as LimitsDocument;

describe('copies of parsed readings', () => {
  const tree = treeFromFiles({ 'etc/security/limits.conf': Buffer.from(TEXT) }, { profile: 'debian-12' });

  it('toJSON() copies are plain objects that resolve and lint as the parsed readings do', () => {
    const plain = withDoc(tree, (d) => copyLines(d, (r) => ('toJSON' in r && typeof r.toJSON === 'function' ? (r.toJSON as () => object)() : { ...r })));
    const r0 = plain.files[0]!.doc!.lines[0]!.readings[0]!;
    expect(Object.getPrototypeOf(r0)).toBe(Object.prototype);
    expect(r0.kind).toBe('entry');
    expect(resolveLimits(plain, alice)).toEqual(resolveLimits(tree, alice));
    expect(lintTarget({ tree: plain, accounts: null }).diagnostics).toEqual(lintTarget({ tree, accounts: null }).diagnostics);
    expect(lintTarget({ tree, accounts: null }).diagnostics.length).toBeGreaterThan(0);
  });

  it('spread copies are refused with EARGUMENT naming the reading', () => {
    const spread = withDoc(tree, (d) => copyLines(d, (r) => ({ ...r })));
    expect(() => resolveLimits(spread, alice)).toThrow(expect.objectContaining({ code: 'EARGUMENT', message: expect.stringMatching(/readings\[0\] must be a reading as parseLimits gives it/) }));
  });
});

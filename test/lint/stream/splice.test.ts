/**
 * JsonSplice (src/formatters/stream.ts), which lint's JSON and SARIF formats use to write their
 * findings as they are produced: begin + item… + end is JSON.stringify of the whole document
 * byte for byte, for random documents (seeded; the seed is printed), indents 0, 2 and 4, the
 * array anywhere in the document, and members after it that exist only once it is complete.
 */
import { describe, expect, it } from 'vitest';
import { JsonSplice, JsonStream } from '../../../src/formatters/stream.js';
import { randomJsonValues, rng, seedNote, testSeed } from '../../seed.js';

const SEED = testSeed('stream/splice.test.ts');

describe('JsonSplice', () => {
  const r = rng(SEED);
  const { int, value } = randomJsonValues(r);

  it('begin, items and end are JSON.stringify of the whole document', () => {
    for (let i = 0; i < 400; i++) {
      const before = { a: value(0), b: value(1) };
      const after = { c: value(0), d: value(1) };
      const items = Array.from({ length: int(5) }, () => value(1));
      // the array at depth 1, or inside an array inside an object (as SARIF's runs[0].results)
      const nest = int(2) === 0;
      const doc = (list: unknown, tail: boolean) => {
        const inner = { ...before, list, ...(tail ? after : {}) };
        return nest ? { top: 1, runs: [inner] } : inner;
      };
      for (const indent of [0, 2, 4]) {
        const s = new JsonSplice<unknown>((x) => x, indent);
        let out = s.begin(doc(new JsonStream([]), false));
        for (const x of items) out += s.item(x);
        out += s.end(doc(new JsonStream([]), true));
        expect(out, `${seedNote(SEED)}, case ${i}, indent ${indent}`).toBe(JSON.stringify(doc(items, true), null, indent));
      }
    }
  });

  it('a document without exactly one stream is refused', () => {
    const s = new JsonSplice<unknown>((x) => x);
    expect(() => s.begin({ a: [] })).toThrow(/exactly one JsonStream/);
    expect(() => s.begin({ a: new JsonStream([]), b: new JsonStream([]) })).toThrow(/exactly one JsonStream/);
  });
});

/**
 * When lint caps V8's heap growth (src/cli/commands/lint.ts tuneHeapForLint): for a tree of at
 * least LINT_HEAP_TUNE_BYTES on the V8 it was measured with, never below that size, on another
 * V8, or over node's own --heap-growing-percent. The setter is the test's own: the real one
 * (node:v8 setFlagsFromString) would change this test process's heap.
 */
import { describe, expect, it } from 'vitest';
import {
  LINT_HEAP_FLAG, LINT_HEAP_TUNE_BYTES, LINT_HEAP_WRITING_FLAG, LINT_INLINING_BYTES, LINT_INLINING_FLAG, tuneCompilerForLint, tuneHeapForLint,
} from '../../src/cli/commands/lint.js';

function run(bytes: number, v8: string, execArgv: string[] = []): string[] {
  const calls: string[] = [];
  const r = tuneHeapForLint(bytes, v8, execArgv, (f) => calls.push(f));
  expect(r).toBe(calls.length === 1);
  return calls;
}

describe('tuneHeapForLint', () => {
  it('sets --heap-growing-percent=100 from LINT_HEAP_TUNE_BYTES on, not a byte below', () => {
    expect(LINT_HEAP_FLAG).toBe('--heap-growing-percent=100');
    expect(run(LINT_HEAP_TUNE_BYTES, '11.3.244.8-node.33')).toEqual([LINT_HEAP_FLAG]);
    expect(run(LINT_HEAP_TUNE_BYTES * 4, '11.3.244.8-node.33')).toEqual([LINT_HEAP_FLAG]);
    expect(run(LINT_HEAP_TUNE_BYTES - 1, '11.3.244.8-node.33')).toEqual([]);
    expect(run(0, '11.3.244.8-node.33')).toEqual([]);
  });
  it('only on V8 11.3 (Node 20), where it was measured', () => {
    expect(run(LINT_HEAP_TUNE_BYTES, '12.4.254.21-node.33')).toEqual([]);
    expect(run(LINT_HEAP_TUNE_BYTES, '11.30.1')).toEqual([]);
  });
  it("never over node's own --heap-growing-percent (either spelling)", () => {
    expect(run(LINT_HEAP_TUNE_BYTES, '11.3.1', ['--heap-growing-percent=50'])).toEqual([]);
    expect(run(LINT_HEAP_TUNE_BYTES, '11.3.1', ['--heap_growing_percent=50'])).toEqual([]);
    expect(run(LINT_HEAP_TUNE_BYTES, '11.3.1', ['--max-old-space-size=4096'])).toEqual([LINT_HEAP_FLAG]);
  });
  const otherV8 = !process.versions.v8.startsWith('11.3.');
  if (otherV8) console.warn(`skipping the V8 flag check: this V8 (${process.versions.v8}) is not the one lint makes the setting on`);
  it('lets the heap grow less once findings are written than while the tree is analysed', () => {
    const pct = (f: string) => Number(/^--heap-growing-percent=(\d+)$/.exec(f)![1]);
    expect(pct(LINT_HEAP_WRITING_FLAG)).toBeLessThan(pct(LINT_HEAP_FLAG));
  });
  it.skipIf(otherV8)('the running V8 reads all three flags (setFlagsFromString of them prints nothing, throws nothing)', () => {
    // a child process, so this test process's heap is left alone; V8 prints an error for a flag it does not know
    return import('node:child_process').then(({ spawnSync }) => {
      const set = [LINT_HEAP_FLAG, LINT_HEAP_WRITING_FLAG, LINT_INLINING_FLAG, '--no-such-flag-xyz'].map((f) => `require('node:v8').setFlagsFromString(${JSON.stringify(f)});`).join(' ');
      const r = spawnSync(process.execPath, ['-e', set], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
      // the unknown flag is reported (so an error would be seen), the real one is not
      expect(lines.some((l) => l.includes('no-such-flag-xyz'))).toBe(true);
      expect(lines.some((l) => l.includes('heap-growing-percent') || l.includes('heap_growing_percent') || l.includes('inlined'))).toBe(false);
    });
  });
});

describe('tuneCompilerForLint', () => {
  const V8 = '11.3.244.8-node.33';
  function tune(bytes: number, index: number, v8 = V8, execArgv: string[] = []): string[] {
    const calls: string[] = [];
    const r = tuneCompilerForLint(bytes, index, v8, execArgv, (f) => calls.push(f));
    expect(r).toBe(calls.length === 1);
    return calls;
  }
  it('lowers the inlining budget for a tree from LINT_INLINING_BYTES on, or for a second tree of any size', () => {
    expect(LINT_INLINING_FLAG).toBe('--max-inlined-bytecode-size-cumulative=200');
    expect(tune(LINT_INLINING_BYTES, 0)).toEqual([LINT_INLINING_FLAG]);
    expect(tune(LINT_INLINING_BYTES - 1, 0)).toEqual([]);
    expect(tune(0, 0)).toEqual([]);
    expect(tune(0, 1)).toEqual([LINT_INLINING_FLAG]);
    expect(tune(10, 7)).toEqual([LINT_INLINING_FLAG]);
  });
  it("only on V8 11.3, never over node's own setting (either spelling)", () => {
    expect(tune(LINT_INLINING_BYTES, 1, '12.4.254.21-node.33')).toEqual([]);
    expect(tune(LINT_INLINING_BYTES, 1, V8, ['--max-inlined-bytecode-size-cumulative=920'])).toEqual([]);
    expect(tune(LINT_INLINING_BYTES, 1, V8, ['--max_inlined_bytecode_size_cumulative=920'])).toEqual([]);
    expect(tune(LINT_INLINING_BYTES, 1, V8, ['--max-inlined-bytecode-size=460'])).toEqual([LINT_INLINING_FLAG]);
  });
});

/**
 * A rule may give a finding's message and related locations as a FindingText and two numbers
 * (DeferredReport): the engine holds the finding as numbers and words it when it writes the
 * finding's file. These tests hold the engine to that: the findings are those of the same rule
 * reporting eagerly, the words are made only as each file is written, a finding that cannot wait
 * (a fix, non-ASCII columns) is worded at once, ties on one line are ordered by message, and a
 * FindingText with a bug costs its words or related location, said in an LC900 finding, never
 * the run.
 */
import { describe, expect, it } from 'vitest';
import { lintTarget, lintTargetStream } from '../../src/core/lint/engine.js';
import type { DeferredReport, Diagnostic, FindingText, Rule, RuleReport } from '../../src/core/lint/types.js';
import type { TreeFile } from '../../src/core/model.js';
import { treeOf } from '../core/tree-of.js';



const lineStart = (f: TreeFile, i: number) => f.doc!.lines[i]!.start;
const lineEnd = (f: TreeFile, i: number) => f.doc!.lines[i]!.end;

/**
 * A rule reporting every line of every file, with a related location on the line above it (none
 * on a first line); `deferred` chooses the form. `words` counts FindingText.message calls.
 */
function everyLine(deferred: boolean, words = { n: 0 }, extra: Partial<{ fixLine: number; twice: boolean }> = {}): Rule {
  return {
    code: 'LC998', name: 'every-line', category: 'tool', severity: 'warning', description: 'test', fixable: true, scope: 'file',
    check(ctx) {
      for (const { file } of ctx.docs) {
        const say = (i: number, k: number) => `line ${i + 1} of ${file.path}, mark ${k}: '${file.doc!.text.slice(lineStart(file, i), lineEnd(file, i))}'`;
        const rel = (i: number) => (i === 0 ? undefined : [{ file, span: { start: lineStart(file, i - 1), end: lineEnd(file, i - 1) }, message: 'the line above' }]);
        const text: FindingText = {
          message: (i, k) => { words.n++; return say(i, k); },
          related: (i) => rel(i),
        };
        const n = file.doc!.lines.length;
        for (let i = 0; i < n; i++) {
          const span = { start: lineStart(file, i), end: lineEnd(file, i) };
          const fix = extra.fixLine === i ? [{ offset: span.start, length: span.end - span.start, content: '' }] : undefined;
          // with `twice`, two findings per line in the order 'mark 1', 'mark 0': ordered by message
          for (const k of extra.twice ? [1, 0] : [0]) {
            if (deferred) ctx.report({ file, span, text, a: i, b: k, fix } satisfies DeferredReport);
            else ctx.report({ file, span, message: say(i, k), related: rel(i), fix } satisfies RuleReport);
          }
        }
      }
    },
  };
}

const texts = ['* soft nofile 1\n* hard nofile 2\n# a comment\n', 'alice soft nproc 3\n\nbob hard core 0\n', 'x\n'];

describe('deferred findings (FindingText)', () => {
  it('are the findings of the same rule reporting eagerly: messages, positions, related locations, order', () => {
    const eager = lintTarget({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [everyLine(false)]).diagnostics;
    const later = lintTarget({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [everyLine(true)]).diagnostics;
    expect(eager.length).toBe(7);
    expect(eager.filter((d) => d.related !== undefined).length).toBe(4);
    expect(later).toEqual(eager);
  });

  it('are worded as their file is written, not when the rule finds them', () => {
    const words = { n: 0 };
    const stream = lintTargetStream({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [everyLine(true, words)]);
    const perFile: number[] = [];
    const seen: Diagnostic[] = [];
    for (const part of stream) {
      seen.push(...part);
      perFile.push(words.n);
    }
    // after each file's batch, only the findings written so far have been worded (3, 3 + 3, … lines)
    expect(perFile).toEqual([3, 6, 7]);
    expect(seen.map((d) => d.message)[4]).toBe("line 2 of etc/security/limits.d/1.conf, mark 0: ''");
  });

  it('is worded at once when it carries a fix or sits on a line with non-ASCII bytes, as the eager form is', () => {
    const t = ['* soft nofile 1\n# caf\xc3\xa9\n* hard nofile 2\n'];
    const eager = lintTarget({ tree: treeOf('debian-12', ...t), accounts: null }, {}, [everyLine(false, undefined, { fixLine: 2 })]).diagnostics;
    const later = lintTarget({ tree: treeOf('debian-12', ...t), accounts: null }, {}, [everyLine(true, undefined, { fixLine: 2 })]).diagnostics;
    expect(eager[1]!.text).toBeDefined();
    expect(eager[2]!.fix).toHaveLength(1);
    expect(later).toEqual(eager);
  });

  it('on one line and column are ordered by their messages, as eager ones are', () => {
    const eager = lintTarget({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [everyLine(false, undefined, { twice: true })]).diagnostics;
    const later = lintTarget({ tree: treeOf('debian-12', ...texts), accounts: null }, {}, [everyLine(true, undefined, { twice: true })]).diagnostics;
    expect(eager.slice(0, 2).map((d) => /mark \d/.exec(d.message)![0])).toEqual(['mark 0', 'mark 1']);
    expect(later).toEqual(eager);
  });

  it('whose FindingText throws keep their position and say the rule failed; a related location out of the file is left out and said in LC900', () => {
    const rule: Rule = {
      code: 'LC997', name: 'broken-words', category: 'tool', severity: 'warning', description: 'test', fixable: false, scope: 'file',
      check(ctx) {
        for (const { file } of ctx.docs) {
          const text: FindingText = {
            message: (i) => { if (i === 0) throw new Error('no words'); return `line ${i + 1}`; },
            related: (i) => (i === 1 ? [{ file, span: { start: 0, end: 10_000 }, message: 'too far' }] : undefined),
          };
          for (let i = 0; i < 2; i++) ctx.report({ file, span: { start: lineStart(file, i), end: lineEnd(file, i) }, text, a: i, b: 0 });
        }
      },
    };
    const out = lintTarget({ tree: treeOf('debian-12', texts[0]!), accounts: null }, {}, [rule]).diagnostics;
    expect(out.map((d) => [d.code, d.line])).toEqual([['LC997', 1], ['LC997', 2], ['LC900', 1]]);
    expect(out[0]!.message).toMatch(/^rule LC997 broken-words failed to word this finding: no words\. This is a bug in limitsctl/);
    expect(out[1]!.message).toBe('line 2');
    expect(out[1]!.related).toBeUndefined();
    expect(out[2]!.message).toMatch(/^rule LC997 broken-words failed: it reported an invalid position \(span \[0, 10000\) is outside/);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTarget, readDirectives, sortFindings } from '../../src/core/lint/engine.js';
import type { Diagnostic, LintTarget, Rule } from '../../src/core/lint/types.js';
import type { TreeFile } from '../../src/core/model.js';
import { parseBinary } from '../../src/core/parse.js';

function target(text: string): LintTarget {
  const doc = parseBinary(text, { file: 'limits.conf', profile: 'linux-pam-1.5.2' });
  const file: TreeFile = { path: 'limits.conf', role: 'main', status: 'ok', doc };
  return { tree: { profile: 'linux-pam-1.5.2', files: [file], ignored: [], failure: null }, accounts: null };
}

const base = { category: 'syntax', severity: 'warning', description: 'test', fixable: false } as const;

describe('lint engine', () => {
  it('turns a crashing rule into an LC900 finding, and the other rules still run', () => {
    const crash: Rule = { ...base, code: 'LC998', name: 'crash', check() { throw new Error('boom'); } };
    const ok: Rule = { ...base, code: 'LC997', name: 'ok', check(ctx) { ctx.report({ file: ctx.docs[0]!.file, span: { start: 0, end: 5 }, message: 'fine' }); } };
    const r = lintTarget(target('alice soft nofile 1\n'), {}, [crash, ok]);
    expect(r.diagnostics.map((d) => [d.code, d.rule])).toEqual([['LC900', 'rule-error'], ['LC997', 'ok']]);
    expect(r.diagnostics[0]!.message).toMatch(/rule LC998 crash failed: it threw Error: boom/);
  });

  it('turns a position outside the file into LC900 instead of a bad finding', () => {
    const bad: Rule = { ...base, code: 'LC996', name: 'bad', check(ctx) { ctx.report({ file: ctx.docs[0]!.file, span: { start: 3, end: 999 }, message: 'x' }); } };
    const r = lintTarget(target('abc\n'), {}, [bad]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LC900']);
  });

  it('severity settings change or switch off rules', () => {
    const t = target('alice soft nofile 10k\nbob soft nofile 5x\n');
    expect(lintTarget(t).diagnostics.map((d) => `${d.code}:${d.severity}`)).toEqual(['LC005:warning', 'LC005:warning']);
    expect(lintTarget(t, { severities: new Map([['LC005', 'error']]) }).diagnostics.map((d) => d.severity)).toEqual(['error', 'error']);
    expect(lintTarget(t, { severities: new Map([['LC005', 'off']]) }).diagnostics).toEqual([]);
  });

  it('limitsctl-disable comments: on the line, next line, whole file, by code or name', () => {
    const t = target([
      'a soft nofile 1k # limitsctl-disable LC005',
      'b soft nofile 2k # limitsctl-disable value-misread',
      'c soft nofile 3k # limitsctl-disable LC001',
      '# limitsctl-disable-next-line',
      'd soft nofile 4k',
      'e soft nofile 5k',
    ].join('\n'));
    const r = lintTarget(t);
    expect(r.diagnostics.map((d) => d.line)).toEqual([3, 6]);
    expect(r.suppressed).toBe(3);
    expect(lintTarget(target('x soft nofile 1k\n# limitsctl-disable-file LC005\n')).diagnostics).toEqual([]);
    expect(readDirectives(parseBinary('a # limitsctl-disable LC005 nope -- why\n')).unknown.map((u) => u.name)).toEqual(['nope']);
  });

  it('orders findings by line, column, code and message whichever order the rules report them in', () => {
    // two rules, each reporting out of order and interleaving with the other; a third already in order
    const t = target('aaa bbb ccc\nddd eee\nfff\n');
    const at = (ctx: Parameters<Rule['check']>[0], start: number, end: number, message: string) => ctx.report({ file: ctx.docs[0]!.file, span: { start, end }, message });
    const r1: Rule = { ...base, code: 'LC991', name: 'r1', check(ctx) { at(ctx, 16, 19, 'z'); at(ctx, 4, 7, 'b'); at(ctx, 4, 7, 'a'); } };
    const r2: Rule = { ...base, code: 'LC990', name: 'r2', scope: 'file', check(ctx) { at(ctx, 12, 15, 'x'); at(ctx, 4, 7, 'c'); at(ctx, 0, 3, 'y'); } };
    const r3: Rule = { ...base, code: 'LC992', name: 'r3', check(ctx) { at(ctx, 0, 3, 'p'); at(ctx, 20, 23, 'q'); } };
    const r = lintTarget(t, {}, [r1, r2, r3]);
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      '1:1 LC990 y', '1:1 LC992 p', '1:5 LC990 c', '1:5 LC991 a', '1:5 LC991 b', '2:1 LC990 x', '2:5 LC991 z', '3:1 LC992 q',
    ]);
    // every member in the order the Diagnostic type lists them, the byte offsets beside the position
    expect(Object.keys(r.diagnostics[0]!)).toEqual(['code', 'rule', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'offset']);
    expect(r.diagnostics[6]).toMatchObject({ line: 2, column: 5, endLine: 2, endColumn: 8, offset: { start: 16, end: 19 } });
    // one rule in order: the same findings, in order
    expect(lintTarget(t, {}, [r3]).diagnostics.map((d) => d.message)).toEqual(['p', 'q']);
  });

  it('a file outside `only` reports nothing, and its silenced findings are still counted', () => {
    const t = target('a soft nofile 1k # limitsctl-disable LC005\nb soft nofile 2k\n');
    expect(lintTarget(t).diagnostics.map((d) => d.line)).toEqual([2]);
    const r = lintTarget({ ...t, only: new Set(['other.conf']) });
    expect(r.diagnostics).toEqual([]);
    expect(r.suppressed).toBe(1);
  });

  it('code-point columns only where a line of the span holds a byte >= 0x80', () => {
    const lines = 'x \xc3\xa9 nofile 1k\nplain soft nofile 2k\n';
    const at: Rule = { ...base, code: 'LC993', name: 'at', check(ctx) {
      ctx.report({ file: ctx.docs[0]!.file, span: { start: 5, end: 11 }, message: 'high' });
      ctx.report({ file: ctx.docs[0]!.file, span: { start: 23, end: 27 }, message: 'low' });
    } };
    const r = lintTarget(target(lines), {}, [at]);
    expect(r.diagnostics.map((d) => [d.line, d.column, d.endColumn, d.text])).toEqual([[1, 6, 12, { column: 5, endColumn: 11 }], [2, 9, 13, undefined]]);
  });

  it('core/lint and formatters are pure: no node: modules, process, fs, ini, fast-glob or yargs', () => {
    const roots = [path.resolve(__dirname, '../../src/core/lint'), path.resolve(__dirname, '../../src/formatters')];
    const files: string[] = [];
    const walk = (d: string) => { for (const n of readdirSync(d)) { const p = path.join(d, n); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.ts')) files.push(p); } };
    roots.forEach(walk);
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/from '(node:[^']*|fs|path|os|child_process|ini|fast-glob|yargs)'/);
      expect(src, f).not.toMatch(/\bprocess\.|\bconsole\./);
      expect(src, f).not.toMatch(/from '\.\.\/(\.\.\/)?(io|cli)\//);
    }
  });
});

describe('sortFindings', () => {
  it('orders exactly as the stable sort by line, column, code and message (random lists)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1e9);
    console.log(`sortFindings seed ${seed}`);
    let x = seed >>> 0 || 1;
    const rnd = (k: number) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % k; };
    const byPosition = (a: Diagnostic, b: Diagnostic) => a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
    for (let round = 0; round < 300; round++) {
      const n = rnd(4) === 0 ? rnd(3) : rnd(200);
      // narrow and wide line ranges, many findings per line (a long line), runs of rules in order
      const lines = [3, 50, 5000, 100000][rnd(4)]!;
      const cols = [1, 3, 40][rnd(3)]!;
      const list: Diagnostic[] = [];
      for (let i = 0; i < n; i++) {
        list.push({ code: `LC${200 + rnd(3)}`, rule: 'r', severity: 'warning', message: `m${rnd(3)}`, file: 'f', line: 1 + rnd(lines), column: 1 + rnd(cols), endLine: 1, endColumn: 1, id: i } as Diagnostic);
      }
      if (rnd(3) === 0) list.sort(byPosition);
      const want = [...list].sort(byPosition);
      expect(sortFindings([...list]), `seed ${seed} round ${round}`).toEqual(want);
      // the same objects in the same order (equal findings keep their order)
      expect(sortFindings([...list]).map((d) => (d as unknown as { id: number }).id)).toEqual(want.map((d) => (d as unknown as { id: number }).id));
    }
  });
});

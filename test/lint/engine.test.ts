import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintTarget, readDirectives } from '../../src/core/lint/engine.js';
import type { LintTarget, Rule } from '../../src/core/lint/types.js';
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

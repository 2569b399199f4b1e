/**
 * The pieces that keep lint linear on hostile input, checked against the straightforward
 * versions they replace (seeded random cases; the seed is printed): streamed JSON equals
 * JSON.stringify byte for byte, code-point columns from checkpoints equal a plain count, fix
 * selection and edit application equal the quadratic originals, the 20-digit cutoff reads
 * numbers as strtoul/strtol do, and did-you-mean gives the same answer. And findings do not depend
 * on line length: the same lines at 1× and 4× the length give the same findings (the 1×/4× test
 * in lines is test/lint/analysis/scale.test.ts; the time of both is in `npm run bench -- lint`).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locate } from '../../src/core/lint/engine.js';
import { selectFixes } from '../../src/core/lint/fix.js';
import type { LintReport } from '../../src/core/lint/report.js';
import { RULES } from '../../src/core/lint/rules.js';
import type { Diagnostic } from '../../src/core/lint/types.js';
import { parseBinary } from '../../src/core/parse.js';
import { didYouMean, distanceWithin, editDistance, suggester } from '../../src/core/suggest.js';
import { identityFromDb } from '../../src/core/accounts.js';
import { identitiesOf } from '../../src/core/lint/analysis.js';
import { applyEdits, type TextEdit } from '../../src/core/text-edit.js';
import { scanDecimal, strtol, strtoull } from '../../src/core/values.js';
import { formatJson, lintJson } from '../../src/formatters/json.js';
import { formatSarif, lintSarif } from '../../src/formatters/sarif.js';
import { chunked, collect, JsonStream, writeJson } from '../../src/formatters/stream.js';
import { formatText } from '../../src/formatters/text.js';
import { randomJsonValues, rng, seedNote, testSeed } from '../seed.js';
import { lintTarget } from '../../src/core/lint/engine.js';
import type { TreeFile } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import type { Profile } from '../../src/core/schema.js';
import { FIXTURES, lintCase, loadCase } from './helpers.js';

const SEED = testSeed('linear.test.ts', 'LIMITSCTL_TEST_SEED');

describe('streamed JSON', () => {
  const r = rng(SEED);
  const { int, value } = randomJsonValues(r);
  /** The same value with some arrays (not inside another stream) made streams. */
  const streamed = (v: unknown): unknown => {
    if (Array.isArray(v)) return r() < 0.5 ? new JsonStream(v) : v.map(streamed);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, streamed(x)]));
    return v;
  };

  it('equals JSON.stringify byte for byte (random values, indents 0, 2 and 4)', () => {
    for (let i = 0; i < 500; i++) {
      const v = { a: value(0), list: Array.from({ length: int(5) }, () => value(1)), nested: { deep: [value(2)] } };
      for (const indent of [0, 2, 4]) {
        const out = collect((w) => writeJson(streamed(v), w, indent));
        expect(out, `seed ${SEED}, case ${i}`).toBe(JSON.stringify(v, null, indent));
      }
    }
  });

  it('maps stream items lazily, and an empty stream is []', () => {
    let mapped = 0;
    const out = collect((w) => writeJson({ xs: new JsonStream([1, 2, 3], (x) => { mapped++; return { x }; }), none: new JsonStream([]) }, w, 2));
    expect(out).toBe(JSON.stringify({ xs: [{ x: 1 }, { x: 2 }, { x: 3 }], none: [] }, null, 2));
    expect(mapped).toBe(3);
  });

  it('chunked passes the same text on, in blocks of at least the size asked', () => {
    const got: string[] = [];
    const c = chunked((t) => got.push(t), 10);
    const pieces = Array.from({ length: 200 }, (_, i) => 'x'.repeat(i % 7));
    for (const p of pieces) c.write(p);
    c.flush();
    expect(got.join('')).toBe(pieces.join(''));
    for (const g of got.slice(0, -1)) expect(g.length).toBeGreaterThanOrEqual(10);
  });

  it('every lint fixture: json and sarif are JSON.stringify of their documents, text the same in any chunking', async () => {
    const cases = readdirSync(FIXTURES).filter((d) => !d.startsWith('.'));
    expect(cases.length).toBeGreaterThan(20);
    for (const rule of cases) {
      const c = await loadCase(path.join(FIXTURES, rule, 'bad'));
      const report: LintReport = {
        tool: { name: 'limitsctl', version: '0.1.0' },
        cwd: c.dir, diagnostics: lintCase(c), files: c.targets.flatMap((t) => t.target.tree.files.map((f) => f.path)),
        rules: RULES.map((x) => ({ ...x, enabled: true })), suppressed: 1, fixed: 0, maxWarnings: null,
      };
      expect(formatJson(report), rule).toBe(`${JSON.stringify(lintJson(report), null, 2)}\n`);
      expect(formatSarif(report), rule).toBe(`${JSON.stringify(lintSarif(report), null, 2)}\n`);
      expect(formatText(report).length, rule).toBeGreaterThan(0);
    }
  });
});

describe('code-point columns on long lines', () => {
  it('equal a plain count from the line start, across checkpoints', () => {
    const r = rng(SEED + 1);
    const alphabet = ['a', ' ', '\xc3\xa9', '\xe6\x97\xa5', '\xff', '\t'];
    for (let i = 0; i < 20; i++) {
      let line = '';
      const len = 1 + Math.floor(r() * 5000);
      while (line.length < len) line += alphabet[Math.floor(r() * alphabet.length)]!;
      const text = `short\n${line}\nafter é\n`;
      const doc = parseBinary(text, { file: 'x', profile: 'linux-pam-1.7.2' });
      const start = 6;
      for (let k = 0; k < 30; k++) {
        const a = start + Math.floor(r() * (line.length + 1));
        const b = a + Math.floor(r() * (start + line.length - a + 1));
        const pos = locate(doc, { start: a, end: b });
        const cp = (to: number) => { let n = 1; for (let j = start; j < to; j++) { const ch = text.charCodeAt(j); if (ch < 0x80 || ch >= 0xc0) n++; } return n; };
        expect(pos.line).toBe(2);
        expect(pos.column).toBe(a - start + 1);
        expect(pos.text, `seed ${SEED + 1}`).toEqual({ column: cp(a), endColumn: cp(b) });
      }
    }
  });

  it('an ASCII line gets no text columns, a span reaching a non-ASCII line does', () => {
    const doc = parseBinary('* soft nproc 1\n# \xc3\xa9\n', { file: 'x', profile: 'linux-pam-1.5.2' });
    expect(locate(doc, { start: 0, end: 5 }).text).toBeUndefined();
    expect(locate(doc, { start: 2, end: 17 }).text).toEqual({ column: 3, endColumn: 3 });
  });
});

describe('--fix selection and edits', () => {
  const naiveSelect = (ds: readonly Diagnostic[]) => {
    const taken: Array<[number, number]> = [];
    const groups: TextEdit[][] = [];
    for (const d of ds) {
      const spans = d.fix!.map((e): [number, number] => [e.offset, e.offset + e.length]);
      if (spans.some(([s, e]) => taken.some(([ts, te]) => (s < te && ts < e) || s === ts))) continue;
      taken.push(...spans);
      groups.push([...d.fix!]);
    }
    return groups;
  };
  const naiveApply = (text: string, edits: readonly TextEdit[]) => {
    const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
    let out = text;
    for (let i = sorted.length - 1; i >= 0; i--) out = out.slice(0, sorted[i]!.offset) + sorted[i]!.content + out.slice(sorted[i]!.offset + sorted[i]!.length);
    return out;
  };

  it('selectFixes picks what the scan of every taken range picked (random, overlapping fixes)', () => {
    const r = rng(SEED + 2);
    for (let i = 0; i < 300; i++) {
      const ds: Diagnostic[] = [];
      const n = Math.floor(r() * 40);
      for (let k = 0; k < n; k++) {
        const fix: TextEdit[] = [];
        for (let e = 1 + Math.floor(r() * 3); e > 0; e--) fix.push({ offset: Math.floor(r() * 60), length: r() < 0.2 ? 0 : Math.floor(r() * 6), content: 'z' });
        ds.push({ code: 'LC202', rule: 'x', severity: 'warning', message: '', file: 'f', line: 1, column: 1, endLine: 1, endColumn: 1, fix });
      }
      expect(selectFixes(ds).get('f') ?? [], `seed ${SEED + 2}, case ${i}`).toEqual(n === 0 ? [] : naiveSelect(ds));
    }
  });

  it('applyEdits gives what applying back to front gave', () => {
    const r = rng(SEED + 3);
    for (let i = 0; i < 300; i++) {
      const text = 'abcdefghij'.repeat(1 + Math.floor(r() * 5));
      const edits: TextEdit[] = [];
      let at = 0;
      while (at <= text.length && r() < 0.8) {
        const offset = at + Math.floor(r() * 4);
        if (offset > text.length) break;
        const length = Math.min(Math.floor(r() * 3), text.length - offset);
        edits.push({ offset, length, content: ['', 'X', 'YY'][Math.floor(r() * 3)]! });
        at = offset + length + (length === 0 ? 1 : 0);
      }
      const shuffled = [...edits].sort(() => r() - 0.5);
      expect(applyEdits(text, shuffled), `seed ${SEED + 3}, case ${i}`).toBe(naiveApply(text, shuffled));
    }
    expect(() => applyEdits('abcdef', [{ offset: 1, length: 3, content: '' }, { offset: 2, length: 1, content: '' }])).toThrow(RangeError);
  });
});

describe('numbers of many digits', () => {
  const U64_MAX = (1n << 64n) - 1n;
  it('read as strtoul/strtol read them, without parsing every digit', () => {
    const r = rng(SEED + 4);
    for (let i = 0; i < 2000; i++) {
      const zeros = '0'.repeat(Math.floor(r() * 30));
      let digits = '';
      for (let k = Math.floor(r() * 30); k > 0; k--) digits += String(Math.floor(r() * 10));
      const sign = ['', '-', '+'][Math.floor(r() * 3)]!;
      const s = `${sign}${zeros}${digits}x`;
      if (zeros + digits === '') continue;
      const mag = BigInt(zeros + digits);
      const scan = scanDecimal(s);
      expect(scan.overflow, s).toBe(mag > U64_MAX);
      if (mag <= U64_MAX) expect(scan.value, s).toBe(mag);
      expect(scan.end).toBe(s.length - 1);
      const u = strtoull(s);
      expect(u.value, s).toBe(mag > U64_MAX ? U64_MAX : sign === '-' && mag !== 0n ? (1n << 64n) - mag : mag);
      const l = strtol(s).value;
      const signed = sign === '-' ? -mag : mag;
      expect(l, s).toBe(signed > (1n << 63n) - 1n ? (1n << 63n) - 1n : signed < -(1n << 63n) ? -(1n << 63n) : signed);
    }
    // 4 MB of digits: overflow, read at once
    expect(scanDecimal('9'.repeat(4 << 20)).overflow).toBe(true);
  });
});

describe('did-you-mean', () => {
  it('gives the answer of comparing with every candidate', () => {
    const naive = (input: string, candidates: readonly string[]) => {
      let best: string | null = null;
      let bestD = Infinity;
      for (const c of candidates) { const d = editDistance(input.toLowerCase(), c); if (d < bestD) { bestD = d; best = c; } }
      return bestD <= (input.length <= 4 ? 1 : 2) ? best : null;
    };
    const r = rng(SEED + 5);
    const candidates = ['nproc', 'nofile', 'core', 'as', 'memlock', 'maxlogins', 'maxsyslogins', 'rtprio', 'cpu', 'stack'];
    for (let i = 0; i < 2000; i++) {
      let s = candidates[Math.floor(r() * candidates.length)]!;
      for (let k = Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * (s.length + 1));
        s = r() < 0.5 ? s.slice(0, at) + 'xo'[Math.floor(r() * 2)] + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      expect(didYouMean(s, candidates), s).toBe(naive(s, candidates));
    }
  });
});

describe('accounts and suggestions at scale', () => {
  it('identitiesOf gives identityFromDb for every user (random passwd and group)', () => {
    const r = rng(SEED + 6);
    const name = (p: string) => `${p}${Math.floor(r() * 12)}`;
    for (let i = 0; i < 200; i++) {
      const users = Array.from({ length: Math.floor(r() * 12) }, () => ({ name: name('u'), uid: Math.floor(r() * 5), gid: Math.floor(r() * 6), home: '/', shell: '/bin/sh' }));
      const groups = Array.from({ length: Math.floor(r() * 12) }, () => ({ name: name('g'), gid: Math.floor(r() * 6), members: Array.from({ length: Math.floor(r() * 4) }, () => name('u')) }));
      const db = { users, groups };
      const seen = new Set<string>();
      const want = users.filter((u) => !seen.has(u.name) && seen.add(u.name)).map((u) => identityFromDb(db, u.name));
      expect(identitiesOf(db), `seed ${SEED + 6}, case ${i}`).toEqual(want);
    }
  });

  it('distanceWithin agrees with editDistance up to the limit', () => {
    const r = rng(SEED + 7);
    const word = () => Array.from({ length: Math.floor(r() * 9) }, () => 'abc'[Math.floor(r() * 3)]).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = word();
      const limit = 1 + Math.floor(r() * 3);
      const d = editDistance(a, b);
      const w = distanceWithin(a, b, limit);
      if (d <= limit) expect(w, `${a} ${b} ${limit}`).toBe(d); else expect(w, `${a} ${b} ${limit}`).toBeGreaterThan(limit);
    }
  });

  it('suggester gives didYouMean\'s answer', () => {
    const r = rng(SEED + 8);
    const word = (n: number) => Array.from({ length: n }, () => 'abcde'[Math.floor(r() * 5)]).join('');
    const candidates = [...Array.from({ length: 300 }, () => word(1 + Math.floor(r() * 8))), 'x'.repeat(40), 'y'.repeat(41)];
    const s = suggester(candidates);
    for (let i = 0; i < 3000; i++) {
      const input = r() < 0.05 ? `${'x'.repeat(39)}${word(1)}` : word(Math.floor(r() * 10));
      expect(s(input), `seed ${SEED + 8}: '${input}'`).toBe(didYouMean(input, candidates));
    }
  });
});

describe('1× and 4× the line length', () => {
  /**
   * `lines` lines from `seed`, every part of each line `stretch` times as long: account names
   * (known `uN`, unknown `vN`, padded with x), the blanks between fields and a trailing comment;
   * the domains '*' and '@users' and the other fields keep their text. Returns the tree's files
   * and its accounts (40 users uN in group users).
   */
  function stretched(seed: number, lines: number, stretch: number) {
    const r = rng(seed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    const name = (p: string, i: number) => `${p}${i}`.padEnd(8 * stretch, 'x');
    const gap = ' '.repeat(3 * stretch);
    const out: string[] = [];
    for (let i = 0; i < lines; i++) {
      const x = r();
      const domain = x < 0.7 ? name('u', Math.floor(r() * 40)) : x < 0.8 ? name('v', Math.floor(r() * 40)) : x < 0.9 ? '*' : '@users';
      const filler = Math.floor(r() * 1e9).toString(36);
      const comment = r() < 0.5 ? `${gap}# ${filler.repeat(Math.ceil((16 * stretch) / filler.length)).slice(0, 16 * stretch)}` : '';
      out.push(`${domain}${gap}${pick(['soft', 'hard', '-', 'sfot'])}${gap}${pick(['nproc', 'nofile', 'core', 'maxlogins', 'priority', 'nprc'])}${gap}${pick(['1', '10', '4096', 'unlimited', '-1', '0', '12x'])}${comment}`);
    }
    const files = [0, 1, 2, 3].map((f) => ({ path: `etc/security/limits.d/${10 + f}-gen.conf`, text: `${out.slice((f * lines) / 4, ((f + 1) * lines) / 4).join('\n')}\n` }));
    const users = Array.from({ length: 40 }, (_, i) => ({ name: name('u', i), uid: 1000 + i, gid: 1000, home: `/home/u${i}`, shell: '/bin/sh' }));
    return { files, accounts: { db: { users, groups: [{ name: 'users', gid: 1000, members: [] }] }, hasPasswd: true, hasGroup: true } };
  }
  function lint(seed: number, stretch: number, profile: Profile) {
    const { files, accounts } = stretched(seed, 2000, stretch);
    const tf: TreeFile[] = [{ path: 'etc/security/limits.conf', role: 'main', status: 'ok', doc: parseLimits(Buffer.from('# empty\n'), { file: 'etc/security/limits.conf', profile }) }];
    for (const f of files) tf.push({ path: f.path, role: 'dropin', status: 'ok', doc: parseLimits(Buffer.from(f.text, 'latin1'), { file: f.path, profile }) });
    return lintTarget({ tree: { profile, files: tf, ignored: [], failure: null }, accounts }).diagnostics;
  }
  /** A finding with what stretching changes taken out: positions, padded names, runs of blanks, comment text. */
  const plain = (d: Diagnostic) => JSON.stringify({
    code: d.code, severity: d.severity, file: d.file, line: d.line, endLine: d.endLine, fixes: d.fix?.length ?? 0,
    message: d.message.replace(/\b([uv]\d+)x+\b/g, '$1').replace(/ +/g, ' ').replace(/# [0-9a-z]+/g, '# …'),
  });

  for (const profile of ['linux-pam-1.5.2', 'debian-12'] as const) {
    it(`gives the same findings, line for line (${profile}, ${seedNote(SEED)})`, () => {
      const one = lint(SEED + 9, 1, profile);
      const four = lint(SEED + 9, 4, profile);
      const codes = new Set(one.map((d) => d.code));
      // the input is varied enough to mean something: unknown users, bad items and types, dead lines
      for (const code of ['LC304', 'LC003', 'LC203']) expect(codes.has(code), `1× findings include ${code}`).toBe(true);
      expect(four.length).toBe(one.length);
      expect(four.map(plain)).toEqual(one.map(plain));
    });
  }
});

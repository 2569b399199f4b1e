/**
 * `set`, `unset` and `apply` on large files print and write exactly what they printed and wrote
 * before the large-file work of issue 14 (item 5): status lines, notes, warnings, the --dry-run
 * diff (context lines and headers included), --json, and the written bytes (as SHA-256).
 *
 * set-large.golden.json was recorded from the code before that change (commit in its `recordedAt`)
 * by running this file with LIMITSCTL_RECORD_GOLDEN=1; every run since compares against it. The
 * trees are generated here from fixed seeds (not from bench/gen.mjs, which may change), on top of
 * a copy of fixtures/demo (its accounts, its limits.d drop-in).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO, runMain } from './helpers.js';

const GOLDEN = path.join(__dirname, 'set-large.golden.json');
const RECORD = process.env.LIMITSCTL_RECORD_GOLDEN === '1';
/** with RECORD: the scenarios to record (names, '|'-separated); the others keep their golden */
const ONLY = process.env.LIMITSCTL_RECORD_ONLY?.split('|');

/** xorshift32, as the bench uses: the same seed gives the same tree on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 0x100000000; };
}

const DOMAINS = ['*', 'admin', 'deploy', '@developers', '@ops', 'postgres', '1000:1999', '@:2000', 'www-data', 'alice'];
const ITEMS = ['nproc', 'nofile', 'core', 'stack', 'memlock', 'as', 'cpu', 'rtprio', 'nice', 'maxlogins', 'msgqueue', 'sigpending'];
const TYPES = ['soft', 'hard', '-'];
const VALUES = ['1024', '4096', '65536', 'unlimited', '0', '8192', '-1', '100', '10'];

/** One line of a realistic file: entries, comments, blank lines, the odd inline comment. */
function line(r: () => number, odd: boolean): string {
  const x = r();
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  if (x < 0.15) return `# comment ${Math.floor(r() * 1e6)} about limits and why they were set`;
  if (x < 0.2) return '';
  if (odd) {
    // what a diff or a parser could trip on: repeated lines, controls, invalid UTF-8, tabs, long lines
    if (x < 0.21) return 'admin - nofile 4096';
    if (x < 0.215) return `bob\t-\tnproc\t${pick(VALUES)}\x01`;
    if (x < 0.22) return `carol - nproc 10 # caf\xc3\xa9 \xff`;
    if (x < 0.2201) return `dave - nofile ${'9'.repeat(5)}${' '.repeat(1100)}admin - nofile 77`;
    if (x < 0.23) return '\t \t';
  }
  const entry = `${pick(DOMAINS).padEnd(16)}${pick(TYPES).padEnd(8)}${pick(ITEMS).padEnd(16)}${pick(VALUES)}`;
  return x < 0.25 ? `${entry}    # ticket OPS-${Math.floor(r() * 9999)}` : entry;
}

interface TreeSpec {
  readonly lines: number;
  readonly seed: number;
  readonly odd?: boolean;
  readonly eol?: '\n' | '\r\n';
  /** the last line without a newline */
  readonly noFinalNewline?: boolean;
  readonly endMarker?: boolean;
}

function makeTree(spec: TreeSpec): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-set-large-'));
  cpSync(DEMO, root, { recursive: true });
  const r = rng(spec.seed);
  const out: string[] = [];
  for (let i = 0; i < spec.lines; i++) out.push(line(r, spec.odd === true));
  if (spec.endMarker) out.push('', '# End of file');
  const eol = spec.eol ?? '\n';
  writeFileSync(path.join(root, 'etc/security/limits.conf'), Buffer.from(`${out.join(eol)}${spec.noFinalNewline ? '' : eol}`, 'latin1'));
  return root;
}

interface Step {
  readonly argv: readonly string[];
  /** a policy file for apply, written to <root>/policy.ini */
  readonly policy?: string;
}

interface Scenario {
  readonly name: string;
  readonly tree: TreeSpec;
  readonly steps: readonly Step[];
}

const BIG: TreeSpec = { lines: 100_000, seed: 7 };
const ODD: TreeSpec = { lines: 20_000, seed: 11, odd: true, endMarker: true };
const CRLF: TreeSpec = { lines: 20_000, seed: 13, odd: true, eol: '\r\n', noFinalNewline: true };

const dry = (...a: string[]): Step => ({ argv: [...a, '--dry-run'] });
const run = (...a: string[]): Step => ({ argv: a });
const json = (...a: string[]): Step => ({ argv: ['--json', ...a] });

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a new user: new line, written twice (the second unchanged)', tree: BIG,
    steps: [dry('set', 'nofile', '1000', '--user', 'benchuser'), run('set', 'nofile', '1000', '--user', 'benchuser'), run('set', 'nofile', '1001', '--user', 'benchuser'),
      run('set', 'nofile', '1001', '--user', 'benchuser'), json('set', 'nofile', '1002', '--user', 'benchuser', '--dry-run')],
  },
  {
    name: 'an existing user: the winning line edited, a half split, --at-least, --comment', tree: BIG,
    steps: [dry('set', 'nproc', '4096', '--user', 'admin'), run('set', 'nproc', '4097', '--user', 'admin', '--comment', 'ticket 1'),
      dry('set', 'nproc', '5000', '--user', 'admin', '--type', 'soft'), run('set', 'nproc', '5000', '--user', 'admin', '--type', 'soft'),
      dry('set', 'nproc', '10', '--user', 'admin', '--at-least'), dry('set', 'core', '0', '--user', 'alice', '--at-most'),
      json('set', 'nofile', '65536', '--user', 'admin', '--dry-run')],
  },
  {
    name: 'groups, everyone and ranges: every account of the tree checked', tree: BIG,
    steps: [dry('set', 'nofile', '8192', '--group', 'developers'), dry('set', 'nproc', '2048', '--all'), dry('set', 'nproc', '2048', '--all', '--force'),
      dry('set', 'memlock', 'unlimited', '--domain', '1000:1999'), dry('set', 'nofile', '4096', '--domain', '@:2000', '--type', 'hard'),
      dry('set', 'maxlogins', '3', '--group', 'ops'), json('set', 'nofile', '8192', '--group', 'developers', '--dry-run')],
  },
  {
    name: 'unset: hundreds of lines removed (a diff of many hunks)', tree: BIG,
    steps: [dry('unset', 'nofile', '--user', 'admin'), dry('unset', 'nproc', '--all', '--type', 'soft'), run('unset', 'core', '--user', 'alice'),
      run('unset', 'core', '--user', 'alice'), json('unset', 'stack', '--domain', '1000:1999', '--dry-run')],
  },
  {
    name: 'apply with --prune', tree: { lines: 20_000, seed: 17 },
    steps: [{ argv: ['apply', 'policy.ini', '--dry-run'], policy: '[admin]\nnofile = 4096\nnproc.soft = 100\n\n[benchuser]\ncore = 0\n' },
      { argv: ['apply', 'policy.ini', '--prune', '--dry-run'], policy: '[postgres]\nnofile = 4096\n' },
      { argv: ['apply', 'policy.ini', '--prune'], policy: '[www-data]\nnofile = 4096\nnproc = 512\n' }],
  },
  {
    name: 'odd content: repeated lines, controls, invalid UTF-8, an over-long line, an End of file marker', tree: ODD,
    steps: [dry('set', 'nofile', '5000', '--user', 'admin'), dry('set', 'nofile', '5000', '--user', 'newuser'), dry('unset', 'nofile', '--user', 'admin'),
      dry('set', 'nproc', '20', '--user', 'bob'), dry('set', 'nproc', '20', '--user', 'carol', '--comment', 'café'), run('unset', 'nproc', '--user', 'carol'),
      dry('unset', 'nofile', '--user', 'dave'), json('set', 'nproc', '30', '--user', 'bob', '--dry-run')],
  },
  {
    name: 'CRLF, no final newline', tree: CRLF,
    steps: [dry('set', 'nofile', '5000', '--user', 'newuser'), dry('set', 'nofile', '5000', '--user', 'admin'), run('unset', 'nofile', '--user', 'admin'),
      run('set', 'nproc', '77', '--user', 'zed'), dry('set', 'nproc', '78', '--user', 'zed', '--type', 'hard')],
  },
];

interface StepResult {
  argv: string;
  code: number;
  stdout: string;
  stderr: string;
  /** SHA-256 of every file under etc/security after the step (writes included) */
  files: Record<string, string>;
}

/** Long output (diffs of hundreds of hunks) kept as its head, tail, length and SHA-256. */
function compact(t: string): string {
  if (t.length <= 4000) return t;
  return `${t.slice(0, 1500)}\n…[${t.length} chars, sha256 ${createHash('sha256').update(t).digest('hex')}]…\n${t.slice(-1500)}`;
}

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = `${rel}/${name}`;
      if (name === '.limitsctl.lock') continue;
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else out[r] = createHash('sha256').update(readFileSync(path.join(root, r))).digest('hex');
    }
  };
  walk('etc/security');
  return out;
}

async function runScenario(s: Scenario): Promise<StepResult[]> {
  const root = makeTree(s.tree);
  try {
    const results: StepResult[] = [];
    for (const step of s.steps) {
      if (step.policy !== undefined) writeFileSync(path.join(root, 'policy.ini'), step.policy);
      const r = await runMain([...step.argv, '--root', root, '--profile', 'debian-12'], { cwd: root });
      const norm = (t: string) => compact(t.split(root).join('<ROOT>'));
      results.push({ argv: step.argv.join(' '), code: r.code, stdout: norm(r.stdout), stderr: norm(r.stderr), files: snapshot(root) });
    }
    return results;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const recorded: Record<string, StepResult[]> = {};
const stored = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) as { recordedAt: string; scenarios: Record<string, StepResult[]> } : null;
const golden: Record<string, StepResult[]> = stored?.scenarios ?? {};

describe('set/unset/apply on large files: output and bytes as before the large-file work', () => {
  for (const s of SCENARIOS) {
    if (RECORD && ONLY && !ONLY.includes(s.name)) continue;
    it(s.name, async () => {
      const got = await runScenario(s);
      if (RECORD) { recorded[s.name] = got; return; }
      const want = golden[s.name];
      expect(want, `no golden for '${s.name}': record with LIMITSCTL_RECORD_GOLDEN=1 on the code it should match`).toBeDefined();
      expect(got.length).toBe(want!.length);
      // step by step, so a failure names the command
      for (let i = 0; i < got.length; i++) expect({ ...got[i] }, got[i]!.argv).toEqual(want![i]);
    }, 600_000);
  }
  afterAll(() => {
    if (!RECORD) return;
    const scenarios = ONLY ? { ...golden, ...recorded } : recorded;
    writeFileSync(GOLDEN, `${JSON.stringify({ recordedAt: process.env.LIMITSCTL_GOLDEN_COMMIT ?? stored?.recordedAt ?? 'unknown', scenarios }, null, 1)}\n`);
  });
});

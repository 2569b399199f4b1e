/**
 * Streaming lint (trees linted one at a time, findings written as produced) prints what lint
 * printed when it loaded every tree first and formatted one report at the end: the same exit
 * code, the same text and GitHub output byte for byte, the same JSON and SARIF documents (equal
 * once parsed: streaming moves `results` before the keys that need every finding, so the key
 * order differs), the same stderr and the same files written by --fix. One change is expected:
 * with several trees, text `--fix --dry-run` prints each tree's diff before that tree's findings
 * instead of every diff first; that case compares the lines in any order.
 *
 * today.json holds what the CLI of commit 810f059 (before streaming) printed for each case,
 * as SHA-256 digests: exact bytes for text, canonical JSON (keys sorted) for json/sarif. It was
 * written by running this file with LIMITSCTL_TODAY_BIN=<that commit's bin/limitsctl.js> and
 * LIMITSCTL_WRITE_TODAY=1; a case whose digest differs writes what it got to a temp file named
 * in the failure. Spawns the built CLI (dist/).
 *
 * Re-recorded on purpose since: the six sarif and github cases, when SARIF results gained
 * `partialFingerprints` and the github format its summary annotation past GitHub's 10 per kind
 * (src/formatters/github.ts). Checked first: a build without those two changes gave exactly the
 * recorded digests of 810f059 for the six cases. The nine json and sarif cases again for release
 * 0.2.0, whose documents carry the tool's version: the 0.1.0 build's output with "0.1.0" replaced
 * by "0.2.0" gave exactly the new digests, and no other case changed. "a glob of files, github"
 * again when LC306 of a file of the tree that was not read (a drop-in linking outside the tree)
 * began to be said on the file linted on its own: the build before that change gave the recorded
 * digest, and the new output is it plus that one finding and its count.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../../cli/helpers.js';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly kind: 'text' | 'json';
  readonly env?: Record<string, string>;
  /** run in a fresh copy of fixtures/lint (the case writes: --fix) and digest the copy afterwards */
  readonly copy?: boolean;
  /** compare text as its non-empty lines in any order (several trees' --fix --dry-run diffs) */
  readonly anyOrder?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'repository, text', args: ['lint', 'fixtures/lint'], kind: 'text' },
  { name: 'repository, json', args: ['lint', 'fixtures/lint', '-f', 'json'], kind: 'json' },
  { name: 'repository, sarif', args: ['lint', 'fixtures/lint', '-f', 'sarif'], kind: 'json' },
  { name: 'repository, github', args: ['lint', 'fixtures/lint', '-f', 'github'], kind: 'text' },
  { name: 'repository, sarif with a docs URL', args: ['lint', 'fixtures/lint', '-f', 'sarif'], kind: 'json', env: { LIMITSCTL_DOCS_URL: 'https://docs.example.org/limitsctl' } },
  { name: 'repository --quiet, text', args: ['lint', 'fixtures/lint', '--quiet'], kind: 'text' },
  { name: 'repository --quiet, json', args: ['lint', 'fixtures/lint', '--quiet', '-f', 'json'], kind: 'json' },
  { name: 'repository --quiet, github', args: ['lint', 'fixtures/lint', '--quiet', '-f', 'github'], kind: 'text' },
  { name: 'warnings only, --max-warnings 0, text', args: ['lint', 'fixtures/lint/duplicate-entry/bad', 'fixtures/lint/crlf-line-endings/bad', '--max-warnings', '0'], kind: 'text' },
  { name: 'warnings only, --max-warnings 9, json', args: ['lint', 'fixtures/lint/duplicate-entry/bad', 'fixtures/lint/crlf-line-endings/bad', '--max-warnings', '9', '-f', 'json'], kind: 'json' },
  { name: 'one tree --fix --dry-run, text', args: ['lint', 'fixtures/lint/duplicate-entry/bad', '--fix', '--dry-run'], kind: 'text' },
  { name: 'repository --fix --dry-run, text', args: ['lint', 'fixtures/lint', '--fix', '--dry-run'], kind: 'text', anyOrder: true },
  { name: 'repository --fix --dry-run, json', args: ['lint', 'fixtures/lint', '--fix', '--dry-run', '-f', 'json'], kind: 'json' },
  { name: 'repository --fix --dry-run, sarif (diff on stderr)', args: ['lint', 'fixtures/lint', '--fix', '--dry-run', '-f', 'sarif'], kind: 'json' },
  { name: 'release trees under --profile auto, json', args: ['lint', 'fixtures/releases', '-f', 'json'], kind: 'json' },
  { name: 'a glob of files, github', args: ['lint', 'fixtures/lint/*/bad/etc/security/limits.conf', '-f', 'github'], kind: 'text' },
  { name: '--root, text', args: ['lint', '--root', 'fixtures/demo'], kind: 'text' },
  { name: 'repository --fix (written), json', args: ['lint', '.', '--fix', '-f', 'json'], kind: 'json', copy: true },
  { name: 'repository --fix (written), text', args: ['lint', '.', '--fix'], kind: 'text', copy: true },
];

interface Seen {
  code: number | null;
  stdout: string;
  stderr: string;
  /** text: non-empty lines sorted */
  lines?: string;
  /** --fix cases: every file of the copy, path and bytes */
  tree?: string;
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** JSON with every object's keys sorted: equal for documents equal once parsed. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

function treeDigest(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else h.update(`${r}\0`).update(readFileSync(path.join(dir, r))).update('\0');
    }
  };
  walk('');
  return h.digest('hex');
}

const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

function run(bin: string, c: Case): { seen: Seen; raw: { stdout: string; stderr: string } } {
  let cwd = REPO;
  if (c.copy) {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-stream-today-'));
    temps.push(cwd);
    cpSync(path.join(REPO, 'fixtures/lint'), cwd, { recursive: true });
  }
  const r = spawnSync(process.execPath, [bin, ...c.args], {
    cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1', LIMITSCTL_DOCS_URL: '', ...c.env },
  });
  // the checkout's path (cwd, absolute file: URIs) is the same placeholder wherever it is cloned
  const bare = (t: string) => t.split(REPO).join('<REPO>');
  const stdout = bare(r.stdout);
  const seen: Seen = {
    code: r.status,
    stdout: sha(c.kind === 'json' ? JSON.stringify(canonical(JSON.parse(stdout))) : stdout),
    stderr: sha(bare(r.stderr)),
    ...(c.kind === 'text' ? { lines: sha(stdout.split('\n').filter((l) => l !== '').sort().join('\n')) } : {}),
    ...(c.copy ? { tree: treeDigest(cwd) } : {}),
  };
  return { seen, raw: { stdout: r.stdout, stderr: r.stderr } };
}

const TODAY = path.join(__dirname, 'today.json');

describe('streaming lint prints what lint printed before streaming', () => {
  if (process.env.LIMITSCTL_WRITE_TODAY === '1') {
    it('writes today.json from LIMITSCTL_TODAY_BIN', () => {
      const bin = process.env.LIMITSCTL_TODAY_BIN;
      expect(bin, 'set LIMITSCTL_TODAY_BIN to the bin/limitsctl.js to record').toBeTruthy();
      const out: Record<string, Seen> = {};
      for (const c of CASES) out[c.name] = run(bin!, c).seen;
      writeFileSync(TODAY, `${JSON.stringify(out, null, 2)}\n`);
    }, 600_000);
    return;
  }
  const today = JSON.parse(readFileSync(TODAY, 'utf8')) as Record<string, Seen>;
  for (const c of CASES) {
    it(c.name, () => {
      const want = today[c.name];
      expect(want, `${c.name} is not in today.json`).toBeDefined();
      const { seen, raw } = run(BIN, c);
      const keep = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-stream-got-'));
      writeFileSync(path.join(keep, 'stdout'), raw.stdout);
      writeFileSync(path.join(keep, 'stderr'), raw.stderr);
      const where = `${c.name} (output kept in ${keep})`;
      expect(seen.code, where).toBe(want!.code);
      if (c.anyOrder) expect(seen.lines, where).toBe(want!.lines);
      else expect(seen.stdout, where).toBe(want!.stdout);
      expect(seen.stderr, where).toBe(want!.stderr);
      if (c.copy) expect(seen.tree, where).toBe(want!.tree);
      rmSync(keep, { recursive: true, force: true });
    });
  }
});

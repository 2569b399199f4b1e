/**
 * limitsctl reads a limits file of at most 16 MiB (src/io/read.ts MAX_LIMITS_FILE_BYTES) and
 * refuses a larger one. An edit that would write a file above that cap is refused before anything
 * is written (src/io/commit.ts preflight, ETOOLARGE): set, unset and apply, dry run, --check and
 * --json alike — exit 2, a message naming the file, the size it would have and the cap, and every
 * byte, mode and mtime of the tree as it was (no lock, temporary file, backup or journal left).
 * Before the fix `set` on a file of exactly 16 MiB wrote 16 MiB + 20 bytes, which every later
 * command then refused to read. A change that lands exactly on the cap is written, and read back.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LIMITS_FILE_BYTES } from '../../src/io/read.js';
import { cli, runMain } from './helpers.js';
import { demoCopies } from './trees.js';

const demoCopy = demoCopies('limitsctl-size-cap-');
const CONF = 'etc/security/limits.conf';

/** Pad `file` with comment lines (pam_limits skips them) to exactly `size` bytes. */
function padTo(file: string, size: number): void {
  const have = statSync(file).size;
  const line = `# ${'x'.repeat(77)}\n`; // 80 bytes
  const lines = Math.floor((size - have) / line.length);
  appendFileSync(file, line.repeat(lines));
  const rest = size - have - lines * line.length;
  if (rest > 0) appendFileSync(file, rest === 1 ? '\n' : `#${'y'.repeat(rest - 2)}\n`);
  expect(statSync(file).size).toBe(size);
}

/** Every entry of the tree: kind, mode, mtime (ns) and the SHA-256 of a file's bytes. */
function state(dir: string, rel = '.', into: Map<string, string> = new Map()): Map<string, string> {
  const abs = path.join(dir, rel);
  const st = lstatSync(abs, { bigint: true });
  if (st.isDirectory()) {
    const names = readdirSync(abs).sort();
    into.set(rel, `dir ${st.mode.toString(8)} ${st.mtimeNs} ${names.join('/')}`);
    for (const n of names) state(dir, path.join(rel, n), into);
  } else {
    into.set(rel, `${st.mode.toString(8)} ${st.mtimeNs} ${st.isFile() ? createHash('sha256').update(readFileSync(abs)).digest('hex') : ''}`);
  }
  return into;
}

let growth: number | undefined;
/** How many bytes `set nofile 4096 --user admin` adds to limits.conf of a demo tree. */
async function growthOfSet(): Promise<number> {
  if (growth !== undefined) return growth;
  const d = demoCopy();
  const before = statSync(path.join(d, CONF)).size;
  const r = await runMain(['set', 'nofile', '4096', '--user', 'admin', '--root', d]);
  expect(r.code, r.stderr).toBe(0);
  growth = statSync(path.join(d, CONF)).size - before;
  return growth;
}

const SET = ['set', 'nofile', '4096', '--user', 'admin'];
const refusal = (size: number) => new RegExp(
  `refusing to write \\S*/etc/security/limits\\.conf: its new content would be ${size} bytes, above limitsctl's ${MAX_LIMITS_FILE_BYTES}-byte cap \\(16 MiB\\)`,
);

describe('an edit that would write a limits file above the 16 MiB read cap', () => {
  it('set on a file of exactly 16 MiB: exit 2 with the file, its size and the cap; nothing written (the built bin)', async () => {
    const grows = await growthOfSet();
    expect(grows).toBeGreaterThan(0);
    const d = demoCopy();
    padTo(path.join(d, CONF), MAX_LIMITS_FILE_BYTES);
    const before = state(d);
    for (const extra of [[], ['-n']]) {
      const r = cli([...SET, '--root', d, ...extra]);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(refusal(MAX_LIMITS_FILE_BYTES + grows));
      expect(r.stderr).toMatch(/nothing was written/);
      expect(r.stdout).toBe('');
      expect([...state(d)].filter(([k, v]) => before.get(k) !== v), extra.join(' ')).toEqual([]);
      expect(state(d).size).toBe(before.size);
    }
  });

  it('--check, --json, --backup, and apply: the same refusal, nothing written', async () => {
    const d = demoCopy();
    padTo(path.join(d, CONF), MAX_LIMITS_FILE_BYTES);
    const policy = path.join(d, 'policy.ini');
    writeFileSync(policy, '[admin]\nnofile = 4096\n');
    const before = state(d);
    for (const argv of [[...SET, '--check'], [...SET, '--backup'], ['apply', policy], ['apply', policy, '--dry-run']]) {
      const r = await runMain([...argv, '--root', d]);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/its new content would be \d+ bytes, above limitsctl's 16777216-byte cap/);
      expect(state(d)).toEqual(before);
    }
    const r = await runMain([...SET, '--json', '--root', d]);
    expect(r.code).toBe(2);
    const err = (JSON.parse(r.stdout) as { error: { code: string; errno: string; message: string } }).error;
    expect(err).toMatchObject({ code: 'io', errno: 'ETOOLARGE' });
    expect(err.message).toMatch(/limits\.conf: its new content would be \d+ bytes/);
    expect(state(d)).toEqual(before);
  });

  it('a change that ends exactly on the cap is written, and the file is read back', async () => {
    const grows = await growthOfSet();
    const d = demoCopy();
    padTo(path.join(d, CONF), MAX_LIMITS_FILE_BYTES - grows);
    const r = await runMain([...SET, '--root', d]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(path.join(d, CONF)).size).toBe(MAX_LIMITS_FILE_BYTES);
    const got = await runMain(['get', 'nofile', '--user', 'admin', '--root', d, '--json']);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/4096/);
  });
});

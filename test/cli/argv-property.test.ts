/**
 * Property: a command line that fails changes nothing. Random mutations (seeded) of valid
 * set / unset / apply / lint --fix argument lists — a token dropped, duplicated, misspelled,
 * emptied, moved, or an extra word added — run in-process on a copy of the demo tree (with a
 * fixable duplicate added) in a scratch working directory that also holds the policy file.
 * Whenever the exit code is not 0, every byte, mode and mtime there is unchanged; no run prints a
 * stack trace or "internal error".
 *
 * The seed is printed; rerun one with LIMITSCTL_SEED=<seed>. LIMITSCTL_PROPERTY_RUNS sets the
 * number of runs (default 1000).
 *
 * Safety: `--root=tree` is one token that no mutation drops or edits, so no run can fall back to
 * the default root (/): at worst it is duplicated (a usage error) or moved.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { rng, testSeed } from '../seed.js';
import { cli, DEMO } from './helpers.js';
import { differences, snapshot } from './snapshot.js';

const ROOT_TOKEN = '--root=tree';

/** Valid command lines (without the root), each one a change on the demo tree or a no-op. */
const BASES: readonly string[][] = [
  ['set', 'nproc', '4096', '--user', 'admin', '--comment', 'more builds', '--type', 'soft'],
  ['set', 'nofile', '-', '--group', 'developers', '--backup'],
  ['set', 'core', '0', '--all', '--type', 'soft', '--check'],
  ['set', 'nproc', '300', '--user', 'admin', '--file', 'etc/security/limits.d/95-admin.conf', '--force'],
  ['set', 'nice', '-5', '--domain', '@developers', '--dry-run'],
  ['unset', 'nofile', '--user', 'postgres'],
  ['unset', 'nofile', '--group', 'developers', '--type', 'soft', '--strict'],
  ['apply', 'policy.ini', '--prune'],
  ['apply', 'policy.ini', '--backup', '--json'],
  ['lint', '--fix', 'tree'],
  ['lint', '--fix', '--dry-run', 'tree', '--format', 'json'],
];

const POLICY = '[admin]\nnproc = 2048\nnofile.soft = 4096\n\n[@developers]\nnofile = 8192\n';

type Mutation = (argv: string[], r: () => number) => string;

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
/** indices of tokens a mutation may edit or drop (never the root token) */
const editable = (argv: string[]) => argv.map((_, i) => i).filter((i) => argv[i] !== ROOT_TOKEN);
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz-'];

function misspell(word: string, r: () => number): string {
  const i = 1 + Math.floor(r() * Math.max(1, word.length - 1));
  switch (Math.floor(r() * 4)) {
    case 0: return word.slice(0, i) + word.slice(i + 1); // drop a letter (dry-run → dryrun)
    case 1: return word.slice(0, i) + pick(LETTERS, r) + word.slice(i); // add one
    case 2: return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : `${word}s`; // swap two
    default: return word.slice(0, i) + pick(LETTERS, r) + word.slice(i + 1); // replace one
  }
}

const MUTATIONS: Record<string, Mutation> = {
  drop(argv, r) {
    if (editable(argv).length === 0) return MUTATIONS.extra!(argv, r);
    const i = pick(editable(argv), r);
    return `drop ${JSON.stringify(argv.splice(i, 1)[0])}`;
  },
  duplicate(argv, r) {
    const i = Math.floor(r() * argv.length);
    const at = Math.floor(r() * (argv.length + 1));
    argv.splice(at, 0, argv[i]!);
    return `duplicate ${JSON.stringify(argv[at])}`;
  },
  duplicateOption(argv, r) {
    // an option with its value again: --user admin --user admin
    const opts = editable(argv).filter((i) => argv[i]!.startsWith('--') && i + 1 < argv.length && !argv[i + 1]!.startsWith('--'));
    if (opts.length === 0) return MUTATIONS.duplicate!(argv, r);
    const i = pick(opts, r);
    argv.push(argv[i]!, argv[i + 1]!);
    return `repeat ${argv[i]} ${argv[i + 1]}`;
  },
  misspellOption(argv, r) {
    const opts = editable(argv).filter((i) => argv[i]!.startsWith('--'));
    if (opts.length === 0) return MUTATIONS.drop!(argv, r);
    const i = pick(opts, r);
    const before = argv[i]!;
    argv[i] = `--${misspell(before.slice(2), r)}`;
    return `misspell ${before} → ${argv[i]}`;
  },
  misspellWord(argv, r) {
    if (editable(argv).length === 0) return MUTATIONS.extra!(argv, r);
    const i = pick(editable(argv), r);
    const before = argv[i]!;
    argv[i] = misspell(before, r);
    return `change ${JSON.stringify(before)} → ${JSON.stringify(argv[i])}`;
  },
  empty(argv, r) {
    const can = editable(argv).filter((j) => j > 0);
    if (can.length === 0) return MUTATIONS.extra!(argv, r);
    const i = pick(can, r);
    const before = argv[i]!;
    argv[i] = before.startsWith('--') && r() < 0.5 ? `${before.replace(/=.*$/, '')}=` : '';
    return `empty ${JSON.stringify(before)}`;
  },
  move(argv, r) {
    const i = Math.floor(r() * argv.length);
    const [tok] = argv.splice(i, 1);
    const at = Math.floor(r() * (argv.length + 1));
    argv.splice(at, 0, tok!);
    return `move ${JSON.stringify(tok)} to ${at}`;
  },
  swap(argv, r) {
    const i = Math.floor(r() * argv.length);
    const j = Math.floor(r() * argv.length);
    [argv[i], argv[j]] = [argv[j]!, argv[i]!];
    return `swap ${i} ${j}`;
  },
  extra(argv, r) {
    const at = Math.floor(r() * (argv.length + 1));
    argv.splice(at, 0, pick(['extra', 'nproc', '5', '-', 'admin', 'tree', '--', '-x', '--user'], r));
    return `insert ${JSON.stringify(argv[at])} at ${at}`;
  },
};

interface Outcome { code: number; out: string; err: string }

async function runInProcess(argv: string[], cwd: string): Promise<Outcome> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    isTTY: false,
    env: { NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const scratch: string[] = [];
afterAll(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });

/** A fresh working directory: tree/ (the demo tree plus a fixable duplicate) and policy.ini. */
function workdir(base: string): string {
  const w = path.join(base, `w${scratch.length}`);
  scratch.push(w);
  mkdirSync(w);
  cpSync(DEMO, path.join(w, 'tree'), { recursive: true });
  appendFileSync(path.join(w, 'tree/etc/security/limits.conf'), 'ftp hard nproc 10\nftp hard nproc 10\n');
  writeFileSync(path.join(w, 'policy.ini'), POLICY);
  return w;
}

describe('property: a failing command line changes nothing', () => {
  it('every unmodified base command line works (so the mutations test something)', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-argv-'));
    scratch.push(base);
    for (const b of BASES) {
      const w = workdir(base);
      const r = await runInProcess([...b, ROOT_TOKEN], w);
      expect(r.code, `${b.join(' ')}\n${r.err}`).toBe(b.includes('--check') ? 1 : 0);
    }
  }, 120_000);

  it('≥ 1,000 random mutations: exit ≠ 0 ⇒ tree, policy and cwd unchanged; never a stack trace', async () => {
    const seed = testSeed('argv property');
    const runs = Number(process.env.LIMITSCTL_PROPERTY_RUNS ?? 1000);
    console.log(`argv property: ${runs} runs`);
    const r = rng(seed);
    const base = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-argv-'));
    scratch.push(base);
    const names = Object.keys(MUTATIONS);
    let w = workdir(base);
    const codes = new Map<number, number>();
    for (let n = 0; n < runs; n++) {
      const argv = [...pick(BASES, r)];
      argv.splice(Math.floor(r() * (argv.length + 1)), 0, ROOT_TOKEN);
      const steps: string[] = [];
      const count = 1 + Math.floor(r() * 3);
      for (let k = 0; k < count; k++) steps.push(MUTATIONS[pick(names, r)]!(argv, r));
      const before = snapshot(w);
      const res = await runInProcess(argv, w);
      codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
      const what = `seed ${seed} run ${n}: limitsctl ${argv.map((a) => JSON.stringify(a)).join(' ')} (${steps.join('; ')}) → exit ${res.code}\n${res.err}`;
      expect(`${res.out}${res.err}`, what).not.toMatch(/^\s+at |internal error/m);
      if (res.code !== 0) {
        expect(differences(before, snapshot(w)), what).toEqual([]);
        if (res.code === 2) expect(res.err, what).toMatch(/^limitsctl: /m);
      } else if (differences(before, snapshot(w)).length > 0) {
        w = workdir(base); // a successful change: start the next run from a fresh tree
      }
    }
    console.log(`argv property: exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
    // most mutations are usage errors, but not all: the property saw both sides
    expect(codes.get(2) ?? 0).toBeGreaterThan(runs / 4);
    expect((codes.get(0) ?? 0) + (codes.get(1) ?? 0)).toBeGreaterThan(0);
  }, 600_000);

  it('a handful of mutated command lines end to end (spawned)', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-argv-'));
    scratch.push(base);
    for (const argv of [
      ['set', 'nproc', '4096', '--user', 'admin', ROOT_TOKEN, '--dryrun'],
      ['apply', 'policy.ini', '--prune', ROOT_TOKEN, 'policy.ini'],
      ['lint', '--fix', 'tree', ROOT_TOKEN, '--fromat', 'json'],
      ['unset', 'nofile', '--user', ROOT_TOKEN, '--type', 'soft'],
      ['set', 'nproc', '300', '--user', 'admin', '--user', 'admin', ROOT_TOKEN],
    ]) {
      const w = workdir(base);
      const before = snapshot(w);
      const res = cli(argv, { cwd: w });
      expect(res.code, `${argv.join(' ')}\n${res.stderr}`).toBe(2);
      expect(res.stderr).not.toMatch(/^\s+at |internal error/m);
      expect(differences(before, snapshot(w))).toEqual([]);
    }
  }, 120_000);
});

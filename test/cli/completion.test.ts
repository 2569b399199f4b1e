/**
 * `limitsctl completion` in a real bash: the printed script is sourced, COMP_WORDS/COMP_CWORD are
 * set as bash sets them on Tab, the completion function it registers runs the built CLI (a
 * `limitsctl` on PATH that runs bin/limitsctl.js), and COMPREPLY is read back. Needs dist/ (npm
 * run build) like every test that spawns the CLI.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ITEM_NAMES } from '../../src/core/schema.js';
import { completions } from '../../src/cli/completion.js';
import { GLOBAL_OPTIONS, GRAMMAR, PROFILES } from '../../src/cli/fast-path.js';
import { LINT_FORMATS } from '../../src/formatters/lint-format-names.js';
import { BIN } from './helpers.js';

const HAVE_BASH = spawnSync('bash', ['--version']).status === 0;
if (!HAVE_BASH) console.warn('bash completion tests skipped: no bash on PATH');
let binDir = '';

/** COMPREPLY for the command line `line` (the last word, possibly '', is under the cursor). */
function tab(...words: string[]): string[] {
  const script = [
    'source <(limitsctl completion)',
    // the function the script registers for limitsctl, whatever its name
    'fn=$(complete -p limitsctl | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p")',
    'COMP_WORDS=(limitsctl "$@")',
    'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
    'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}',
    '"$fn" limitsctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], {
    encoding: 'utf8',
    env: { PATH: `${binDir}:${process.env.PATH}`, SHELL: '/bin/bash', HOME: binDir, NO_COLOR: '1' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe.skipIf(!HAVE_BASH)('bash completion (real bash, the script limitsctl completion prints)', () => {
  beforeAll(() => {
    binDir = mkdtempSync(path.join(tmpdir(), 'limitsctl-completion-'));
    const wrapper = path.join(binDir, 'limitsctl');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
    chmodSync(wrapper, 0o755);
  });

  it('the commands, first', () => {
    expect(tab('')).toEqual(expect.arrayContaining([...Object.keys(GRAMMAR), 'completion']));
    expect(tab('ex')).toEqual(['explain']);
  });

  it('item names for <item>', () => {
    expect(tab('set', '')).toEqual([...ITEM_NAMES]);
    expect(tab('get', 'no')).toEqual(['nofile', 'nonewprivs']);
    expect(tab('explain', '--user', 'admin', 'npr')).toEqual(['nproc']);
  });

  it('--type, --profile and --format values', () => {
    expect(tab('set', 'nproc', '5', '--type', '')).toEqual(['soft', 'hard', 'both', '-']);
    expect(tab('set', 'nproc', '5', '-t', 'h')).toEqual(['hard']);
    expect(tab('get', 'nproc', '--profile', '')).toEqual([...PROFILES]);
    expect(tab('get', 'nproc', '--profile', 'rhel-8')).toEqual(['rhel-8.5', 'rhel-8']);
    // bash splits --profile=deb at '='
    expect(tab('get', '--profile', '=', 'debian-1')).toEqual(['debian-10', 'debian-11', 'debian-12', 'debian-13']);
    expect(tab('lint', '--format', '')).toEqual([...LINT_FORMATS]);
    expect(tab('lint', '-f', 'ju')).toEqual(['junit']);
  });

  it('profile names for profiles, rule codes and names for rules', () => {
    expect(tab('profiles', 'ubuntu')).toEqual(['ubuntu-20.04', 'ubuntu-22.04', 'ubuntu-24.04']);
    expect(tab('rules', 'LC20')).toEqual(expect.arrayContaining(['LC201', 'LC209']));
    expect(tab('rules', 'never')).toEqual(['never-wins']);
  });

  it('options as --name, single-letter aliases as -u (never --u), those given left out', () => {
    const all = tab('set', 'nproc', '5', '-');
    expect(all).toEqual(expect.arrayContaining(['--user', '-u', '--group', '-g', '--type', '-t', '--dry-run', '-n', '--root', '--profile']));
    expect(all.filter((o) => /^--[a-z]$/.test(o))).toEqual([]);
    for (const [name, spec] of Object.entries({ ...GLOBAL_OPTIONS, ...GRAMMAR.set!.options })) {
      expect(all).toContain(`--${name}`);
      if (spec.alias) expect(all).toContain(`-${spec.alias}`);
    }
    expect(tab('set', 'nproc', '5', '--user', 'admin', '--u')).toEqual(['--unit']);
    expect(tab('lint', '--q')).toEqual(['--quiet']);
  });

  it('nothing for paths, so bash completes file names', () => {
    expect(tab('lint', '')).toEqual([]);
    expect(tab('get', 'nproc', '--root', '')).toEqual([]);
    expect(tab('apply', '')).toEqual([]);
  });
});

describe('completion candidates (completions(), without a shell)', () => {
  it('a value after an option taken as a value is not a command', () => {
    expect(completions(['--root', 'set', ''])).toEqual(expect.arrayContaining(['get', 'set']));
    expect(completions(['--profile', 'debian', 'get', ''])).toEqual([...ITEM_NAMES]);
  });
  it('--name=value in one word', () => {
    expect(completions(['get', '--profile=rhel-1'])).toEqual(['--profile=rhel-10']);
  });
  it('doctor --item offers the resource limits only', () => {
    expect(completions(['doctor', '--item', 'ma'])).toEqual([]);
    expect(completions(['doctor', '--item', 'mem'])).toEqual(['memlock']);
  });
});

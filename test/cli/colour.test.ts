/**
 * When the CLI colours its output: --color/--no-color, then NO_COLOR, FORCE_COLOR, TERM=dumb, then
 * whether stdout is a terminal (wantColor in src/cli/context.ts; docs/limitsctl.1, ENVIRONMENT).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIO, wantColor } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { REPO } from './helpers.js';

// eslint-disable-next-line no-control-regex
const ESC = /\u001b\[/;

/** Run the CLI in-process with the given environment (only these variables) and terminal flag. */
async function run(argv: string[], env: NodeJS.ProcessEnv, isTTY: boolean): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CliIO = { stdout: (t) => { stdout += t; }, stderr: () => {}, isTTY, env, cwd: REPO };
  const code = await main(argv, io);
  return { code, stdout };
}

describe('colour', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, boolean, boolean | undefined, boolean]> = [
    ['a terminal', { TERM: 'xterm-256color' }, true, undefined, true],
    ['a pipe', { TERM: 'xterm-256color' }, false, undefined, false],
    ['TERM=dumb on a terminal', { TERM: 'dumb' }, true, undefined, false],
    ['NO_COLOR=1 on a terminal', { TERM: 'xterm', NO_COLOR: '1' }, true, undefined, false],
    ['an empty NO_COLOR is not set', { TERM: 'xterm', NO_COLOR: '' }, true, undefined, true],
    ['FORCE_COLOR=1 on a pipe', { FORCE_COLOR: '1' }, false, undefined, true],
    ['FORCE_COLOR=1 with TERM=dumb', { TERM: 'dumb', FORCE_COLOR: '1' }, true, undefined, true],
    ['FORCE_COLOR=0 on a terminal', { TERM: 'xterm', FORCE_COLOR: '0' }, true, undefined, false],
    ['FORCE_COLOR=false on a terminal', { TERM: 'xterm', FORCE_COLOR: 'false' }, true, undefined, false],
    ['an empty FORCE_COLOR is not set', { FORCE_COLOR: '' }, false, undefined, false],
    ['NO_COLOR wins over FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, true, undefined, false],
    ['--color wins over TERM=dumb and NO_COLOR', { TERM: 'dumb', NO_COLOR: '1' }, false, true, true],
    ['--no-color wins over FORCE_COLOR', { FORCE_COLOR: '1' }, true, false, false],
  ];
  for (const [name, env, isTTY, flag, expected] of cases) {
    it(`${name}: ${expected ? 'colour' : 'no colour'}`, () => {
      expect(wantColor({ env, isTTY }, flag)).toBe(expected);
    });
  }

  it('TERM=dumb: lint on a terminal writes no escape sequence; the same run with TERM=xterm does', async () => {
    const tree = path.join(REPO, 'fixtures/lint/duplicate-entry/bad');
    const argv = ['lint', '--root', tree, '--profile', 'debian-12'];
    const coloured = await run(argv, { TERM: 'xterm' }, true);
    expect(coloured.stdout).toContain('duplicate-entry');
    expect(coloured.stdout).toMatch(ESC);
    const dumb = await run(argv, { TERM: 'dumb' }, true);
    expect(dumb.code).toBe(coloured.code);
    expect(dumb.stdout).not.toMatch(ESC);
    // the same text, less the colour
    // eslint-disable-next-line no-control-regex
    expect(dumb.stdout).toBe(coloured.stdout.replace(/\u001b\[\d+m/g, ''));
  });
});

/** --help, the manual page and the README describe the same command line. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS, GRAMMAR } from '../../src/cli/fast-path.js';
import { cli, REPO } from './helpers.js';

const MAN = readFileSync(path.join(REPO, 'docs/limitsctl.1'), 'utf8').replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');
const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');

describe('help and manual in step with the grammar', () => {
  it('every option of every command is in its --help and in the manual page', () => {
    for (const [command, g] of Object.entries(GRAMMAR)) {
      const help = cli([command, '--help']);
      expect(help.code).toBe(0);
      for (const name of [...Object.keys(GLOBAL_OPTIONS), ...Object.keys(g.options)]) {
        expect(help.stdout, `${command} --help`).toContain(`--${name}`);
        expect(MAN, `docs/limitsctl.1: --${name}`).toMatch(new RegExp(`--${name}\\b`));
      }
    }
  });

  it('exit code 2 means the same everywhere: usage, input or I/O error, nothing was written', () => {
    const help = cli(['--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('2 usage, input or I/O error: nothing was written');
    expect(MAN.replace(/\s+/g, ' ')).toContain('Usage, input or I/O error; a refused edit: nothing was written');
    expect(README.replace(/\s+/g, ' ')).toContain('`2` usage, input or I/O error: nothing was written');
  });
});

import { describe, expect, it } from 'vitest';
import { parseFast } from '../../src/cli/fast-path.js';
import { cli, DEMO } from './helpers.js';

describe('the start-up fast path', () => {
  const cases: string[][] = [
    ['get', 'nproc', '--user', 'admin', '--root', DEMO],
    ['get', 'nofile', '--user=alice', `--root=${DEMO}`, '--json'],
    ['effective', '--user', 'admin', '--root', DEMO, '--json'],
    ['effective', '--user', 'root', '--root', DEMO, '--profile', 'upstream'],
    ['explain', 'nproc', '--user', 'admin', '--root', DEMO, '--all'],
    ['files', '--root', DEMO, '--json'],
    ['get', 'npoc', '--user', 'admin', '--root', DEMO],
    ['get', 'nproc', '--user', 'nobody-here', '--root', DEMO],
    ['effective', '--user', 'ghost', '--uid', '5000', '--groups', 'developers', '--root', DEMO, '--no-color'],
  ];
  for (const argv of cases) {
    it(`gives the same output as yargs: ${argv.filter((a) => !a.includes(DEMO)).join(' ')}`, () => {
      expect(parseFast(argv)).not.toBeNull();
      const { ms: _fast, ...fast } = cli(argv);
      const { ms: _slow, ...slow } = cli(argv, { env: { LIMITSCTL_NO_FAST_PATH: '1' } });
      expect(fast).toEqual(slow);
    });
  }

  it('leaves everything unusual to yargs', () => {
    for (const argv of [
      ['get', 'nproc', '-u', 'admin'],            // alias
      ['get', 'nproc', '--help'],
      ['get', 'nproc', '--user', 'a', '--user', 'b'],
      ['get', 'nproc', '--bogus', 'x'],
      ['get', '--user', 'admin'],                  // missing positional
      ['get', 'nproc', 'extra', '--user', 'a'],
      ['effective', '--user', 'x', '--uid', 'abc'],
      ['effective', '--user', 'x', '--uid', '-5'],
      ['files', '--profile', 'weird'],
      ['files', '--json=yes'],
      ['set', 'nproc', '1', '--user', 'a'],
      ['--version'],
    ]) {
      expect(parseFast(argv), argv.join(' ')).toBeNull();
    }
  });
});

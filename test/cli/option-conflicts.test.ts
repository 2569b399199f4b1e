/**
 * Options a command would ignore or read two ways are refused (exit 2, one line, nothing runs),
 * and --help prints every example command on one line.
 */
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import { COMMANDS, main } from '../../src/cli/main.js';
import { DEMO, runMain } from './helpers.js';

describe('options that contradict each other or would be ignored', () => {
  it('lint --json --format text: exit 2, not text with exit 0', async () => {
    for (const argv of [['lint', '--root', DEMO, '--json', '--format', 'text'], ['lint', '--root', DEMO, '--format=sarif', '--json'], ['lint', '--root', DEMO, '--json', '-f', 'github']]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--json and --format (text|sarif|github) contradict each other/);
      expect(r.stderr).not.toMatch(/LC\d{3}|problem/); // nothing was linted
    }
  });

  it('lint --json --format json is one request, not a conflict', async () => {
    const r = await runMain(['lint', '--root', DEMO, '--json', '--format', 'json']);
    expect(r.code).not.toBe(2);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('--format json asks for the JSON error envelope only of lint (the one command with --format)', async () => {
    for (const argv of [['rules', 'LC003', '--format', 'json'], ['get', 'nofile', '-f=json', '--root', DEMO], ['--root', DEMO, 'files', '--format=json']]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr).toMatch(/unknown option --format|unknown option -f/);
    }
    // lint's own --format json, also after a global option's value: the envelope on stdout
    for (const argv of [['lint', '--format', 'json', '--max-warnings', '-5'], ['--root', 'lint', 'lint', '-f', 'json', '--max-warnings', '-5']]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout), argv.join(' ')).toHaveProperty('error.message');
    }
  });

  it('completion takes no options: --json does not print the bash script', async () => {
    for (const argv of [['completion', '--json'], ['--json', 'completion'], ['completion', '--root', DEMO], ['completion', 'extra']]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).not.toMatch(/bash|compdef|complete -/);
      expect(r.stderr).toMatch(/completion takes no options or arguments/);
    }
    const plain = await runMain(['completion']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/limitsctl/);
  });

  it('demo --json is one JSON object, not ignored (test/schemas validates it)', async () => {
    const r = await runMain(['demo', '--root', DEMO, '--json']);
    expect(r.stdout.startsWith('{')).toBe(true);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 1, user: 'admin', nproc: { applied: true } });
  });
});

describe('--help examples', () => {
  async function help(command: string, columns: number): Promise<string> {
    let out = '';
    const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, isTTY: true, env: { NO_COLOR: '1' }, cwd: DEMO, columns };
    expect(await main([command, '--help'], io)).toBe(0);
    return out;
  }

  it('every example command is printed whole on one line, on a terminal 80 columns wide or wider', async () => {
    for (const spec of COMMANDS) {
      const name = spec.command.split(' ')[0]!;
      for (const columns of [80, 100, 140]) {
        const lines = (await help(name, columns)).split('\n').map((l) => l.trim());
        for (const [cmd] of spec.examples ?? []) {
          expect(lines.some((l) => l === cmd || l.startsWith(`${cmd}  `)), `${name} --help at ${columns} columns: ${cmd}`).toBe(true);
        }
      }
    }
  });
});

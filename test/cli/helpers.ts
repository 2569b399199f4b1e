import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { CliIO } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';

export const REPO = path.resolve(__dirname, '../..');
export const BIN = path.join(REPO, 'bin/limitsctl.js');
export const DEMO = path.join(REPO, 'fixtures/demo');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** the working directory the command sees (default: the repository) */
  cwd?: string;
  /** added to the environment (NO_COLOR=1 is always set) */
  env?: NodeJS.ProcessEnv;
}

/**
 * Run the built CLI as its own process (dist/ is built by `npm test` before vitest starts): for
 * the end-to-end cases — the bin script, signals, pipes, stdin.
 */
export function cli(args: string[], options: RunOptions & { input?: string; timeout?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeout ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Run the CLI in this process: `main(argv, io)` from src/cli/main.ts with an io that captures
 * stdout and stderr, with the given cwd and environment (the process's own are not changed). Same
 * result shape as {@link cli}; a test can switch between the two.
 */
export async function runMain(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? REPO,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

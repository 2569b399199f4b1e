/**
 * The command-line front end. Thin: it declares commands and options with yargs, loads the
 * command's module only when that command runs, and turns results and errors into exit codes
 * (0 ok, 1 findings / would change, 2 usage, input or I/O error).
 */
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type { CliIO } from './context.js';
import { UsageError } from './errors.js';
import { parseFast } from './fast-path.js';

const require = createRequire(import.meta.url);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (args: any, io: CliIO) => Promise<number> | number;
type Loader = () => Promise<{ run: Handler }>;

interface CommandSpec {
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv;
  readonly load: Loader;
  readonly examples?: ReadonlyArray<readonly [string, string]>;
}

const PROFILES = ['auto', 'debian', 'upstream', 'upstream-1.7'];

function identityOptions(y: Argv): Argv {
  return y
    .option('user', { alias: 'u', type: 'string', describe: 'account name (looked up in <root>/etc/passwd, or NSS on the live system)' })
    .option('uid', { type: 'number', describe: 'uid of a hypothetical account (or override)' })
    .option('gid', { type: 'number', describe: 'primary gid of a hypothetical account (or override)' })
    .option('groups', { type: 'string', describe: 'extra group names for a hypothetical account, comma-separated' });
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    command: 'files',
    describe: 'List the files pam_limits reads, in order, and those it ignores',
    builder: (y) => y.option('conf', { type: 'string', describe: "as pam_limits' conf= option: only this file (path inside the root)" }),
    load: () => import('./commands/files.js'),
    examples: [['limitsctl files --root fixtures/demo', 'files of the demo tree']],
  },
  {
    command: 'get <item>',
    describe: "Show a user's effective soft and hard value of one item, and where each comes from",
    builder: (y) => identityOptions(y.positional('item', { type: 'string', describe: 'item, e.g. nproc' })),
    load: () => import('./commands/get.js'),
    examples: [['limitsctl get nproc --user admin', "admin's nproc and the line that sets it"]],
  },
  {
    command: 'effective',
    describe: 'Show every effective limit of a user (table, or --json)',
    builder: (y) => identityOptions(y),
    load: () => import('./commands/effective.js'),
    examples: [['limitsctl effective --user admin --json', 'machine-readable (see docs/effective-json.md)']],
  },
  {
    command: 'explain <item>',
    describe: 'Explain every line that matches a user for one item: rank, and why it won or lost',
    builder: (y) => identityOptions(y.positional('item', { type: 'string' }))
      .option('all', { type: 'boolean', default: false, describe: 'also list lines for the item that do not match the user' }),
    load: () => import('./commands/explain.js'),
  },
  {
    command: 'set <item> <value>',
    describe: 'Set a limit so that it really takes effect: edits the line that wins, idempotently',
    builder: (y) => editOptions(targetOptions(y.positional('item', { type: 'string' }).positional('value', { type: 'string' })))
      .option('comment', { type: 'string', describe: 'comment to put on the written line' })
      .option('at-least', { type: 'boolean', describe: 'only raise (for nice and priority: only allow more)' })
      .option('at-most', { type: 'boolean', describe: 'only lower' }),
    load: () => import('./commands/set.js'),
    examples: [
      ['limitsctl set nproc 4096 --user admin --dry-run', 'show the diff, write nothing'],
      ['limitsctl set nofile 65536 --group developers --type soft', 'a soft limit for a group'],
      ['limitsctl set core 0 --all --type hard --check', 'CI: exit 1 if the tree does not have it yet'],
    ],
  },
  {
    command: 'unset <item>',
    describe: 'Remove the lines of a domain for an item (every duplicate, in every file)',
    builder: (y) => editOptions(targetOptions(y.positional('item', { type: 'string' }))),
    load: () => import('./commands/unset.js'),
  },
  {
    command: 'apply <policy>',
    describe: 'Apply a declarative policy (ini: [domain] sections of item = value) as one change',
    builder: (y) => editOptions(y.positional('policy', { type: 'string', describe: 'policy file (ini)' }))
      .option('prune', { type: 'boolean', describe: "remove entries of the policy's domains that it does not name" }),
    load: () => import('./commands/apply.js'),
    examples: [['limitsctl apply limits-policy.ini --dry-run', 'see docs/editing.md for the format']],
  },
  {
    command: 'doctor',
    describe: 'Why does fork() fail? A user\'s tasks against nproc, pid_max, threads-max, cgroup pids and memory; whether pam_limits applies',
    builder: (y) => y
      .option('user', { alias: 'u', type: 'string', describe: 'account to diagnose (default: SUDO_USER, else you)' })
      .option('proc', { type: 'string', describe: 'proc file system to read, e.g. a snapshot (default: <root>/proc if present, else /proc)' })
      .option('sys', { type: 'string', describe: 'sys file system to read, e.g. a snapshot (default: <root>/sys if present, else /sys)' })
      .option('top', { type: 'number', describe: 'how many command groups to list (default 10)' }),
    load: () => import('./commands/doctor.js'),
    examples: [
      ['sudo limitsctl doctor --user admin', 'why admin\'s forks fail, on this machine'],
      ['limitsctl doctor --root snap --json', 'a captured snapshot (snap/proc, snap/sys, snap/etc), for monitoring; exit 1 at >= 90 %'],
    ],
  },
  {
    command: 'lint [paths..]',
    describe: 'Check configuration as pam_limits reads it: trees, etc/security directories, files or globs (default: --root)',
    builder: (y) => y
      .positional('paths', { type: 'string', array: true, describe: 'roots holding etc/security, etc/security directories, files or globs' })
      .option('format', { alias: 'f', type: 'string', choices: ['text', 'json', 'sarif', 'github'], describe: 'output format (default text; --json means json)' })
      .option('max-warnings', { type: 'number', describe: 'exit 1 when there are more warnings than this' })
      .option('config', { alias: 'c', type: 'string', describe: 'settings file (default: .limitsctl.ini here or in a parent directory)' })
      .option('fix', { type: 'boolean', default: false, describe: 'apply the safe fixes (dead duplicates, keyword case, stray header)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'with --fix: print the fixes as a unified diff, write nothing' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'report errors only' }),
    load: () => import('./commands/lint.js'),
    examples: [
      ['limitsctl lint --root fixtures/demo', 'lint one tree'],
      ["limitsctl lint 'hosts/*' --format sarif > lint.sarif", 'every host tree of a config repository, as SARIF'],
      ['limitsctl lint --fix --dry-run', 'show what --fix would change'],
    ],
  },
  {
    command: 'demo',
    describe: 'The main job on a tree: its files, admin\'s nproc and why, and lint',
    builder: (y) => y.option('user', { type: 'string', default: 'admin' }),
    load: () => import('./commands/demo.js'),
  },
];

function targetOptions(y: Argv): Argv {
  return y
    .option('user', { alias: 'u', type: 'string', describe: 'a user name' })
    .option('group', { alias: 'g', type: 'string', describe: 'a group name (written @group)' })
    .option('all', { type: 'boolean', describe: 'everyone (written *)' })
    .option('domain', { type: 'string', describe: 'any pam_limits domain, e.g. 1000:1999 or @:100' })
    .option('type', { alias: 't', type: 'string', default: 'both', describe: 'soft, hard or both (written -)' });
}

function editOptions(y: Argv): Argv {
  return y
    .option('dry-run', { alias: 'n', type: 'boolean', describe: 'print the unified diff, write nothing' })
    .option('check', { type: 'boolean', describe: 'like --dry-run, and exit 1 when something would change' })
    .option('backup', { type: 'boolean', describe: 'keep the old file as <name>.<time>.bak when it changes' })
    .option('file', { type: 'string', describe: 'file for new lines (inside the root), e.g. etc/security/limits.d/80-app.conf' })
    .option('force', { type: 'boolean', describe: 'write even when another line keeps the change from taking effect' })
    .option('strict', { type: 'boolean', describe: 'unknown users or groups are errors' });
}

function yargsFactory(): (args: string[]) => Argv {
  // yargs 17's CommonJS build starts noticeably faster than its ESM entry point.
  return require('yargs/yargs') as (args: string[]) => Argv;
}

function version(): string {
  return (require('../../package.json') as { version: string }).version;
}

/** The process's streams and environment (kept here so start-up loads no other module). */
export function processIO(): CliIO {
  return {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const fast = io.env.LIMITSCTL_NO_FAST_PATH ? null : parseFast(argv);
  if (fast) {
    const spec = COMMANDS.find((c) => c.command.split(' ')[0] === fast.command)!;
    try {
      return await (await spec.load()).run(fast.args, io);
    } catch (e) {
      return reportError(e, io);
    }
  }
  let exitCode = 0;
  let usageFailure: string | null = null;
  const y = yargsFactory()(argv)
    .scriptName('limitsctl')
    .usage('$0 <command> [options]\n\nInspect, explain, lint and safely edit pam_limits configuration (limits.conf, limits.d) exactly as pam_limits reads it.')
    .option('root', { type: 'string', default: '/', describe: 'root of the tree to work on (holds etc/security)', global: true })
    .option('profile', { type: 'string', default: 'auto', choices: PROFILES, describe: 'pam_limits variant: debian (1.5.2 + Debian patches), upstream (1.5.x), upstream-1.7, or auto (from <root>/etc/os-release)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output', global: true })
    .option('color', { type: 'boolean', describe: 'colour output (default: on a TTY, off with NO_COLOR)', global: true })
    .strict()
    .demandCommand(1, 'Name a command; see limitsctl --help.')
    .recommendCommands()
    .completion('completion', 'Print a bash/zsh completion script')
    .version(version())
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok, 1 findings or --check would change something, 2 usage, input or I/O error.\nManual: docs/limitsctl.1 and docs/*.md in the package.')
    .exitProcess(false)
    .fail((msg: string | null, err: Error | null) => {
      if (err) throw err;
      usageFailure = msg ?? 'invalid usage';
    });
  for (const spec of COMMANDS) {
    y.command(spec.command, spec.describe, (b: Argv) => {
      const built = spec.builder(b);
      for (const [cmd, desc] of spec.examples ?? []) built.example(cmd, desc);
      return built;
    }, async (args: Record<string, unknown>) => {
      const mod = await spec.load();
      exitCode = await mod.run(args, io);
    });
  }
  try {
    await y.parseAsync();
  } catch (e) {
    return reportError(e, io);
  }
  if (usageFailure !== null) {
    io.stderr(`limitsctl: ${usageFailure as string}\nRun 'limitsctl --help' for usage.\n`);
    return 2;
  }
  return exitCode;
}

function reportError(e: unknown, io: CliIO): number {
  if (e instanceof UsageError) {
    io.stderr(`limitsctl: ${e.message}\n${e.hint ? `${e.hint}\n` : ''}`);
    return 2;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    io.stderr(`limitsctl: ${err.message}\n`);
    return 2;
  }
  io.stderr(`limitsctl: internal error: ${err?.stack ?? String(e)}\nPlease report this with the command you ran.\n`);
  return 2;
}

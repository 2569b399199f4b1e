/**
 * The command-line front end. Thin: argv is parsed strictly by the grammar in fast-path.ts before
 * anything is read or written (a usage fault exits 2 and no command runs); the command's module is
 * loaded only when that command runs; results and errors become exit codes (0 ok, 1 findings /
 * would change, 2 usage, input or I/O error: nothing was written). yargs is loaded only to print
 * help, the version and the completion script, from the same option table.
 */
import { existsSync, fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type { CliIO } from './context.js';
import { errorKind, LimitsError, type LimitsErrorCode, type LimitsErrorKind } from '../core/errors.js';
import { JSON_VERSIONS } from '../formatters/json-versions.js';
import { currentDirectory, CWD_LINK } from '../io/cwd.js';
import { HardLinkError } from '../io/write-errors.js';
import { ArgvError, type CommandGrammar, GLOBAL_OPTIONS, GRAMMAR, type OptionSpec, parseArgv, wantsJson } from './fast-path.js';
import { terminalSafe } from '../formatters/terminal.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (args: any, io: CliIO) => Promise<number> | number;
type Loader = () => Promise<{ run: Handler }>;

interface CommandSpec {
  readonly command: string;
  readonly describe: string;
  readonly load: Loader;
  readonly examples?: ReadonlyArray<readonly [string, string]>;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    command: 'files',
    describe: 'List the files pam_limits reads, in order, and those it ignores',
    load: () => import('./commands/files.js'),
    examples: [['limitsctl files --root fixtures/demo', 'files of the demo tree']],
  },
  {
    command: 'get <item>',
    describe: "Show a user's effective soft and hard value of one item, and where each comes from",
    load: () => import('./commands/get.js'),
    examples: [['limitsctl get nproc --user admin', "admin's nproc and the line that sets it"]],
  },
  {
    command: 'effective',
    describe: 'Show every effective limit of a user (table, or --json)',
    load: () => import('./commands/effective.js'),
    examples: [['limitsctl effective --user admin --json', 'machine-readable (see docs/effective-json.md)']],
  },
  {
    command: 'explain <item>',
    describe: 'Explain every line that matches a user for one item: rank, and why it won or lost',
    load: () => import('./commands/explain.js'),
  },
  {
    command: 'set <item> <value>',
    describe: 'Set a limit so that it really takes effect: edits the line that wins, idempotently',
    load: () => import('./commands/set.js'),
    examples: [
      ['limitsctl set nproc 4096 --user admin --dry-run', 'show the diff, write nothing'],
      ['limitsctl set nofile 65536 --group developers --type soft', 'a soft limit for a group'],
      ['limitsctl set nofile - --user admin', "'-' (unlimited) is a value like any other"],
      ['limitsctl set core 0 --all --type hard --check', 'CI: exit 1 if the tree does not have it yet'],
    ],
  },
  {
    command: 'unset <item>',
    describe: 'Remove the lines of a domain for an item (every duplicate, in every file)',
    load: () => import('./commands/unset.js'),
  },
  {
    command: 'apply <policy>',
    describe: 'Apply a declarative policy (ini: [domain] sections of item = value) as one change',
    load: () => import('./commands/apply.js'),
    examples: [['limitsctl apply limits-policy.ini --dry-run', 'see docs/editing.md for the format']],
  },
  {
    command: 'doctor',
    describe: 'Why does fork() fail? A user\'s tasks against nproc, pid_max, threads-max, cgroup pids and memory; whether pam_limits applies',
    load: () => import('./commands/doctor.js'),
    examples: [
      ['sudo limitsctl doctor --user admin', 'why admin\'s forks fail, on this machine'],
      ['limitsctl doctor --root snap --json', 'a captured snapshot (snap/proc, snap/sys, snap/etc), for monitoring; exit 1 at >= 90 %'],
      ['sudo limitsctl doctor --item nofile --unit elasticsearch', "one limit of a service's processes: which source wins (systemd, not limits.conf)"],
    ],
  },
  {
    command: 'lint [paths..]',
    describe: 'Check configuration as pam_limits reads it: trees, etc/security directories, files or globs (default: --root)',
    load: () => import('./commands/lint.js'),
    examples: [
      ['limitsctl lint --root fixtures/demo', 'lint one tree'],
      ["limitsctl lint 'hosts/*' --format sarif > lint.sarif", 'every host tree of a config repository, as SARIF'],
      ['limitsctl lint --fix --dry-run', 'show what --fix would change'],
    ],
  },
  {
    command: 'profiles [name..]',
    describe: 'List the release profiles (the pam_limits builds --profile names) and how they differ; ? marks cells not known for sure',
    load: () => import('./commands/profiles.js'),
    examples: [
      ['limitsctl profiles', 'the table, one row per profile'],
      ['limitsctl profiles rhel-7', 'one profile in full: traits, os-release patterns, items'],
      ['limitsctl profiles --json', 'the table as data (docs/schemas/profiles.schema.json)'],
    ],
  },
  {
    command: 'rules [rule..]',
    describe: 'List the lint rules: code, name, default severity, fixable, what each finds and its docs/rules.md section',
    load: () => import('./commands/rules.js'),
    examples: [
      ['limitsctl rules', 'the rule table'],
      ['limitsctl rules LC202 never-wins', 'two rules, by code or name'],
      ['limitsctl rules --json', 'the table as data (docs/schemas/rules.schema.json)'],
    ],
  },
  {
    command: 'demo',
    describe: 'The main job on a tree: its files, admin\'s nproc and why, and lint',
    load: () => import('./commands/demo.js'),
  },
];

const EXIT_CODES = 'Exit codes: 0 ok, 1 findings or --check would change something, 2 usage, input or I/O error: nothing was written.';

/** yargs' view of one option of the grammar (for help text and completion only). */
function yargsOption(spec: OptionSpec, global = false) {
  return {
    type: spec.kind,
    describe: spec.describe,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    ...(spec.choices ? { choices: [...spec.choices] } : {}),
    ...(global ? { global: true } : {}),
  };
}

function buildCommand(y: Argv, g: CommandGrammar): Argv {
  for (const p of g.positional) y = y.positional(p.name, { type: 'string', ...(p.variadic ? { array: true } : {}), ...(p.describe ? { describe: p.describe } : {}) });
  for (const [name, spec] of Object.entries(g.options)) y = y.option(name, yargsOption(spec));
  return y;
}

function yargsFactory(): (args: string[]) => Argv {
  // yargs 17's CommonJS build starts noticeably faster than its ESM entry point.
  return createRequire(import.meta.url)('yargs/yargs') as (args: string[]) => Argv;
}

function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * The yargs parser built from the same grammar, for help, --version and completion. `onCommand`
 * receives the parsed arguments if a command line reaches a command (never in main(); a test
 * uses it to show that yargs and the grammar read plain command lines alike).
 */
export function buildYargs(argv: string[], io: Pick<CliIO, 'columns'>, onCommand?: (command: string, args: Record<string, unknown>) => void): Argv {
  const wrap = Math.min(110, io.columns ?? 100);
  const y = yargsFactory()(argv)
    .scriptName('limitsctl')
    .usage('$0 <command> [options]\n\nInspect, explain, lint and safely edit pam_limits configuration (limits.conf, limits.d) exactly as pam_limits reads it.')
    .strict()
    .demandCommand(1, 'Name a command; see limitsctl --help.')
    .recommendCommands()
    .completion('completion', 'Print a bash/zsh completion script')
    .version(version())
    .alias('h', 'help')
    .wrap(wrap)
    .epilogue(`${EXIT_CODES}\nErrors are one line on stderr; with --json also {"version":1,"error":{"code","message"}} on stdout (docs/json.md).\nManual: docs/limitsctl.1 and docs/*.md in the package.`)
    .exitProcess(false)
    .fail((msg: string | null, err: Error | null) => {
      throw err ?? new ArgvError(msg ?? 'invalid usage');
    });
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) y.option(name, yargsOption(spec, true));
  for (const spec of COMMANDS) {
    const name = spec.command.split(' ')[0]!;
    y.command(spec.command, spec.describe, (b: Argv) => {
      const built = buildCommand(b, GRAMMAR[name]!);
      for (const [cmd, desc] of exampleRows(spec.examples ?? [], wrap)) built.example(cmd, desc);
      return built;
    }, (args: Record<string, unknown>) => {
      // main() sends only help, --version and completion here
      if (!onCommand) throw new ArgvError(`internal: ${name} reached the help printer`);
      onCommand(name, args);
    });
  }
  return y;
}

/**
 * A command's examples as yargs prints them. yargs gives the command column at most half the
 * wrap width and wraps a longer command mid-line (`--type soft` alone on the next line), which
 * reads as two commands; when one does not fit, every example of the command is printed on a
 * line of its own below its description, written as a shell comment.
 */
export function exampleRows(examples: ReadonlyArray<readonly [string, string]>, wrap: number): Array<[string, string]> {
  const column = Math.floor(wrap * 0.5);
  if (examples.every(([cmd]) => cmd.length <= column)) return examples.map(([cmd, desc]) => [cmd, desc]);
  return examples.map(([cmd, desc]) => [`# ${desc}\n${cmd}`, '']);
}

/** Print help, the version or the completion script with yargs (no command ever runs here). */
async function runYargs(argv: string[], io: CliIO): Promise<number> {
  let printed = '';
  await buildYargs(argv, io).parseAsync(argv, {}, (_err: Error | undefined, _argv: unknown, output: string) => { printed = output; });
  if (printed) io.stdout(printed.endsWith('\n') ? printed : `${printed}\n`);
  return 0;
}

/**
 * Whether standard output is a terminal, as tty.isatty(1) says, without loading node:tty (it
 * loads node:net and the stream modules) when the answer is plain: a file, pipe or socket is not
 * a character device, and /dev/null is a character device that is no terminal.
 */
function stdoutIsTTY(): boolean {
  let st;
  try {
    st = fstatSync(1);
  } catch {
    return false; // no descriptor 1 (EBADF): isatty(1) is false too
  }
  if (!st.isCharacterDevice()) return false;
  if (st.rdev === statSync('/dev/null', { throwIfNoEntry: false })?.rdev) return false;
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(1);
}

/**
 * The process's streams and environment (kept here so start-up loads no other module).
 *
 * Output goes straight to file descriptors 1 and 2 with fs.writeSync, so a command that prints a
 * few lines never makes process.stdout or process.stderr: making one loads Node's stream modules
 * (about twenty), a good part of a cold start. A descriptor that is non-blocking and full (EAGAIN,
 * e.g. a pipe another process set O_NONBLOCK on) makes the rest of that output go through the
 * stream, which waits for the reader; the bytes keep their order. Also returns stdoutBytes
 * (lint's byte-exact output of `--stdin --fix`, and its report's blocks): the caller may reuse
 * the bytes once it returns.
 */
export function processIO(): CliIO & { readonly stdoutBytes: (bytes: Buffer) => void } {
  // A reader that goes away (`limitsctl lint | head`) is not an error: later output is dropped
  // and the command finishes with its own exit code. Any other output error ends in exit 2.
  let failure: string | null = null;
  const closed = { stdout: false, stderr: false };
  const failed = (name: 'stdout' | 'stderr', e: NodeJS.ErrnoException) => {
    closed[name] = true;
    if (e.code !== 'EPIPE' && failure === null) failure = `cannot write to ${name}: ${e.code ?? e.message}`;
  };
  /** the stream of `name` once output went through it (EAGAIN); null while writes are direct */
  const streams: { stdout: NodeJS.WriteStream | null; stderr: NodeJS.WriteStream | null } = { stdout: null, stderr: null };
  const stream = (name: 'stdout' | 'stderr'): NodeJS.WriteStream => {
    let s = streams[name];
    if (s === null) {
      s = streams[name] = process[name];
      s.on('error', (e: NodeJS.ErrnoException) => failed(name, e));
    }
    return s;
  };
  const write = (name: 'stdout' | 'stderr', data: string | Buffer) => {
    if (closed[name]) return;
    const s = streams[name];
    // a stream keeps what it is given until written: bytes are copied (the caller may reuse them)
    if (s !== null) {
      s.write(typeof data === 'string' ? data : Buffer.from(data));
      return;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(name === 'stdout' ? 1 : 2, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
        failed(name, e as NodeJS.ErrnoException);
        return;
      }
      stream(name).write(Buffer.from(bytes.subarray(done)));
    }
  };
  // a write to a closed pipe fails at once when nothing is queued (the stream is errored before
  // the 'error' event); otherwise the failure comes through the event loop, while waiting in
  // stdoutReady()
  const stdoutClosed = () => {
    if (closed.stdout) return true;
    const out = streams.stdout as (NodeJS.WriteStream & { readonly writableErrored?: Error | null }) | null;
    return out !== null && ((out.writableErrored ?? null) !== null || out.destroyed);
  };
  const isTTY = stdoutIsTTY();
  return {
    stdout: (t) => write('stdout', t),
    stderr: (t) => write('stderr', t),
    stdoutBytes: (b) => write('stdout', b),
    isTTY,
    env: process.env,
    // a directory whose name is not UTF-8 is named /proc/self/cwd (io/cwd.ts); without /proc
    // that names nothing, so a relative path fails and the error says why (CWD_NOT_UTF8_HINT)
    cwd: currentDirectory() ?? process.cwd(),
    // only a terminal has a width (and only then is process.stdout made for it)
    ...(isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    outputFailure: () => failure,
    stdoutClosed,
    stdoutReady: () => {
      const out = streams.stdout;
      if (out === null || stdoutClosed() || !out.writableNeedDrain) return undefined;
      return new Promise<void>((resolve) => {
        const done = () => {
          for (const [event, fn] of [['drain', done], ['error', done], ['close', done]] as const) out.off(event, fn);
          resolve();
        };
        out.on('drain', done).on('error', done).on('close', done);
      });
    },
  };
}

/**
 * A bundle that holds only some commands (dist/limitsctl-core.cjs and dist/limitsctl-lint.cjs,
 * scripts/bundle.mjs: the ones most often run cold, without yargs): `holds` are the commands it runs itself; any other command
 * line (another command, help, --version, completion) goes whole, with the same io, to `whole`,
 * the complete CLI's main(), whose exit code is returned as it is.
 */
export interface PartialBundle {
  readonly holds: readonly string[];
  readonly whole: (argv: string[], io: CliIO) => Promise<number>;
}

/**
 * Run the CLI; returns the exit code. Never calls process.exit and never changes the process's
 * cwd, so it can run in-process (tests pass an io with their own cwd, env and streams).
 * `partial` is given only by a bundle that lacks commands (PartialBundle).
 */
export async function main(argv: string[], io: CliIO = processIO(), partial?: PartialBundle): Promise<number> {
  const json = wantsJson(argv);
  let code: number;
  let command: string | undefined; // the command word, once the command line is parsed
  try {
    const parsed = parseArgv(argv);
    if (parsed.kind !== 'yargs') command = parsed.command;
    if (partial && (parsed.kind === 'yargs' || !partial.holds.includes(parsed.command))) {
      return await partial.whole(argv, io);
    }
    if (argv[0] === '--get-yargs-completions') {
      // the completion script asks for candidates: from the grammar (completion.ts), not yargs'
      // own, which offers no values and shows -u as --u
      const { completions } = await import('./completion.js');
      const ruleNames = async () => (await import('../core/lint/rules.js')).RULES.flatMap((r) => [r.code, r.name]);
      const words = argv.slice(2);
      const names = words.includes('rules') ? await ruleNames() : [];
      io.stdout(completions(words, () => names).map((c) => `${c}\n`).join(''));
      code = 0;
    } else if (parsed.kind === 'yargs') {
      code = await runYargs(argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv, io);
    } else {
      const spec = COMMANDS.find((c) => c.command.split(' ')[0] === parsed.command)!;
      code = await (await spec.load()).run(parsed.args, io);
    }
  } catch (e) {
    code = reportError(e, io, json, command);
  }
  const failure = io.outputFailure?.() ?? null;
  if (failure !== null) {
    io.stderr(terminalSafe(`limitsctl: ${failure}\n`, false));
    return 2;
  }
  return code;
}

/** What an error means for the user: its kind for --json, one message, an optional hint. */
export interface ErrorReport {
  /**
   * The kind (src/core/errors.ts' table): usage: the command line; input: a value, file, account
   * or root it names; io: the file system; conflict: a file changed meanwhile; internal: a bug
   */
  readonly code: LimitsErrorKind | 'internal';
  readonly message: string;
  readonly hint?: string;
  /** the error code (the OS's EACCES…, or limitsctl's EOUTSIDEROOT…) of an io or conflict error */
  readonly errno?: string;
}

/**
 * Hints in the CLI's terms for codes whose library hint names no flag (the library speaks of a
 * target, an account's uid…; the command line has flags for them).
 */
const CLI_HINTS: Partial<Record<LimitsErrorCode, string>> = {
  ETARGET: 'Name it with one of --user, --group, --all or --domain, e.g. limitsctl set nproc 2048 --user admin',
  EUNKNOWNUSER: 'Check the name, or describe a hypothetical account with --uid/--gid/--groups.',
  EBADROOT: 'Pass the directory that holds etc/security as --root (default /).',
  EOUTSIDEROOT: 'The tree root is --root (default /).',
  EHARDLINK: 'Pass --force to replace this name only (the other names keep the old content).',
};

/**
 * The EHARDLINK hint of a command without --force (lint --fix): it never replaces one name of a
 * file that has others, so the hint names what does.
 */
const HARDLINK_HINT_WITHOUT_FORCE = 'Make the other names symlinks to this file, or change it with limitsctl set or unset --force (this name only; the other names keep the old content).';

/**
 * Classify an error thrown by a command, once, by its code (ERROR_CODES in src/core/errors.ts):
 * a LimitsError, or an OS error with an errno code, is a usage, input, io or conflict error (exit
 * 2, one message and a hint); anything else is an internal error (never a stack trace, except
 * with LIMITSCTL_DEBUG=1). `command` is the command word when known: a hint names only its
 * options.
 */
export function describeError(e: unknown, command?: string): ErrorReport {
  const err = e as Partial<LimitsError> | undefined;
  const kind = e instanceof LimitsError ? e.kind : e instanceof Error ? errorKind(err!.code) : null;
  if (kind === null || !(e instanceof Error)) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { code: 'internal', message: `internal error: ${what}`, hint: 'Please report this with the command you ran (LIMITSCTL_DEBUG=1 shows where it happened).' };
  }
  const code = err!.code as LimitsErrorCode;
  // a hint names only options the command has (`command`: its word, when known)
  const withoutForce = command !== undefined && GRAMMAR[command]?.options.force === undefined;
  const hint = code === 'EHARDLINK' && withoutForce
    ? HARDLINK_HINT_WITHOUT_FORCE
    : CLI_HINTS[code] ?? (e instanceof LimitsError ? e.hint : undefined);
  // a message that already starts with its code ("EACCES: permission denied…") is not prefixed
  // again; one that repeats it ("EACCES: EACCES: …") is shown once. A hard-link refusal names
  // the flag that replaces this name only, not the library's option (hardLinks 'split'); a
  // command without --force (lint --fix) has no such way, and its hint says what to do instead
  const message = e instanceof HardLinkError
    ? HardLinkError.saying(e.path, e.target, e.links, withoutForce ? null : '--force')
    : e.message.replace(/^(E[A-Z0-9]+): (?:\1: )+/, '$1: ');
  return {
    code: kind,
    message,
    ...(hint ? { hint } : {}),
    ...(kind === 'io' || kind === 'conflict' ? { errno: code } : {}),
  };
}

/**
 * Added to the hint of an error when the current directory has no name Node can use (io/cwd.ts:
 * not UTF-8, and no /proc/self/cwd): a relative path from it names nothing.
 */
const CWD_NOT_UTF8_HINT = "The current directory's name is not valid UTF-8, so relative paths cannot be resolved from it: give absolute paths, or run limitsctl from another directory.";

function reportError(e: unknown, io: CliIO, json: boolean, command?: string): number {
  let r = describeError(e, command);
  if (r.code !== 'internal' && (io.cwd.includes('\uFFFD') || io.cwd === CWD_LINK) && !existsSync(io.cwd)) {
    r = { ...r, hint: r.hint ? `${r.hint}\n${CWD_NOT_UTF8_HINT}` : CWD_NOT_UTF8_HINT };
  }
  // a message names files and quotes arguments: never raw control characters on the terminal
  io.stderr(terminalSafe(`limitsctl: ${r.message}\n${r.hint ? `${r.hint}\n` : ''}`, false));
  if (r.code === 'internal' && io.env.LIMITSCTL_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  if (json) io.stdout(`${JSON.stringify({ version: JSON_VERSIONS.error, error: r }, null, 2)}\n`);
  return 2;
}

/**
 * The command-line grammar: the one parser whose result a command ever runs with.
 *
 * Every command's options and positionals are declared once in {@link GRAMMAR} (main.ts builds
 * the yargs help text from the same table), and {@link parseArgv} reads argv strictly, before any
 * file is read or written. It throws an {@link ArgvError} (exit 2, one line) for:
 *
 * - an unknown or misspelled option (with a did-you-mean over the command's option names), or an
 *   option of another command; before the command word only the global options are known;
 * - an unknown command (with a did-you-mean);
 * - a missing or extra positional argument;
 * - an option given twice (`--user a --user b`, also as alias or `--no-` form);
 * - an option without its value (`--root` at the end, `--user --dry-run`), an empty value
 *   (`--root ''`; only `--comment ''` may be empty), a number option with a non-number, a value
 *   outside the option's choices, or any value on a flag (`--json=yes`, also `--json=true`);
 * - an empty positional argument (`set nproc ''`).
 *
 * Values: `-` alone is a value (pam_limits' "unlimited"/"both" keyword: `set nofile - --user
 * admin`), as is a negative number (`set nice -5`, `--top -5`); any other word beginning with `-`
 * is an option, so a value that begins with `-` is written `--comment=-x`. After `--` every word is
 * positional. Short forms: only the single-letter aliases of the table (`-u admin`, `-n`), each a
 * word of its own (no `-nq`, no `-uadmin`). `--help`/`-h` anywhere, `--version` and `completion`
 * go to yargs (help output only; nothing runs).
 *
 * The words are split by Node's own `util.parseArgs` in strict mode (no dependency; it refuses
 * unknown options, missing values, an option taken as a value, values on flags). Added on top:
 * `--no-<flag>` (declared as flags of their own, then folded), negative numbers (a pre-pass),
 * duplicates (from its tokens; parseArgs keeps the last), one short option per word, messages
 * that name the word at fault, numbers, choices, empty values and each command's positionals.
 *
 * yargs itself is never used to run a command: it reads `-` as an empty string and picks one of
 * two repeated options, and loading it costs about a third of a cold start.
 */
import { parseArgs } from 'node:util';
import { PROFILE_ALIASES, PROFILE_NAMES } from '../core/schema.js';
import { suggestProfile } from '../core/profiles.js';
import { didYouMean } from '../core/suggest.js';
import { LINT_FORMATS } from '../formatters/lint-format-names.js';
import { UsageError } from './errors.js';

export type Kind = 'string' | 'number' | 'boolean';

export interface OptionSpec {
  readonly kind: Kind;
  readonly describe: string;
  readonly alias?: string;
  readonly default?: string | number | boolean;
  readonly choices?: readonly string[];
  /** an empty string is a meaningful value (only --comment) */
  readonly allowEmpty?: boolean;
}

export interface PositionalSpec {
  readonly name: string;
  readonly describe?: string;
  /** lint's [paths..]: zero or more */
  readonly variadic?: boolean;
}

export interface CommandGrammar {
  readonly positional: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
}

export const PROFILES = ['auto', ...PROFILE_NAMES, ...Object.keys(PROFILE_ALIASES)] as const;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  root: { kind: 'string', default: '/', describe: 'root of the tree to work on (holds etc/security)' },
  profile: { kind: 'string', default: 'auto', choices: PROFILES, describe: 'the pam_limits release to read as: auto (from <root>/etc/os-release), a release (rhel-7, debian-12, ubuntu-24.04, …) or a plain build (linux-pam-1.5.2, …); debian, upstream, upstream-1.7 are aliases of debian-12, linux-pam-1.5.2, linux-pam-1.7.2. `limitsctl profiles` lists them, marking cells not known for sure' },
  json: { kind: 'boolean', default: false, describe: 'machine-readable output (errors too: {"error":{…}} on stdout)' },
  color: { kind: 'boolean', describe: 'colour output (default: on a TTY; off with NO_COLOR or TERM=dumb; FORCE_COLOR=1 forces it)' },
};

const IDENTITY: Record<string, OptionSpec> = {
  user: { kind: 'string', alias: 'u', describe: 'account name (looked up in <root>/etc/passwd, or NSS on the live system)' },
  uid: { kind: 'number', describe: 'uid of a hypothetical account (or override)' },
  gid: { kind: 'number', describe: 'primary gid of a hypothetical account (or override)' },
  groups: { kind: 'string', describe: 'extra group names for a hypothetical account, comma-separated' },
};

const UNIT: Record<string, OptionSpec> = {
  unit: { kind: 'string', describe: "a systemd unit (nginx means nginx.service): its limits from Limit*=, DefaultLimit*= and systemd's defaults, not pam_limits (docs/systemd.md)" },
};

const UNIT_EDIT: Record<string, OptionSpec> = {
  unit: { kind: 'string', describe: 'a systemd unit (nginx means nginx.service): write its Limit*= to the drop-in etc/systemd/system/NAME.d/limitsctl.conf instead of limits.conf (docs/systemd.md)' },
};

const TARGET: Record<string, OptionSpec> = {
  user: { kind: 'string', alias: 'u', describe: 'a user name' },
  group: { kind: 'string', alias: 'g', describe: 'a group name (written @group)' },
  all: { kind: 'boolean', describe: 'everyone (written *)' },
  domain: { kind: 'string', describe: 'any pam_limits domain, e.g. 1000:1999 or @:100' },
  type: { kind: 'string', alias: 't', default: 'both', describe: 'soft, hard or both (written -)' },
};

const EDIT: Record<string, OptionSpec> = {
  'dry-run': { kind: 'boolean', alias: 'n', describe: 'print the unified diff, write nothing' },
  check: { kind: 'boolean', describe: 'like --dry-run, and exit 1 when something would change' },
  backup: { kind: 'boolean', describe: 'keep the old file as <name>.<time>.bak when it changes' },
  file: { kind: 'string', describe: 'file for new lines (inside the root), e.g. etc/security/limits.d/80-app.conf' },
  force: { kind: 'boolean', describe: 'write even when another line keeps the change from taking effect, and replace a file that has other hard links (this name only)' },
  strict: { kind: 'boolean', describe: 'unknown users or groups are errors' },
};

/** Each command's positionals and own options (the global ones come on top). */
export const GRAMMAR: Readonly<Record<string, CommandGrammar>> = {
  files: {
    positional: [],
    options: { conf: { kind: 'string', describe: "as pam_limits' conf= option: only this file (path inside the root)" } },
  },
  get: { positional: [{ name: 'item', describe: 'item, e.g. nproc' }], options: { ...IDENTITY, ...UNIT } },
  effective: { positional: [], options: { ...IDENTITY, ...UNIT } },
  explain: {
    positional: [{ name: 'item', describe: 'item, e.g. nproc' }],
    options: { ...IDENTITY, ...UNIT, all: { kind: 'boolean', default: false, describe: 'also list lines for the item that do not match the user' } },
  },
  set: {
    positional: [{ name: 'item', describe: 'item, e.g. nproc' }, { name: 'value', describe: 'value, e.g. 4096, unlimited or -' }],
    options: {
      ...TARGET, ...EDIT, ...UNIT_EDIT,
      comment: { kind: 'string', allowEmpty: true, describe: 'comment to put on the written line' },
      'at-least': { kind: 'boolean', describe: 'only raise (for nice and priority: only allow more)' },
      'at-most': { kind: 'boolean', describe: 'only lower' },
    },
  },
  unset: { positional: [{ name: 'item', describe: 'item, e.g. nproc' }], options: { ...TARGET, ...EDIT, ...UNIT_EDIT } },
  apply: {
    positional: [{ name: 'policy', describe: 'policy file (ini)' }],
    options: { ...EDIT, prune: { kind: 'boolean', describe: "remove entries of the policy's domains that it does not name" } },
  },
  doctor: {
    positional: [],
    options: {
      user: { kind: 'string', alias: 'u', describe: 'account to diagnose (default: SUDO_USER, else you)' },
      proc: { kind: 'string', describe: 'proc file system to read, e.g. a snapshot (default: /proc for --root /, else <root>/proc; a snapshot never falls back to the live one)' },
      sys: { kind: 'string', describe: 'sys file system to read, e.g. a snapshot (default: /sys for --root /, else <root>/sys; without it cgroups are not read)' },
      top: { kind: 'number', describe: 'how many command groups to list (default 10)' },
      item: { kind: 'string', describe: 'one limit item (nofile, memlock, ...): what the processes run with against pam_limits and systemd, and which wins' },
      pid: { kind: 'number', describe: 'with --item: examine this process' },
      unit: { kind: 'string', describe: "with --item: examine the processes of this systemd unit (nginx means nginx.service)" },
    },
  },
  lint: {
    positional: [{ name: 'paths', variadic: true, describe: 'roots holding etc/security, etc/security directories, files or globs' }],
    options: {
      format: { kind: 'string', alias: 'f', choices: LINT_FORMATS, describe: 'output format (default text; --json means json)' },
      'max-warnings': { kind: 'number', describe: 'exit 1 when there are more warnings than this' },
      config: { kind: 'string', alias: 'c', describe: 'settings file (default: .limitsctl.ini here or in a parent directory)' },
      fix: { kind: 'boolean', default: false, describe: 'apply the safe fixes (dead duplicates, keyword case, stray header)' },
      'dry-run': { kind: 'boolean', default: false, describe: 'with --fix: print the fixes as a unified diff, write nothing' },
      quiet: { kind: 'boolean', alias: 'q', default: false, describe: 'report errors only' },
      stdin: { kind: 'boolean', default: false, describe: 'lint the file read from standard input (as PATH -); with --fix, print the fixed file on stdout' },
      'stdin-filename': { kind: 'string', describe: 'with --stdin: the file the input stands for (e.g. etc/security/limits.d/x.conf), linted in its tree when that exists (relative to --root when given)' },
      'output-file': { kind: 'string', alias: 'o', describe: 'write the report to this file (replaced atomically once the run ends with exit 0 or 1) instead of stdout' },
      'sarif-category': { kind: 'string', describe: "with --format sarif: the analysis category, written as automationDetails.id 'CATEGORY/' (GitHub code scanning keeps the latest upload of each category)" },
    },
  },
  rules: { positional: [{ name: 'rule', variadic: true, describe: 'rule codes or names to show (default: every rule)' }], options: {} },
  demo: { positional: [], options: { user: { kind: 'string', default: 'admin', describe: 'account to show' } } },
  profiles: { positional: [{ name: 'name', variadic: true, describe: 'profiles or aliases to show in full (default: list them all)' }], options: {} },
};

/** Commands only yargs handles (they print and never read a tree). */
const YARGS_ONLY = new Set(['completion']);

/** A command line that does not parse: the message names the word at fault. */
export class ArgvError extends UsageError {
  constructor(message: string, hint = "Run 'limitsctl --help' for usage.") {
    super(message, hint, 'EUSAGE');
    this.name = 'ArgvError';
  }
}

export type ParsedArgv =
  | { readonly kind: 'run'; readonly command: string; readonly args: Record<string, unknown> }
  /** help, version, completion: let yargs print it */
  | { readonly kind: 'yargs' };

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

type Options = Readonly<Record<string, OptionSpec>>;

/** Takes off the NUL of the negative-number pre-pass (in parseArgv). */
const unmark = (word: string) => word.replace(/^\0/, '');

/** parseArgs' config: numbers are read as strings (checked later); each flag also as --no-<flag>. */
function configOf(options: Options): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const config: ReturnType<typeof configOf> = {};
  for (const [name, spec] of Object.entries(options)) {
    config[name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.alias ? { short: spec.alias } : {}) };
    if (spec.kind === 'boolean') config[`no-${name}`] = { type: 'boolean' };
  }
  return config;
}

/**
 * The tokens of `words`, which strict parseArgs must accept. When it refuses them, the word at
 * fault is found in its tokens (the same in lenient mode), to name it and suggest another.
 * Stricter than parseArgs: a short option is a word of its own (no `-nq`, `-uadmin`).
 */
function read(words: string[], options: Options, command?: string) {
  if (words.length === 0) return [];
  const config = { args: words, options: configOf(options), allowPositionals: true, tokens: true } as const;
  // strict mode only adds checks to the same tokens: the lenient pass, which finds the word at
  // fault, runs only when the strict one refuses (parseArgs is most of a cold start's parsing)
  let tokens: ReturnType<typeof parseArgs<typeof config & { strict: false }>>['tokens'];
  let refused: Error | undefined;
  try {
    ({ tokens } = parseArgs({ ...config, strict: true }));
  } catch (e) {
    if (!String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) throw e;
    refused = e as Error;
    ({ tokens } = parseArgs({ ...config, strict: false }));
  }
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const shown = t.rawName;
    const type = Object.hasOwn(config.options, t.name) ? config.options[t.name]!.type : undefined;
    if (!shown.startsWith('--') && words[t.index] !== shown) {
      // `-n=1`, `-o=x`: a short option takes no `=` (its value is the next word)
      const word = words[t.index]!;
      if (type !== undefined && word.startsWith(`${shown}=`)) {
        if (type === 'boolean') throw new ArgvError(`${shown} is a flag: it takes no value (got '${unmark(word.slice(shown.length + 1))}')`);
        throw new ArgvError(`${shown} takes its value as the next word, not after '='`, `Write ${shown} VALUE, or --${t.name}=VALUE for a value that begins with '-'.`);
      }
      throw unknownOption(word, command, options);
    }
    if (!refused) continue;
    if (type === undefined) throw unknownOption(words[t.index]!, command, options); // ERR_PARSE_ARGS_UNKNOWN_OPTION
    // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: a value on a flag, none for an option, or the next option taken as it
    if (type === 'boolean' && t.value !== undefined) throw new ArgvError(`${shown} is a flag: it takes no value (got '${t.value}')`);
    if (type === 'string' && t.value === undefined) throw new ArgvError(`${shown} needs a value`, `Write ${shown} VALUE.`);
    if (type === 'string' && !t.inlineValue && /^-./.test(t.value!)) {
      throw new ArgvError(`${shown} needs a value (found ${t.value})`, `Write --${t.name}=VALUE for a value that begins with '-'.`);
    }
  }
  if (refused) throw new ArgvError(refused.message.split('\n')[0]!);
  return tokens;
}

function usageLine(command: string, g: CommandGrammar): string {
  const pos = g.positional.map((p) => (p.variadic ? `[${p.name}..]` : `<${p.name}>`)).join(' ');
  return `limitsctl ${command}${pos ? ` ${pos}` : ''} [options]`;
}

function unknownCommand(word: string): ArgvError {
  const guess = didYouMean(word, Object.keys(GRAMMAR));
  return new ArgvError(`unknown command '${word}'${guess ? `; did you mean '${guess}'?` : ''}`, `Commands: ${Object.keys(GRAMMAR).join(', ')}.`);
}

/**
 * Parse argv (without node and the script). Returns what to run, with the option values under
 * their kebab-case and camelCase names (as yargs would give them) and defaults filled in.
 * @throws ArgvError for every usage fault listed in the module comment
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  // Node decodes argv as UTF-8 and turns bytes that are not UTF-8 into U+FFFD: the bytes the
  // user meant are gone, and writing U+FFFD (EF BF BD) would name a different account.
  const lossy = argv.findIndex((t) => t.includes('\uFFFD'));
  if (lossy >= 0) {
    throw new ArgvError(`argument ${lossy + 1} is not valid UTF-8 (or holds U+FFFD); limitsctl takes names, domains and comments as UTF-8 text`,
      'Names in other encodings cannot be passed on the command line; edit such a line by hand.');
  }
  // help and version print only; they win over any other fault (as with yargs)
  if (argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).some((t) => t === '--help' || t === '-h')) return { kind: 'yargs' };
  if (argv.length === 1 && argv[0] === '--version') return { kind: 'yargs' };
  // `limitsctl help [command]` is `limitsctl [command] --help`
  if (argv[0] === 'help' && argv.length <= 2) {
    if (argv[1] === undefined || Object.hasOwn(GRAMMAR, argv[1])) return { kind: 'yargs' };
    throw unknownCommand(argv[1]);
  }
  // the shell completion script asks yargs for candidates
  if (argv[0] === '--get-yargs-completions') return { kind: 'yargs' };

  // pre-pass: parseArgs would read a negative number (`-5`) as a short option; a NUL in front
  // (never part of a real argv word) makes it a plain word, and unmark() takes it off again
  const words = argv.map((w) => (/^-\d/.test(w) ? `\0${w}` : w));
  // the command is the first positional word; the options before it must be global ones
  const at = parseArgs({ args: words, options: configOf(GLOBAL_OPTIONS), strict: false, allowPositionals: true, tokens: true })
    .tokens.find((t) => t.kind === 'positional');
  read(words.slice(0, at?.index), GLOBAL_OPTIONS);
  const command = at && unmark(at.value);
  if (command !== undefined && YARGS_ONLY.has(command)) {
    // it prints a script and reads nothing: an option would be ignored (`completion --json`
    // would still print bash), so none is taken
    const other = argv.find((_w, i) => i !== at!.index);
    if (other !== undefined) throw new ArgvError(`${command} takes no options or arguments (got '${other}'): it prints the shell script`, `Run 'limitsctl ${command}' alone.`);
    return { kind: 'yargs' };
  }
  if (command !== undefined && !Object.hasOwn(GRAMMAR, command)) throw unknownCommand(command);
  const g = command === undefined ? undefined : GRAMMAR[command];
  const options: Options = { ...GLOBAL_OPTIONS, ...g?.options };

  // fold the tokens: --no-<flag>, duplicates (parseArgs keeps the last), numbers, choices, empty values
  const values = new Map<string, unknown>();
  const positional: string[] = [];
  for (const t of read(words, options, command)) {
    if (t.kind === 'positional' && t.index !== at?.index) positional.push(unmark(t.value));
    if (t.kind !== 'option') continue;
    const negated = !Object.hasOwn(options, t.name); // only flags have a declared no- form
    const name = negated ? t.name.slice(3) : t.name;
    const spec = options[name]!;
    if (values.has(name)) throw new ArgvError(`--${name} is given twice; give it once`);
    if (spec.kind === 'boolean') {
      values.set(name, !negated);
      continue;
    }
    const value = unmark(t.value!);
    if (value === '' && !spec.allowEmpty) throw new ArgvError(`${t.rawName} needs a value, got an empty one`);
    if (spec.kind === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) throw new ArgvError(`${t.rawName} needs a number, got '${value}'`);
    if (spec.choices && !spec.choices.includes(value)) {
      const lower = value.toLowerCase();
      const guess = spec.choices === PROFILES ? suggestProfile(value)
        : spec.choices.find((c) => c === lower) ?? spec.choices.find((c) => lower.length >= 3 && c.startsWith(lower)) ?? didYouMean(lower, spec.choices);
      throw new ArgvError(`${t.rawName} must be one of ${spec.choices.join(', ')}; got '${value}'${guess ? ` (did you mean '${guess}'?)` : ''}`);
    }
    values.set(name, spec.kind === 'number' ? Number(value) : value);
  }

  if (command === undefined || g === undefined) throw new ArgvError('name a command; see limitsctl --help');
  // options a command would otherwise ignore or read two ways
  if (values.get('json') === true && values.has('format') && values.get('format') !== 'json') {
    throw new ArgvError(`--json and --format ${String(values.get('format'))} contradict each other`, 'Give one of them: --json is --format json.');
  }
  const empty = positional.findIndex((p) => p === '');
  if (empty >= 0) throw new ArgvError(`argument ${empty + 1} of ${command} is empty`, `Usage: ${usageLine(command, g)}`);
  const fixed = g.positional.filter((p) => !p.variadic);
  const variadic = g.positional.some((p) => p.variadic);
  if (positional.length < fixed.length) {
    const missing = fixed.slice(positional.length).map((p) => `<${p.name}>`).join(' ');
    throw new ArgvError(`${command} needs ${missing}`, `Usage: ${usageLine(command, g)}`);
  }
  if (!variadic && positional.length > fixed.length) {
    throw new ArgvError(`unexpected argument '${positional[fixed.length]!}'`, `Usage: ${usageLine(command, g)}`);
  }

  const args: Record<string, unknown> = { _: [command] };
  for (const [name, spec] of Object.entries(options)) {
    const v = values.has(name) ? values.get(name) : spec.default;
    if (v === undefined) continue;
    args[name] = v;
    if (name.includes('-')) args[camel(name)] = v;
  }
  g.positional.forEach((p, i) => {
    args[p.name] = p.variadic ? positional.slice(i) : positional[i];
  });
  return { kind: 'run', command, args };
}

function unknownOption(word: string, command: string | undefined, options: Options): ArgvError {
  const shown = word.replace(/=.*$/, '');
  const bare = shown.replace(/^-+/, '');
  if (command === undefined && bare === 'version') return new ArgvError("--version goes alone: 'limitsctl --version'");
  // -h=1, --help=yes: help is read before the options (parseArgv), only in its bare form
  if (word.includes('=') && (bare === 'h' || bare === 'help')) return new ArgvError(`${shown} is a flag: it takes no value (got '${word.slice(word.indexOf('=') + 1)}')`);
  const names = Object.keys(options);
  // --dryRun (yargs' camelCase spelling) → --dry-run
  const kebab = bare.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  const guess = names.includes(kebab) ? kebab : didYouMean(bare, names);
  const elsewhere = command === undefined ? [] : Object.entries(GRAMMAR).filter(([, g]) => Object.hasOwn(g.options, bare)).map(([c]) => c);
  const where = command === undefined ? '' : ` for ${command}`;
  const also = guess === null && elsewhere.length > 0 ? ` (it is an option of ${elsewhere.join(', ')})` : '';
  return new ArgvError(`unknown option ${shown}${where}${guess ? `; did you mean --${guess}?` : also}`);
}

/**
 * Whether the caller asked for JSON output (then errors are reported as JSON too): --json, or
 * --format json for lint, the one command with --format (`rules LC003 --format json` is a usage
 * error reported as text).
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const opts = end >= 0 ? argv.slice(0, end) : argv;
  // the command: the first word that is neither an option nor the value of a global one (--root x)
  let command: string | undefined;
  for (let i = 0; i < opts.length && command === undefined; i++) {
    const t = opts[i]!;
    if (!t.startsWith('-') || t === '-') command = t;
    else if (t.startsWith('--') && !t.includes('=') && GLOBAL_OPTIONS[t.slice(2)]?.kind === 'string') i++;
  }
  const format = command === 'lint';
  return opts.some((t, i) => t === '--json' || t === '--json=true'
    || (format && (t === '--format=json' || t === '-f=json' || ((t === '--format' || t === '-f') && opts[i + 1] === 'json'))));
}

import { describe, expect, it } from 'vitest';
import { ArgvError, GLOBAL_OPTIONS, GRAMMAR, parseArgv } from '../../src/cli/fast-path.js';
import { buildYargs } from '../../src/cli/main.js';
import { DEMO } from './helpers.js';

/** What yargs (the help printer, built from the same table) reads from a plain command line. */
async function viaYargs(argv: string[]): Promise<{ command: string; args: Record<string, unknown> }> {
  let got: { command: string; args: Record<string, unknown> } | undefined;
  await buildYargs(argv, {}, (command, args) => { got = { command, args }; }).parseAsync();
  if (!got) throw new Error('yargs ran no command');
  return got;
}

function parsed(argv: string[]) {
  const p = parseArgv(argv);
  if (p.kind !== 'run') throw new Error(`not a command run: ${argv.join(' ')}`);
  return p;
}

function usageError(argv: string[]): string {
  try {
    parseArgv(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(ArgvError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(argv)}`);
}

describe('the command-line grammar', () => {
  const plain: string[][] = [
    ['get', 'nproc', '--user', 'admin', '--root', DEMO],
    ['get', 'nofile', '--user=alice', `--root=${DEMO}`, '--json'],
    ['effective', '--user', 'admin', '--root', DEMO, '--json'],
    ['effective', '--user', 'root', '--root', DEMO, '--profile', 'linux-pam-1.5.2'],
    ['explain', 'nproc', '--user', 'admin', '--root', DEMO, '--all'],
    ['files', '--root', DEMO, '--json', '--conf', 'etc/security/limits.conf'],
    ['effective', '--user', 'ghost', '--uid', '5000', '--groups', 'developers', '--root', DEMO, '--no-color'],
    ['get', 'nproc', '-u', 'admin'],
    ['set', 'nproc', '4096', '--user', 'admin', '--dry-run', '--comment', 'why', '--at-least'],
    ['set', 'nofile', '100', '-g', 'dev', '-t', 'soft', '-n', '--file', 'etc/security/limits.d/80-a.conf'],
    ['unset', 'nproc', '--all', '--check', '--backup', '--force', '--strict'],
    ['apply', 'p.ini', '--prune', '--json'],
    ['lint', 'a', 'b', '--format', 'sarif', '--max-warnings', '3', '-c', 'x.ini', '--fix', '--dry-run', '-q'],
    ['lint'],
    ['doctor', '--user', 'admin', '--proc', 'p', '--sys', 's', '--top', '3'],
    ['demo', '--root', DEMO],
    ['--root', DEMO, 'files'],
  ];
  for (const argv of plain) {
    it(`reads a plain command line as yargs does: ${argv.filter((a) => a !== DEMO && !a.includes(DEMO)).join(' ')}`, async () => {
      const ours = parsed(argv);
      const theirs = await viaYargs(argv);
      expect(ours.command).toBe(theirs.command);
      const g = GRAMMAR[ours.command]!;
      const keys = [...Object.keys(GLOBAL_OPTIONS), ...Object.keys(g.options), ...g.positional.map((p) => p.name)];
      for (const k of keys) expect(ours.args[k], k).toEqual(theirs.args[k]);
      // the camelCase spelling the commands use (dryRun, atLeast)
      for (const k of keys.filter((x) => x.includes('-'))) expect(ours.args[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())], k).toEqual(theirs.args[k]);
    });
  }

  it("takes '-' and negative numbers as values, and -- ends the options", () => {
    expect(parsed(['set', 'nofile', '-', '--user', 'admin']).args).toMatchObject({ item: 'nofile', value: '-', user: 'admin' });
    expect(parsed(['set', 'nice', '-5', '--user', 'admin']).args).toMatchObject({ value: '-5' });
    expect(parsed(['set', 'nproc', '5', '--domain', '-']).args).toMatchObject({ domain: '-' });
    expect(parsed(['set', 'nproc', '--user', 'a', '--', '--odd']).args).toMatchObject({ item: 'nproc', value: '--odd' });
    expect(parsed(['set', 'nproc', '5', '--user', 'a', '--comment=-x']).args).toMatchObject({ comment: '-x' });
    expect(parsed(['set', 'nproc', '5', '--user', 'a', '--comment', '']).args).toMatchObject({ comment: '' });
    expect(parsed(['doctor', '--top', '-5']).args).toMatchObject({ top: -5 });
    expect(parsed(['set', 'nice', '--all', '--', '-5']).args).toMatchObject({ item: 'nice', value: '-5', all: true });
    expect(parsed(['set', 'nproc', '5', '--all', '--no-force', '--no-color']).args).toMatchObject({ force: false, color: false });
  });

  it('refuses every usage fault with one message', () => {
    const cases: Array<[string[], RegExp]> = [
      [['set', 'nproc', '4096', '--user', 'admin', '--dryrun'], /unknown option --dryrun for set; did you mean --dry-run\?/],
      [['set', 'nproc', '4096', '--user', 'admin', '--chek'], /did you mean --check\?/],
      [['set', 'nproc', '4096', '--user', 'admin', '--dryRun'], /did you mean --dry-run\?/],
      [['set', 'nproc', '1', '--user', 'a', '--prune'], /unknown option --prune for set \(it is an option of apply\)/],
      [['set', 'nproc', '1', 'extra', '--user', 'a'], /unexpected argument 'extra'/],
      [['unset', 'nproc', 'x', '--user', 'a'], /unexpected argument 'x'/],
      [['get', '--user', 'admin'], /get needs <item>/],
      [['set', 'nproc', '5', '--user', 'admin', '--root'], /--root needs a value$/],
      [['set', 'nproc', '5', '--user', '--dry-run'], /--user needs a value \(found --dry-run\)/],
      [['set', 'nproc', '5', '--user', 'admin', '--root', ''], /--root needs a value, got an empty one/],
      [['set', 'nproc', '5', '--user', 'admin', '--file', ''], /--file needs a value, got an empty one/],
      [['lint', '--config', ''], /--config needs a value, got an empty one/],
      [['lint', '--config='], /--config needs a value, got an empty one/],
      [['set', 'nproc', '', '--user', 'a'], /argument 2 of set is empty/],
      [['effective', '--user', 'x', '--uid', 'abc'], /--uid needs a number, got 'abc'/],
      [['files', '--profile', 'weird'], /--profile must be one of/],
      [['files', '--json=yes'], /--json is a flag/],
      [['set', 'nproc', '5', '-nq', '--user', 'a'], /unknown option -nq/],
      [['sett', 'nproc', '5'], /unknown command 'sett'; did you mean 'set'\?/],
      [['help', 'sett'], /unknown command 'sett'; did you mean 'set'\?/],
      [[], /name a command/],
      [['--bogus', 'files'], /unknown option --bogus/],
      [['set', 'nproc', '5', '--user', 'a', '--dry-run', '--no-dry-run'], /--dry-run is given twice/],
      [['--root', 'a', 'files', '--root', 'b'], /--root is given twice/],
      [['--user', 'admin', 'set', 'nproc', '5'], /^unknown option --user$/], // before the command: global options only
      [['files', '--json=true'], /--json is a flag/],
      [['set', 'nproc', '5', '--all', '--no-user'], /unknown option --no-user/],
      [['set', 'nproc', '5', '-uadmin'], /unknown option -uadmin/],
      [['set', 'nproc', '5', '-u=a'], /^-u takes its value as the next word, not after '='$/],
      [['set', 'nproc', '5', '--user', 'a', '-n=1'], /^-n is a flag: it takes no value \(got '1'\)$/],
      [['set', 'nproc', '5', '--user', 'a', '-n='], /^-n is a flag: it takes no value \(got ''\)$/],
      [['lint', '-o=-r.txt'], /^-o takes its value as the next word/],
      [['set', 'nproc', '5', '--user', 'a', '-h=1'], /^-h is a flag: it takes no value \(got '1'\)$/],
      [['--help=yes'], /^--help is a flag: it takes no value \(got 'yes'\)$/],
      [['get', 'nproc', '--bogus=3'], /^unknown option --bogus for get$/],
      [['doctor', '--top', '-x'], /--top needs a value \(found -x\)/],
      [['doctor', '--top', '--'], /--top needs a value \(found --\)/],
      [['--json'], /name a command/],
    ];
    for (const [argv, re] of cases) expect(usageError(argv), JSON.stringify(argv)).toMatch(re);
    for (const opt of ['user', 'group', 'domain', 'type', 'file', 'comment', 'root', 'profile']) {
      const v = opt === 'type' ? 'soft' : opt === 'profile' ? 'debian-12' : 'x';
      expect(usageError(['set', 'nproc', '5', `--${opt}`, v, `--${opt}`, v]), opt).toBe(`--${opt} is given twice; give it once`);
    }
    expect(usageError(['set', 'nproc', '5', '-u', 'a', '--user', 'b'])).toBe('--user is given twice; give it once');
    expect(usageError(['get', 'nproc', '--user', 'a', '--groups', 'x', '--groups', 'y'])).toBe('--groups is given twice; give it once');
    expect(usageError(['files', '--conf', 'a', '--conf', 'b'])).toBe('--conf is given twice; give it once');
    // the hint for a value that begins with '-' names a form that is accepted: the long option's
    for (const argv of [['lint', '-o', '-r.txt'], ['lint', '-o=-r.txt']]) {
      let hint = '';
      try { parseArgv(argv); } catch (e) { hint = (e as ArgvError).hint ?? ''; }
      expect(hint, JSON.stringify(argv)).toMatch(/--output-file=VALUE for a value that begins with '-'/);
      expect(parseArgv(['lint', '--output-file=-r.txt'])).toMatchObject({ kind: 'run', args: { outputFile: '-r.txt' } });
    }
  });

  it('leaves help, version and completion to yargs', () => {
    for (const argv of [['--help'], ['set', '--help'], ['get', 'nproc', '-h', '--bogus'], ['--version'], ['completion'], ['--get-yargs-completions', 'set'], ['help'], ['help', 'set']]) {
      expect(parseArgv(argv).kind, argv.join(' ')).toBe('yargs');
    }
  });
});

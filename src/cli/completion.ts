/**
 * Shell completion candidates, from the command-line grammar (fast-path.ts). The script that
 * `limitsctl completion` prints (yargs' bash script, or its zsh one under zsh) runs
 * `limitsctl --get-yargs-completions limitsctl WORD...` with the words typed so far, the last one
 * being the word under the cursor (empty after a space), and offers the lines printed here;
 * nothing printed means the shell's own file-name completion.
 *
 * Offered: commands (before one is typed); a command's options and the global ones, as
 * `--name`, and `-x` for a single-letter alias (never `--x`); the values of `--profile`,
 * `--format`, `--type` and doctor's `--item`; item names where a command takes an `<item>`,
 * `unlimited` and `-` for set's value, profile names for `profiles`, rule codes and names for
 * `rules`. Paths (lint, apply, --root, --file, --config, …) are left to the shell; so are account
 * and unit names.
 */
import { ITEM_NAMES, RLIMIT_ITEMS } from '../core/schema.js';
import { GLOBAL_OPTIONS, GRAMMAR, type OptionSpec, PROFILES } from './fast-path.js';

type Options = Readonly<Record<string, OptionSpec>>;

const TYPES = ['soft', 'hard', 'both', '-'];
const COMMAND_WORDS = [...Object.keys(GRAMMAR), 'completion', 'help'];

/** The option a word names (`--user`, `-u`), or undefined. */
function optionOf(word: string, options: Options): [string, OptionSpec] | undefined {
  if (word.startsWith('--')) {
    const name = word.slice(2);
    return Object.hasOwn(options, name) ? [name, options[name]!] : undefined;
  }
  if (/^-[a-zA-Z]$/.test(word)) return Object.entries(options).find(([, s]) => s.alias === word.slice(1));
  return undefined;
}

/** The values an option takes, or null when the shell should complete (paths, names). */
function valuesOf(name: string, spec: OptionSpec, command: string | undefined): readonly string[] | null {
  if (spec.choices) return spec.choices;
  if (name === 'type') return TYPES;
  if (name === 'item' && command === 'doctor') return RLIMIT_ITEMS;
  return null;
}

/**
 * The candidates for the last of `words` (the words after the program name, the one under the
 * cursor last), filtered by its prefix. `ruleNames` gives the rule codes and names (loaded only
 * for `rules`).
 */
export function completions(words: readonly string[], ruleNames: () => readonly string[] = () => []): string[] {
  const before = words.slice(0, -1);
  let cur = words[words.length - 1] ?? '';
  let prevIndex = before.length - 1;
  // bash splits `--profile=deb` into `--profile`, `=`, `deb`
  if (before[prevIndex] === '=' && before[prevIndex - 1]?.startsWith('--')) prevIndex--;
  else if (cur === '=' && before[prevIndex]?.startsWith('--')) cur = '';
  // the command: the first word that is neither an option nor an option's value
  let command: string | undefined;
  const positionals: string[] = [];
  let options: Options = GLOBAL_OPTIONS;
  let afterDashes = false;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (!afterDashes && w === '--') { afterDashes = true; continue; }
    if (!afterDashes && w.startsWith('-') && w !== '-' && !/^-\d/.test(w)) {
      const opt = optionOf(w.replace(/=.*$/, ''), options);
      if (opt && opt[1].kind !== 'boolean' && !w.includes('=')) i += before[i + 1] === '=' ? 2 : 1; // its value
      continue;
    }
    if (w === '=') continue;
    if (command === undefined) {
      command = w;
      if (Object.hasOwn(GRAMMAR, w)) options = { ...GLOBAL_OPTIONS, ...GRAMMAR[w]!.options };
    } else positionals.push(w);
  }
  const match = (list: readonly string[]) => list.filter((c) => c.startsWith(cur));

  // the value of an option
  const prev = before[prevIndex];
  if (prev !== undefined && prev.startsWith('-') && !afterDashes) {
    const opt = optionOf(prev, options);
    if (opt && opt[1].kind !== 'boolean') return match(valuesOf(opt[0], opt[1], command) ?? []);
  }
  if (command !== undefined && (command === 'completion' || command === 'help' || !Object.hasOwn(GRAMMAR, command))) {
    return command === 'help' && positionals.length === 0 ? match(Object.keys(GRAMMAR)) : [];
  }
  // `--profile=deb` as one word (a shell that does not split at '=')
  const inline = /^(--[a-z-]+)=(.*)$/.exec(cur);
  if (inline && !afterDashes) {
    const opt = optionOf(inline[1]!, options);
    if (!opt || opt[1].kind === 'boolean') return [];
    return (valuesOf(opt[0], opt[1], command) ?? []).filter((v) => v.startsWith(inline[2]!)).map((v) => `${inline[1]!}=${v}`);
  }
  // options (and lint's '-', standard input)
  if (cur.startsWith('-') && !afterDashes) {
    const given = new Set(before.filter((w) => w.startsWith('-')).map((w) => w.replace(/=.*$/, '')));
    const names: string[] = [];
    for (const [name, spec] of Object.entries(options)) {
      if (given.has(`--${name}`) || (spec.alias && given.has(`-${spec.alias}`))) continue;
      names.push(`--${name}`);
      if (spec.alias) names.push(`-${spec.alias}`);
    }
    if (command === 'lint') names.push('-');
    return match([...names, '--help']);
  }
  if (command === undefined) return match(COMMAND_WORDS);
  // positionals
  const g = GRAMMAR[command]!;
  const spec = g.positional[positionals.length] ?? (g.positional.at(-1)?.variadic ? g.positional.at(-1) : undefined);
  if (spec === undefined) return [];
  if (spec.name === 'item') return match(ITEM_NAMES);
  if (command === 'set' && spec.name === 'value') return match(['unlimited', '-']);
  if (command === 'profiles') return match(PROFILES.filter((p) => p !== 'auto' && !positionals.includes(p)));
  if (command === 'rules') return match(ruleNames().filter((r) => !positionals.includes(r)));
  return [];
}

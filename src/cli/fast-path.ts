/**
 * A start-up shortcut for the read-only commands operators run most (get, effective, explain,
 * files): when the arguments are plain `--name value` / `--flag` forms of known options, they are
 * parsed here and yargs is never loaded — yargs alone costs about a third of a cold start. Anything
 * else (help, aliases, unknown or repeated options, odd values) returns null and goes through
 * yargs, which stays the single source of usage errors and help text. A test runs every fast-path
 * case both ways and compares the output.
 */
type Kind = 'string' | 'number' | 'boolean';

const GLOBAL: Record<string, Kind> = { root: 'string', profile: 'string', json: 'boolean', color: 'boolean' };
const IDENTITY: Record<string, Kind> = { user: 'string', uid: 'number', gid: 'number', groups: 'string' };
const PROFILES = new Set(['auto', 'debian', 'upstream', 'upstream-1.7']);

const FAST: Record<string, { positional: readonly string[]; options: Record<string, Kind> }> = {
  get: { positional: ['item'], options: IDENTITY },
  effective: { positional: [], options: IDENTITY },
  explain: { positional: ['item'], options: { ...IDENTITY, all: 'boolean' } },
  files: { positional: [], options: { conf: 'string' } },
};

export interface FastInvocation {
  readonly command: keyof typeof FAST;
  readonly args: Record<string, unknown>;
}

/** Parse argv for the fast path, or return null to let yargs handle it. */
export function parseFast(argv: readonly string[]): FastInvocation | null {
  const [command, ...rest] = argv;
  if (command === undefined || !Object.hasOwn(FAST, command)) return null;
  const spec = FAST[command]!;
  const kinds: Record<string, Kind> = { ...GLOBAL, ...spec.options };
  const args: Record<string, unknown> = { root: '/', profile: 'auto', json: false };
  if (command === 'explain') args.all = false;
  const seen = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (!tok.startsWith('-')) { positional.push(tok); continue; }
    if (!tok.startsWith('--') || tok === '--') return null;
    let name = tok.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    let negated = false;
    if (name.startsWith('no-') && kinds[name.slice(3)] === 'boolean') { negated = true; name = name.slice(3); }
    const kind = kinds[name];
    if (!kind || seen.has(name)) return null;
    seen.add(name);
    if (kind === 'boolean') {
      if (value !== undefined) return null;
      args[name] = !negated;
      continue;
    }
    if (negated) return null;
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined || value.startsWith('-')) return null;
    }
    if (kind === 'number') {
      if (!/^\d{1,10}$/.test(value)) return null;
      args[name] = Number(value);
    } else {
      args[name] = value;
    }
  }
  if (positional.length !== spec.positional.length) return null;
  spec.positional.forEach((p, i) => { args[p] = positional[i]; });
  if (!PROFILES.has(String(args.profile))) return null;
  return { command: command as keyof typeof FAST, args };
}

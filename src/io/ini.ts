/**
 * Reading limitsctl's ini files (policies for `apply`, `.limitsctl.ini`) with the `ini` package,
 * refusing what that package would silently change. `ini` (v5):
 * - drops a `[__proto__]` section and `__proto__` keys without a word;
 * - trims section names and merges a repeated section, so `[*]` and `[ * ]` become one;
 * - cuts a section name at an unescaped `#` or `;` (a comment), so `[a#b]` is section `a`;
 * - reads `[a.b]` as section `b` nested in `a`;
 * - lets a repeated key overwrite the earlier one (`nproc = 5` then `nproc = 6`), and merges
 *   `key = a` and `key[] = b` into one list (in either order);
 * - does not know a UTF-8 byte order mark, so `\uFEFF[admin]` is a key named `[admin]`.
 *
 * parseIniFile strips a leading BOM, refuses the first five with a message naming the file, the
 * line and the section or key, and keeps dotted section names whole when asked (a policy domain
 * such as `[john.doe]` is a user name, not a nesting). Duplicate sections are compared *after*
 * trimming, the way `ini` reads them: limitsctl never guesses which of two spellings was meant.
 */
import { parse } from 'ini';
import { LimitsError } from '../core/errors.js';

/** A file `ini` would read differently from what it says; the message names the file and line. */
export class IniError extends LimitsError {
  constructor(message: string) {
    super(message, { code: 'EINI' });
    this.name = 'IniError';
  }
}

export interface IniOptions {
  /** keep `[a.b]` as the section named "a.b" instead of nesting (default false) */
  readonly dottedSections?: boolean;
}

const BOM = '\uFEFF';
// the line grammar of ini v5's decode()
const LINE = /^\[([^\]]*)\]\s*$|^([^=]+)(=(.*))?$/i;

/** ini's unsafe() for an unquoted name: cut at an unescaped ';' or '#', trimmed. */
function cutComment(raw: string): { text: string; cut: string | null } {
  const v = raw.trim();
  if (/^(".*"|'.*')$/.test(v)) return { text: v, cut: null };
  let esc = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (esc) { esc = false; continue; }
    if (c === '\\') esc = true;
    else if (c === ';' || c === '#') return { text: v.slice(0, i).trim(), cut: c };
  }
  return { text: v, cut: null };
}

/**
 * Parse ini text as the `ini` package does, after refusing what it would silently change (see the
 * module comment). `where` names the file in messages. Throws IniError.
 */
export function parseIniFile(text: string, where: string, options: IniOptions = {}): Record<string, unknown> {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  const fail = (line: number, msg: string): never => { throw new IniError(`${where}:${line}: ${msg}`); };
  const sections = new Map<string, number>();
  let keys = new Map<string, { line: number; array: boolean }>();
  let section = '';
  const out: string[] = [];
  // ini splits on runs of CR/LF; count lines the way an editor does
  const lines = body.split(/\r?\n|\r/);
  lines.forEach((line, i) => {
    const n = i + 1;
    let emitted = line;
    if (line === '' || /^\s*[;#]/.test(line) || /^\s*$/.test(line)) { out.push(line); return; }
    const m = LINE.exec(line);
    if (!m) { out.push(line); return; }
    if (m[1] !== undefined) {
      const raw = m[1];
      const { text: name, cut } = cutComment(raw);
      if (cut) fail(n, `[${raw}]: '${cut}' starts a comment inside an ini section name, so this section would be read as [${name}]${options.dottedSections ? `; a limits.conf domain cannot contain '${cut}' either (pam_limits cuts the line there)` : ''}`);
      if (name === '') fail(n, `[${raw}]: an empty section name`);
      if (name === '__proto__') fail(n, `[${raw}]: a section named __proto__ cannot be read (the ini reader drops it)`);
      const prev = sections.get(name);
      if (prev !== undefined) {
        fail(n, `[${raw}] repeats the section [${name}] of line ${prev}${raw !== name ? ' (ini trims spaces around section names)' : ''}; put all of its entries in one section`);
      }
      sections.set(name, n);
      keys = new Map();
      section = name;
      if (options.dottedSections && name.includes('.')) {
        // escape the dots so ini keeps the name whole; the line is otherwise unchanged
        const escaped = raw.replace(/(?<!\\)\./g, '\\.');
        emitted = line.replace(raw, () => escaped); // a function: `$&`, `$'` in a name are not patterns
      }
    } else {
      const { text: keyRaw } = cutComment(m[2]!);
      const isArray = keyRaw.length > 2 && keyRaw.endsWith('[]');
      const key = isArray ? keyRaw.slice(0, -2) : keyRaw;
      if (key === '__proto__') fail(n, `${section ? `[${section}] ` : ''}'__proto__' cannot be a key (the ini reader drops it)`);
      const prev = keys.get(key);
      const where = section ? `[${section}] ` : '';
      if (prev !== undefined && prev.array !== isArray) {
        fail(n, `${where}'${key}' is given both as ${key} = (line ${prev.array ? n : prev.line}) and as ${key}[] = (line ${prev.array ? prev.line : n}); the ini reader would silently merge them into one list: write ${key}[] = on each line of a list`);
      }
      if (prev !== undefined && !isArray) fail(n, `${where}'${key}' is set twice (lines ${prev.line} and ${n}): a repeated key, which the ini reader would silently read as the last value only`);
      if (prev === undefined) keys.set(key, { line: n, array: isArray });
    }
    out.push(emitted);
  });
  let data: Record<string, unknown>;
  try {
    data = parse(out.join('\n')) as Record<string, unknown>;
  } catch (e) {
    throw new IniError(`${where}: not a valid ini file: ${(e as Error).message}`);
  }
  if (!options.dottedSections) return data;
  // ini re-adds an escaped dotted section at the end: give the sections back in file order
  const ordered: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(data)) if (!sections.has(k)) ordered[k] = data[k];
  for (const k of sections.keys()) if (Object.hasOwn(data, k)) ordered[k] = data[k];
  return ordered;
}

/**
 * Parsers for the text formats doctor reads: /proc status, cgroup and meminfo files, pam.d
 * stacks, sshd_config, command lines. Pure.
 */
import type { CgroupKind, MemoryFacts, PamLimitsHit, PamServiceFact } from './doctor-facts.js';

// ---------------------------------------------------------------------------------------------
// Parsers for the text doctor reads
// ---------------------------------------------------------------------------------------------

export interface StatusFact {
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  /** real uid */
  readonly uid: number;
  readonly threads: number;
}

function statusField(text: string, key: string): string | null {
  let i = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (i < 0) return null;
  if (i > 0 || text.charCodeAt(0) === 0x0a) i += 1;
  const start = i + key.length + 1;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).trim();
}

/** Parse /proc/PID/status; null when the fields doctor needs are missing (a truncated read). */
export function parseStatus(text: string): StatusFact | null {
  const uidText = statusField(text, 'Uid');
  const threadsText = statusField(text, 'Threads');
  if (uidText === null || threadsText === null) return null;
  const uid = Number.parseInt(uidText, 10);
  const threads = Number.parseInt(threadsText, 10);
  if (!Number.isFinite(uid) || !Number.isFinite(threads)) return null;
  return {
    name: statusField(text, 'Name') ?? '',
    state: (statusField(text, 'State') ?? '?').charAt(0) || '?',
    ppid: Number.parseInt(statusField(text, 'PPid') ?? '0', 10) || 0,
    uid,
    threads,
  };
}

/** The lines of /proc/PID/cgroup that doctor uses. */
export interface CgroupLines {
  /** cgroup v2 "0::PATH" */
  readonly unified: string | null;
  /** cgroup v1 "N:name=systemd:PATH" */
  readonly systemd: string | null;
  /** cgroup v1 "N:pids:PATH" (also "N:pids,other:PATH") */
  readonly pids: string | null;
}

export function parseCgroupFile(text: string): CgroupLines {
  let unified: string | null = null;
  let systemd: string | null = null;
  let pids: string | null = null;
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const p = line.slice(b + 1);
    if (line.startsWith('0::') && controllers === '') unified = p;
    else if (controllers === 'name=systemd') systemd = p;
    else if (controllers.split(',').includes('pids')) pids = p;
  }
  return { unified, systemd, pids };
}

/** Which cgroup describes where systemd put a process: v2's path, else v1's name=systemd. */
export function systemdCgroupOf(lines: CgroupLines): string | null {
  if (lines.unified !== null && lines.unified !== '/') return lines.unified;
  return lines.systemd ?? lines.unified;
}

/** Classify a cgroup path: a PAM session, the user's systemd, a service, ... */
export function classifyCgroup(p: string | null): { kind: CgroupKind; unit: string | null } {
  if (p === null) return { kind: 'unknown', unit: null };
  const parts = p.split('/').filter((x) => x !== '');
  if (parts.length === 0) return { kind: 'root', unit: null };
  const session = parts.find((x) => /^session-[^/]+\.scope$/.test(x));
  if (session && parts.includes('user.slice')) return { kind: 'session', unit: session };
  const manager = parts.find((x) => /^user@\d+\.service$/.test(x));
  if (manager) {
    const inner = [...parts].reverse().find((x) => x !== manager && /\.(service|scope)$/.test(x));
    return { kind: 'user-manager', unit: inner ? `${manager}/${inner}` : manager };
  }
  const last = parts[parts.length - 1]!;
  const unit = [...parts].reverse().find((x) => /\.(service|scope|slice)$/.test(x)) ?? null;
  if (/^user-\d+\.slice$/.test(last)) return { kind: 'user-slice', unit: last };
  if (unit?.endsWith('.service')) return { kind: 'service', unit };
  if (unit?.endsWith('.scope')) return { kind: 'scope', unit };
  return { kind: 'other', unit };
}

/** Parse pids.max / pids.current text. */
export function parsePidsValue(text: string | null): bigint | 'max' | null {
  if (text === null) return null;
  const t = text.trim();
  if (t === 'max') return 'max';
  return /^\d+$/.test(t) ? BigInt(t) : null;
}

/** Parse /proc/meminfo into KiB figures. */
export function parseMeminfo(text: string): MemoryFacts {
  const get = (k: string): number | null => {
    const m = text.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'));
    return m ? Number(m[1]) : null;
  };
  return {
    memTotal: get('MemTotal'), memAvailable: get('MemAvailable'), commitLimit: get('CommitLimit'),
    committedAs: get('Committed_AS'), swapTotal: get('SwapTotal'), swapFree: get('SwapFree'),
  };
}

/** The total task count of /proc/loadavg ("0.00 0.01 0.05 2/345 6789" → 345). */
export function parseLoadavgTasks(text: string): number | null {
  const m = text.match(/^\S+\s+\S+\s+\S+\s+\d+\/(\d+)/);
  return m ? Number(m[1]) : null;
}

// --- PAM ----------------------------------------------------------------------------------

export interface PamLine {
  /** 1-based line where the (possibly continued) line starts */
  readonly line: number;
  /** '@include' for Debian's @include; otherwise the type lower-cased (session, auth, ...) */
  readonly type: string;
  /** type written with a leading '-' */
  readonly dash: boolean;
  readonly control: string;
  /** module path, or the included file for include/substack/@include */
  readonly module: string;
  readonly args: readonly string[];
}

/** Split a pam.d file into lines as libpam reads them (comments, `\` continuations, [..] fields). */
export function parsePamFile(text: string): { lines: PamLine[]; problems: string[] } {
  const lines: PamLine[] = [];
  const problems: string[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let buf = raw[i]!.replace(/\r$/, '');
    while (buf.endsWith('\\') && i + 1 < raw.length) {
      buf = `${buf.slice(0, -1)} ${raw[++i]!.replace(/\r$/, '')}`;
    }
    const hash = buf.indexOf('#');
    if (hash >= 0) buf = buf.slice(0, hash);
    const tokens = tokenizePam(buf);
    if (tokens.length === 0) continue;
    const first = tokens[0]!;
    if (first === '@include') {
      if (tokens[1]) lines.push({ line: start, type: '@include', dash: false, control: '@include', module: tokens[1], args: [] });
      else problems.push(`line ${start}: @include without a file name`);
      continue;
    }
    const dash = first.startsWith('-');
    const type = (dash ? first.slice(1) : first).toLowerCase();
    if (tokens.length < 3) {
      problems.push(`line ${start}: too few fields`);
      continue;
    }
    lines.push({ line: start, type, dash, control: tokens[1]!, module: tokens[2]!, args: tokens.slice(3) });
  }
  return { lines, problems };
}

function tokenizePam(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    if (s[i] === '[') {
      const end = s.indexOf(']', i);
      const stop = end < 0 ? s.length : end + 1;
      // a bracketed field runs to its closing bracket, then to the next blank
      let j = stop;
      while (j < s.length && !/\s/.test(s[j]!)) j++;
      out.push(s.slice(i, j));
      i = j;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** How a reader resolves a service or include name: the file read (relative to the root) and its text. */
export type PamReader = (name: string) => { file: string; text: string } | null;

interface StackEntry {
  readonly file: string;
  readonly pl: PamLine;
  readonly via: readonly string[];
  /** the position of the entry in each enclosing frame, outermost first */
  readonly path: ReadonlyArray<{ frame: number; index: number }>;
}

const INCLUDE_LIMIT = 16;

/**
 * The session stack of a service, as libpam builds it: include and @include are flattened into
 * the same stack, substack opens a nested one. Returns where pam_limits.so is and what can skip it.
 */
export function analyzePamService(service: string, read: PamReader): PamServiceFact {
  const problems: string[] = [];
  let top = read(service);
  let viaOther = false;
  if (!top) {
    top = read('other');
    viaOther = true;
    if (!top) return { service, file: null, viaOther: false, hits: [], problems: [] };
  }
  const frames: StackEntry[][] = [];
  const newFrame = (): number => { frames.push([]); return frames.length - 1; };
  const walk = (file: string, text: string, via: readonly string[], frame: number, outer: StackEntry['path'], depth: number) => {
    const parsed = parsePamFile(text);
    for (const p of parsed.problems) problems.push(`${file}: ${p}`);
    for (const pl of parsed.lines) {
      const include = pl.type === '@include' ? '@include' : pl.control === 'include' || pl.control === 'substack' ? pl.control : null;
      if (pl.type !== '@include' && pl.type !== 'session') continue;
      if (include) {
        if (depth >= INCLUDE_LIMIT) { problems.push(`${file}:${pl.line}: includes nested too deep (loop?)`); continue; }
        const inc = read(pl.module);
        if (!inc) {
          problems.push(`${file}:${pl.line}: ${include} ${pl.module}: file not found (libpam cannot load this stack as written)`);
          continue;
        }
        if (include === 'substack') {
          const index = frames[frame]!.length;
          frames[frame]!.push({ file, pl, via, path: [...outer, { frame, index }] });
          const sub = newFrame();
          walk(inc.file, inc.text, [...via, pl.module], sub, [...outer, { frame, index }], depth + 1);
        } else {
          walk(inc.file, inc.text, [...via, pl.module], frame, outer, depth + 1);
        }
        continue;
      }
      const index = frames[frame]!.length;
      frames[frame]!.push({ file, pl, via, path: [...outer, { frame, index }] });
    }
  };
  const root = newFrame();
  walk(top.file, top.text, [viaOther ? 'other' : service], root, [], 0);
  const hits: PamLimitsHit[] = [];
  for (const fr of frames) {
    for (const e of fr) {
      if (!/(^|\/)pam_limits\.so$/.test(e.pl.module)) continue;
      const conf = e.pl.args.find((a) => a.startsWith('conf='))?.slice(5) ?? null;
      hits.push({
        file: e.file, line: e.pl.line, control: e.pl.control, args: e.pl.args, dash: e.pl.dash,
        via: e.via, conf, mayBeSkipped: skippers(frames, e),
      });
    }
  }
  return { service, file: top.file, viaOther, hits, problems };
}

/** Earlier lines of the same (sub)stacks that can jump over `e` or end the stack before it. */
function skippers(frames: StackEntry[][], e: StackEntry): string[] {
  const out: string[] = [];
  for (const { frame, index } of e.path) {
    const fr = frames[frame]!;
    for (let i = 0; i < index; i++) {
      const x = fr[i]!;
      const args = x.pl.args.join(' ');
      const where = `${x.file}:${x.pl.line} ${x.pl.control} ${x.pl.module.replace(/^.*\//, '')}${args ? ` ${args.length > 48 ? `${args.slice(0, 47)}…` : args}` : ''}`;
      const c = x.pl.control;
      if (c === 'sufficient') { out.push(`${where}: the stack ends there when it succeeds`); continue; }
      if (!c.startsWith('[')) continue;
      for (const m of c.slice(1, -1).trim().split(/\s+/)) {
        const [k, v] = m.split('=');
        if (v === undefined) continue;
        if (/^\d+$/.test(v) && i + Number(v) >= index) out.push(`${where}: jumps over it when the module returns ${k}`);
        else if (v === 'done') out.push(`${where}: the stack ends there when the module returns ${k}`);
      }
    }
  }
  return [...new Set(out)];
}

// --- sshd_config -----------------------------------------------------------------------------

export interface SshdDirective {
  readonly keyword: string;
  readonly value: string;
  readonly line: number;
  /** inside a Match block */
  readonly inMatch: boolean;
}

/** sshd_config lines: "Keyword value" or "Keyword=value"; keywords are case-insensitive. */
export function parseSshdConfig(text: string): SshdDirective[] {
  const out: SshdDirective[] = [];
  let inMatch = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const m = line.match(/^(\S+?)(?:\s*=\s*|\s+)(.*)$/);
    if (!m) return;
    const keyword = m[1]!.toLowerCase();
    const value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (keyword === 'match') inMatch = true;
    out.push({ keyword, value, line: i + 1, inMatch: inMatch && keyword !== 'match' });
  });
  return out;
}

// --- commands --------------------------------------------------------------------------------

export type CommandHint = 'ssh-mux' | 'thread-heavy';

const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'java', 'bash', 'sh', 'dash', 'zsh', 'ksh']);

function basename(s: string): string {
  const t = s.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1) || s;
}

/**
 * A group key for a command line: rewritten titles ("ssh: /home/a/.ssh/cm-a@h:22 [mux]") lose
 * their variable middle, interpreters keep their script, everything else is the program name.
 */
export function commandKey(argv: readonly string[], comm: string, state: string): { key: string; hint: CommandHint | null } {
  if (argv.length === 0 || (argv.length === 1 && argv[0] === '')) {
    return { key: state === 'Z' ? `${comm} <defunct>` : `[${comm}]`, hint: null };
  }
  const args = argv[argv.length - 1] === '' ? argv.slice(0, -1) : argv;
  const title = args.join(' ');
  const rewritten = title.match(/^([\w.@+-]+): (.*?)( \[[\w -]+\])?$/);
  if (rewritten && !args[0]!.startsWith('/') && (args.length === 1 || args[0]!.endsWith(':'))) {
    const key = `${rewritten[1]}: …${rewritten[3] ?? ''}`;
    return { key, hint: rewritten[1] === 'ssh' && rewritten[3] === ' [mux]' ? 'ssh-mux' : null };
  }
  // a title rewritten into argv[0] with blanks ("npm exec tsc ...", "nginx worker"): split it
  const words = args.length === 1 && /\s/.test(args[0]!.trim()) ? args[0]!.trim().split(/\s+/) : args;
  return keyOfWords(words);
}

function keyOfWords(args: readonly string[]): { key: string; hint: CommandHint | null } {
  let prog = basename(args[0]!);
  if (prog.startsWith('-')) prog = prog.slice(1); // login shell
  const interp = prog.replace(/[\d.]+$/, '');
  if (INTERPRETERS.has(prog) || INTERPRETERS.has(interp)) {
    if (args[1] === '-c') return { key: `${prog} -c …`, hint: null };
    if (interp === 'java') {
      const jar = args.indexOf('-jar');
      if (jar >= 0 && args[jar + 1]) return { key: `java -jar ${basename(args[jar + 1]!)}`, hint: null };
      for (let i = 1; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-cp' || a === '-classpath' || a === '--class-path' || a === '-p' || a === '--module-path') { i++; continue; }
        if (!a.startsWith('-')) return { key: `java ${a}`, hint: null };
      }
      return { key: 'java', hint: null };
    }
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-m' && args[i + 1]) return { key: `${prog} -m ${args[i + 1]}`, hint: null };
      if (!a.startsWith('-')) return { key: `${prog} ${a.startsWith('/dev/fd/') || a.startsWith('/proc/') ? a : basename(a)}`, hint: null };
    }
  }
  return { key: prog.length > 60 ? `${prog.slice(0, 59)}…` : prog, hint: null };
}

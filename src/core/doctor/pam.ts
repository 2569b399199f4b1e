/**
 * PAM session stacks as libpam builds them (comments, `\` continuations, @include, include,
 * substack, -session, [value=action] controls) and sshd_config's directives: does pam_limits run
 * for a login path? Pure; the io ring supplies a reader for the pam.d files.
 */
import type { PamLimitsHit, PamServiceFact } from './facts.js';

/** PAM services whose session stacks start user sessions, in the order doctor lists them. */
export const LOGIN_PATHS: readonly string[] = [
  'sshd', 'login', 'su', 'su-l', 'sudo', 'sudo-i', 'runuser', 'runuser-l', 'cron', 'crond', 'atd',
  'systemd-user', 'gdm-password', 'lightdm', 'sddm', 'xrdp-sesman',
];
/** Shared stacks that login paths include. */
export const SHARED_STACKS: readonly string[] = [
  'common-session', 'common-session-noninteractive', 'system-auth', 'password-auth', 'system-login', 'postlogin',
];

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

/**
 * What a session stack does when this pam_limits line returns PAM_SERVICE_ERR (a limits file it
 * cannot read): 'fails' (the session is refused) or 'continues'. libpam's controls
 * (libpam/pam_handlers.c _pam_parse_control, pam_dispatch.c _pam_dispatch_aux): `required` is
 * [... default=bad], `requisite` [... default=die], `binding` [... default=bad] — the stack
 * fails; `optional` and `sufficient` are [... default=ignore] — ignored. In a bracket control the
 * action is `service_err=`, else `default=`, else `bad` (libpam's default for an unnamed value);
 * bad/die fail, and so do ok/done (a failure code replaces the stack's success); ignore, reset and
 * a jump (`=N`, in a session stack) let it continue.
 */
export function onServiceErr(control: string): 'fails' | 'continues' {
  const c = control.trim();
  if (c.startsWith('[')) {
    const map = new Map<string, string>();
    for (const kv of c.replace(/^\[|\]$/g, '').trim().split(/\s+/)) {
      const eq = kv.indexOf('=');
      if (eq > 0) map.set(kv.slice(0, eq).toLowerCase(), kv.slice(eq + 1).toLowerCase());
    }
    const action = map.get('service_err') ?? map.get('default') ?? 'bad';
    return action === 'ignore' || action === 'reset' || /^\d+$/.test(action) ? 'continues' : 'fails';
  }
  switch (c.toLowerCase()) {
    case 'optional':
    case 'sufficient':
      return 'continues';
    default: // required, requisite, binding
      return 'fails';
  }
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

/**
 * The effective resource limits of a systemd unit, with provenance: the pure half of
 * `limitsctl get|effective|explain --unit`. The I/O half (src/io/systemd.ts) lists and reads the
 * files this module names, in the order it gives.
 *
 * Sources, highest first (systemd.exec(5) "PROCESS PROPERTIES", systemd 252):
 * 1. the unit's `Limit*=` settings: the unit file, then its drop-ins, the last assignment wins;
 * 2. `DefaultLimit*=` of the manager: etc/systemd/system.conf, then the system.conf.d drop-ins
 *    (systemd-system.conf(5) "CONFIGURATION DIRECTORIES AND PRECEDENCE");
 * 3. systemd 252's built-in defaults (BUILTIN_DEFAULTS below), else what PID 1 got from the kernel.
 *
 * Finding the files (systemd.unit(5) "UNIT FILE LOAD PATH" and "DESCRIPTION"; the directory
 * order is the one `systemd-analyze unit-paths` prints for systemd 252.38-1~deb12u1, where
 * lib/systemd/system comes before usr/lib/systemd/system):
 * - the unit file is the first `<name>` found in UNIT_SEARCH_DIRS; for an instance
 *   `foo@bar.service` without its own file, the template `foo@.service`. A file that is a symlink
 *   to /dev/null, or empty, masks the unit (systemd.unit(5): "masked");
 * - drop-ins are `*.conf` in `<name>.d/` of every search directory, and of the template
 *   (`foo@.service.d/`), the dash prefixes (`foo-bar-.service.d/`, `foo-.service.d/`) and the
 *   type (`service.d/`); a drop-in name found earlier (a higher-priority directory, or a more
 *   specific name) masks the same name later; the rest are applied in lexical order of their
 *   file names, whichever directory they are in.
 * Pure: no I/O.
 */
import { RLIM_INFINITY, type RlimitItem } from '../schema.js';
import { LIMIT_SETTINGS, limitSettingByKey, parseLimitValue, type LimitSetting } from './limits.js';
import { parseUnitText } from './syntax.js';

/** Unit search directories of the system manager, highest priority first (relative to the root). */
export const UNIT_SEARCH_DIRS: readonly string[] = [
  'etc/systemd/system.control',
  'run/systemd/system.control',
  'run/systemd/transient',
  'run/systemd/generator.early',
  'etc/systemd/system',
  'etc/systemd/system.attached',
  'run/systemd/system',
  'run/systemd/system.attached',
  'run/systemd/generator',
  'usr/local/lib/systemd/system',
  'lib/systemd/system',
  'usr/lib/systemd/system',
  'run/systemd/generator.late',
];

/** The system manager's main configuration file (systemd-system.conf(5)). */
export const MANAGER_CONF = 'etc/systemd/system.conf';

/** Its drop-in directories, highest priority first (systemd-system.conf(5); `systemd-analyze cat-config`). */
export const MANAGER_DROPIN_DIRS: readonly string[] = [
  'etc/systemd/system.conf.d',
  'run/systemd/system.conf.d',
  'usr/local/lib/systemd/system.conf.d',
  'usr/lib/systemd/system.conf.d',
];

const UNIT_TYPES = ['service', 'socket', 'device', 'mount', 'automount', 'swap', 'target', 'path', 'timer', 'slice', 'scope'];
/** The unit types whose processes get Limit*= (the [Service]/[Socket]/[Mount]/[Swap] sections). */
export const EXEC_SECTION: Readonly<Record<string, string>> = { service: 'Service', socket: 'Socket', mount: 'Mount', swap: 'Swap' };

export type UnitNameResult = { readonly ok: true; readonly name: string; readonly type: string } | { readonly ok: false; readonly message: string };

/** `nginx` → `nginx.service`; checks the name as systemd's unit_name_is_valid would (roughly). */
export function normalizeUnitName(input: string): UnitNameResult {
  const dot = input.lastIndexOf('.');
  const suffix = dot > 0 ? input.slice(dot + 1) : '';
  const name = UNIT_TYPES.includes(suffix) ? input : `${input}.service`;
  const type = name.slice(name.lastIndexOf('.') + 1);
  const stem = name.slice(0, name.lastIndexOf('.'));
  if (stem === '' || name.length > 255 || !/^[A-Za-z0-9:_.\\@-]+$/.test(stem) || name.includes('/')) {
    return { ok: false, message: `'${input}' is not a valid unit name (letters, digits and ":-_.\\@" only, as systemd.unit(5) allows)` };
  }
  if (stem.endsWith('@')) return { ok: false, message: `'${input}' is a template; give an instance, e.g. ${stem}NAME.${type}` };
  return { ok: true, name, type };
}

/** The template of an instance (`foo@bar.service` → `foo@.service`), or null. */
export function templateOf(name: string): string | null {
  const at = name.indexOf('@');
  if (at < 0) return null;
  return `${name.slice(0, at + 1)}${name.slice(name.lastIndexOf('.'))}`;
}

/** Names whose `.d/` directories hold drop-ins for `name`, most specific first. */
export function dropinNames(name: string): string[] {
  const type = name.slice(name.lastIndexOf('.') + 1);
  const stem = name.slice(0, name.lastIndexOf('.'));
  const out = [name];
  const template = templateOf(name);
  if (template) out.push(template);
  // foo-bar-baz.service → foo-bar-.service, foo-.service (systemd.unit(5))
  for (let i = stem.lastIndexOf('-', stem.length - 2); i > 0; i = stem.lastIndexOf('-', i - 1)) out.push(`${stem.slice(0, i + 1)}.${type}`);
  out.push(type); // service.d/
  return out.map((n) => `${n}.d`);
}

/** A drop-in file found in a listing. */
export interface DropinCandidate {
  /** path relative to the root */
  readonly file: string;
  /** the file name (`10-limits.conf`) */
  readonly base: string;
}

/**
 * The drop-ins applied, in order, and those masked by an equally named one found earlier.
 * `found` must be in discovery order: search directory by search directory (highest priority
 * first), and within one, most specific drop-in name first (dropinNames).
 */
export function orderDropins(found: readonly DropinCandidate[]): { applied: DropinCandidate[]; masked: { file: string; by: string }[] } {
  const first = new Map<string, DropinCandidate>();
  const masked: { file: string; by: string }[] = [];
  for (const c of found) {
    if (!c.base.endsWith('.conf')) continue;
    const seen = first.get(c.base);
    if (seen) masked.push({ file: c.file, by: seen.file });
    else first.set(c.base, c);
  }
  const applied = [...first.values()].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return { applied, masked };
}

/** Where one half of a unit's limit comes from. */
export type UnitLimitSource =
  | { readonly kind: 'unit'; readonly file: string; readonly line: number; readonly setting: string }
  | { readonly kind: 'manager'; readonly file: string; readonly line: number; readonly setting: string }
  | { readonly kind: 'builtin'; readonly setting: string; readonly text: string };

export interface UnitLimit {
  readonly item: RlimitItem;
  readonly setting: string;
  /** kernel units (bytes, seconds, microseconds, counts, RLIMIT_NICE 0..40); RLIM_INFINITY; null when the machine decides (e.g. nproc) */
  readonly soft: bigint | null;
  readonly hard: bigint | null;
  /** one assignment sets both halves: soft and hard share their source */
  readonly from: UnitLimitSource;
  /** earlier assignments this one beat, oldest first */
  readonly overrides: readonly UnitLimitSource[];
}

/** A file's text as read. */
export interface UnitFileText {
  readonly file: string;
  readonly text: string;
}

export interface UnitInput {
  readonly unit: string;
  /** the unit file, or null when no file defines the unit */
  readonly fragment: UnitFileText | null;
  /** drop-ins in the order orderDropins gives */
  readonly dropins: readonly UnitFileText[];
  /** system.conf then its drop-ins in order (those that exist) */
  readonly manager: readonly UnitFileText[];
}

export interface UnitProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface UnitLimits {
  readonly unit: string;
  readonly limits: Readonly<Record<RlimitItem, UnitLimit>>;
  /** lines systemd ignores (with the same words as systemd's log where it has them) */
  readonly problems: readonly UnitProblem[];
}

/**
 * systemd 252's built-in defaults for the system manager's units, per item: what a unit gets
 * when neither the unit nor the manager's configuration sets it.
 * - nofile 1024:524288 and memlock 8M: systemd-system.conf(5) "DefaultLimitNOFILE= defaults to
 *   1024:524288", "DefaultLimitMEMLOCK= defaults to 8M" (the hard 524288 is lowered to
 *   fs.nr_open when that is smaller);
 * - core infinity: systemd-system.conf(5) "RLIMIT_CORE is set to infinity by PID 1 which is
 *   inherited by its children";
 * - the rest is PID 1's own limits, which it got from the kernel (or a container manager): the
 *   kernel's INIT_RLIMITS (include/asm-generic/resource.h): cpu, fsize, data, rss, as, locks,
 *   rttime unlimited; stack 8 MiB soft (_STK_LIM), unlimited hard; msgqueue 819200 bytes
 *   (MQ_BYTES_MAX); nice 0; rtprio 0; nproc and sigpending are set at boot to
 *   kernel.threads-max / 2 (kernel/fork.c fork_init), so they are machine-dependent (null here).
 */
export const BUILTIN_DEFAULTS: Readonly<Record<RlimitItem, { soft: bigint | null; hard: bigint | null; text: string }>> = (() => {
  const INF = RLIM_INFINITY;
  const kernel = (soft: bigint | null, hard: bigint | null, what: string) => ({ soft, hard, text: `not set: PID 1's limit from the kernel (${what}), inherited` });
  return {
    cpu: kernel(INF, INF, 'unlimited'),
    fsize: kernel(INF, INF, 'unlimited'),
    data: kernel(INF, INF, 'unlimited'),
    stack: kernel(8n * 1024n * 1024n, INF, '_STK_LIM 8 MiB soft, unlimited hard'),
    core: { soft: INF, hard: INF, text: "systemd's built-in default: PID 1 sets RLIMIT_CORE to infinity, inherited (systemd-system.conf(5))" },
    rss: kernel(INF, INF, 'unlimited'),
    nproc: kernel(null, null, 'kernel.threads-max / 2, set at boot by fork_init'),
    nofile: { soft: 1024n, hard: 524288n, text: "systemd's built-in default DefaultLimitNOFILE=1024:524288 (systemd-system.conf(5); the hard limit is at most fs.nr_open)" },
    memlock: { soft: 8n * 1024n * 1024n, hard: 8n * 1024n * 1024n, text: "systemd's built-in default DefaultLimitMEMLOCK=8M (systemd-system.conf(5))" },
    as: kernel(INF, INF, 'unlimited'),
    locks: kernel(INF, INF, 'unlimited'),
    sigpending: kernel(null, null, 'kernel.threads-max / 2, set at boot by fork_init'),
    msgqueue: kernel(819200n, 819200n, 'MQ_BYTES_MAX 819200 bytes'),
    nice: kernel(0n, 0n, '0'),
    rtprio: kernel(0n, 0n, '0'),
    rttime: kernel(INF, INF, 'unlimited'),
  };
})();

function applyFile(
  f: UnitFileText, kind: 'unit' | 'manager', section: string,
  state: Map<RlimitItem, { soft: bigint; hard: bigint; from: UnitLimitSource; overrides: UnitLimitSource[] }>,
  problems: UnitProblem[],
): void {
  const parsed = parseUnitText(f.text);
  for (const p of parsed.problems) problems.push({ file: f.file, line: p.line, message: p.message });
  for (const a of parsed.assignments) {
    if (a.section !== section) continue;
    const setting: LimitSetting | undefined = limitSettingByKey(a.key, kind === 'manager');
    if (!setting) continue;
    const v = parseLimitValue(setting, a.value);
    if (!v.ok) {
      problems.push({ file: f.file, line: a.line, message: `${a.key}=: ${v.message}` });
      continue;
    }
    const from: UnitLimitSource = { kind, file: f.file, line: a.line, setting: a.key };
    const prev = state.get(setting.item);
    state.set(setting.item, { soft: v.soft, hard: v.hard, from, overrides: prev ? [...prev.overrides, prev.from] : [] });
  }
}

/**
 * The effective soft and hard limit of every item for `input.unit`. The unit's assignments
 * (fragment, then drop-ins) beat the manager's (system.conf, then its drop-ins), which beat the
 * built-in defaults; within each, the last valid assignment wins.
 */
export function resolveUnitLimits(input: UnitInput): UnitLimits {
  const type = input.unit.slice(input.unit.lastIndexOf('.') + 1);
  const section = EXEC_SECTION[type];
  const problems: UnitProblem[] = [];
  const manager = new Map<RlimitItem, { soft: bigint; hard: bigint; from: UnitLimitSource; overrides: UnitLimitSource[] }>();
  for (const f of input.manager) applyFile(f, 'manager', 'Manager', manager, problems);
  const unit = new Map<RlimitItem, { soft: bigint; hard: bigint; from: UnitLimitSource; overrides: UnitLimitSource[] }>();
  if (section) for (const f of [...(input.fragment ? [input.fragment] : []), ...input.dropins]) applyFile(f, 'unit', section, unit, problems);
  const limits = {} as Record<RlimitItem, UnitLimit>;
  for (const s of LIMIT_SETTINGS) {
    const u = unit.get(s.item);
    const m = manager.get(s.item);
    if (u) {
      limits[s.item] = { item: s.item, setting: s.setting, soft: u.soft, hard: u.hard, from: u.from, overrides: [...(m ? [...m.overrides, m.from] : []), ...u.overrides] };
    } else if (m) {
      limits[s.item] = { item: s.item, setting: s.setting, soft: m.soft, hard: m.hard, from: m.from, overrides: m.overrides };
    } else {
      const b = BUILTIN_DEFAULTS[s.item];
      limits[s.item] = { item: s.item, setting: s.setting, soft: b.soft, hard: b.hard, from: { kind: 'builtin', setting: `Default${s.setting}`, text: b.text }, overrides: [] };
    }
  }
  return { unit: input.unit, limits, problems };
}

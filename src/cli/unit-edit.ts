/**
 * `set ITEM VALUE --unit NAME` and `unset ITEM --unit NAME`: a systemd unit's limit written to a
 * drop-in, `etc/systemd/system/<unit>.d/limitsctl.conf` under the root (`--file` may name another
 * `*.conf` in that directory), in the unit type's section (`[Service]` for a service) as
 * `LimitX=soft:hard` in systemd's grammar (core/systemd/edit.ts). docs/systemd.md describes it.
 *
 * - Idempotent by meaning: when the unit already gets the value (from any file, system.conf or a
 *   built-in default; core/systemd/resolve.ts), nothing is written (`unchanged`).
 * - The planned drop-in is read back through the resolver as systemd would read it; when another
 *   drop-in applied later (a later file name), or one of the same name in a directory systemd reads
 *   first, would keep the value from taking effect, the change is refused (exit 2, naming the
 *   assignment), unless --force.
 * - Written by the one edit transaction (src/io/commit.ts commitEdits: compare-and-swap, mode and
 *   owner kept, new directories 0755, --backup, --dry-run/--check). The tree lock
 *   (`etc/security/.limitsctl.lock`) is taken when `<root>/etc/security` exists; a tree without it
 *   (a bare systemd tree) is written without the lock, still atomically and compare-and-swap, so a
 *   run never creates `etc/security` there.
 * - limitsctl never runs systemctl: it prints `systemctl daemon-reload` and `systemctl restart
 *   UNIT` (a running service keeps its old limits until restarted), and `next` in --json.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_NR_OPEN, isRlimitItem, itemInfo, RLIM_INFINITY, RLIMIT_ITEMS, type RlimitItem } from '../core/schema.js';
import { editDropinText, formatLimitValue, parseWantedValue } from '../core/systemd/edit.js';
import { limitSettingFor } from '../core/systemd/limits.js';
import { EXEC_SECTION, normalizeUnitName, type UnitLimit, type UnitLimitSource } from '../core/systemd/resolve.js';
import { kernelToConf } from '../core/values.js';
import { valueWithUnit } from '../formatters/effective.js';
import { readFileInRoot, MAX_SMALL_FILE_BYTES } from '../io/read.js';
import { loadNrOpen } from '../io/system.js';
import { loadUnitLimits, type LoadedUnit } from '../io/systemd.js';
import { type CliIO, fileArgInRoot, type GlobalArgs, makeContext } from './context.js';
import { type EditArgs, planDiff, printChanges, recoveryNote } from './editing.js';
import { UsageError } from './errors.js';
import { toJson } from './output.js';
import { JSON_VERSIONS } from '../formatters/json-versions.js';
import { checkItemArg } from './resolving.js';

export interface UnitEditArgs extends GlobalArgs, EditArgs {
  unit: string;
  item?: string;
  value?: string | number;
  type?: string;
  comment?: string;
  atLeast?: boolean;
  atMost?: boolean;
  user?: string;
  group?: string;
  all?: boolean;
  domain?: string;
}

type Loaded = Extract<LoadedUnit, { ok: true }>;

interface Note { status: 'changed' | 'unchanged'; detail: string; note?: string }

interface UnitPlan {
  readonly changes: { path: string; before: string | null; after: string }[];
  readonly notes: Note[];
  /** the limit after the change (as systemd would read the tree with it) */
  readonly after: UnitLimit;
  /** the assignment that keeps the change from taking effect, or null */
  readonly blocker: { source: UnitLimitSource; masked: string | null } | null;
  readonly wanted: { soft: bigint; hard: bigint } | null;
  readonly warnings: string[];
}

function shown(item: RlimitItem, v: bigint | null): string {
  if (v === null) return "the machine's (kernel.threads-max / 2)";
  const info = itemInfo(item)!;
  return valueWithUnit(info, kernelToConf(info, v));
}

function pair(item: RlimitItem, soft: bigint | null, hard: bigint | null): string {
  return `soft ${shown(item, soft)} hard ${shown(item, hard)}`;
}

function sourceText(s: UnitLimitSource): string {
  return s.kind === 'builtin' ? s.text : `${s.file}:${s.line} ${s.setting}=`;
}

function sourceJson(s: UnitLimitSource) {
  return s.kind === 'builtin' ? { file: null, line: null, setting: s.setting, builtin: s.text } : { file: s.file, line: s.line, setting: s.setting };
}

function confJson(item: RlimitItem, v: bigint | null): bigint | 'unlimited' | null {
  return v === null ? null : kernelToConf(itemInfo(item)!, v);
}

function refuseOthers(args: UnitEditArgs): void {
  for (const o of ['user', 'group', 'all', 'domain'] as const) {
    if (args[o] !== undefined && args[o] !== false) {
      throw new UsageError(`--${o} and --unit contradict each other: a service's limits come from systemd, not from pam_limits' lines for an account`, 'Give --unit alone.');
    }
  }
  if (args.comment !== undefined) throw new UsageError('--comment is not supported with --unit', 'The drop-in limitsctl writes starts with a comment naming it; edit the file for more.');
  if (args.atLeast && args.atMost) throw new UsageError('--at-least and --at-most exclude each other');
}

function typeOf(args: UnitEditArgs): 'soft' | 'hard' | 'both' {
  const t = (args.type ?? 'both').toLowerCase();
  if (t === 'both' || t === '-') return 'both';
  if (t === 'soft' || t === 'hard') return t;
  throw new UsageError(`--type must be soft, hard or both, got '${args.type}'`);
}

/** The unit, its section and the drop-in path; refuses (exit 2) a missing, masked or limit-less unit and a --file elsewhere. */
function target(args: UnitEditArgs, root: string, file: string | undefined) {
  const n = normalizeUnitName(args.unit);
  if (!n.ok) throw new UsageError(n.message);
  const u = loadUnitLimits(root, n.name);
  if (!u.ok) throw new UsageError(u.message, u.reason === 'not-found' ? 'Unit files are looked up as systemd does; see docs/systemd.md.' : undefined);
  const section = EXEC_SECTION[n.type];
  if (!section) throw new UsageError(`${n.name} has no processes of its own: Limit*= applies to service, socket, mount and swap units only (systemd.exec(5))`);
  const dir = `etc/systemd/system/${n.name}.d`;
  let rel = `${dir}/limitsctl.conf`;
  if (file !== undefined) {
    const f = path.posix.normalize(file.replace(/^\.\//, ''));
    const candidate = f.includes('/') ? f : `${dir}/${f}`;
    if (path.posix.dirname(candidate) !== dir || !candidate.endsWith('.conf') || path.posix.basename(candidate) === '.conf') {
      throw new UsageError(`--file ${file}: with --unit the file must be a *.conf drop-in in ${dir}/ (systemd reads no other name there)`, `e.g. --file ${dir}/90-limits.conf, or a bare name such as 90-limits.conf`);
    }
    rel = candidate;
  }
  return { unit: n.name, section, rel };
}

/** The drop-in's current content (binary string), or null when it does not exist. */
function readDropin(root: string, rel: string): string | null {
  const r = readFileInRoot(root, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
  if (r.ok) return r.bytes.toString('latin1');
  if (r.failure.kind === 'missing' && !r.failure.dangling) return null;
  // not "writes only a regular file": the file (or a directory on its way) may not be read as
  // this uid, so what it holds, and whether it is there, is unknown
  if (r.failure.kind === 'denied') throw new UsageError(`cannot edit ${rel}: ${r.failure.message}; systemd reads it as root, so what it holds is unknown`, 'run as root (or as a user who can read it)');
  throw new UsageError(`${r.failure.message}; limitsctl writes only a regular file there`);
}

function loadAfter(root: string, unit: string, rel: string, after: string): Loaded {
  const u = loadUnitLimits(root, unit, new Map([[rel, after]]));
  if (!u.ok) throw new UsageError(u.message);
  return u;
}

function blockerOf(u: Loaded, rel: string, l: UnitLimit): UnitPlan['blocker'] {
  const masked = u.maskedDropins.find((m) => m.file === rel)?.by ?? null;
  return { source: l.from, masked };
}

function planSet(root: string, t: ReturnType<typeof target>, item: RlimitItem, wanted: bigint, type: 'soft' | 'hard' | 'both', args: UnitEditArgs): UnitPlan {
  const setting = limitSettingFor(item);
  const u = loadUnitLimits(root, t.unit);
  if (!u.ok) throw new UsageError(u.message);
  const cur = u.limits.limits[item];
  const pick = (half: 'soft' | 'hard'): bigint => {
    const c = cur[half];
    if (c === null) throw new UsageError(`the ${half} limit of ${item} for ${t.unit} is the machine's (kernel.threads-max / 2, not in any file), so a one-sided change cannot keep it`, 'Give both halves: --type both (the default).');
    return c;
  };
  const adjust = (c: bigint | null): bigint => (c === null ? wanted : args.atLeast ? (c > wanted ? c : wanted) : args.atMost ? (c < wanted ? c : wanted) : wanted);
  let soft: bigint;
  let hard: bigint;
  const notes: Note[] = [];
  if (type === 'both') {
    soft = adjust(cur.soft);
    hard = adjust(cur.hard);
    if (soft > hard) soft = hard;
  } else if (type === 'soft') {
    hard = pick('hard');
    soft = adjust(cur.soft);
    if (soft > hard) {
      throw new UsageError(`${item} soft ${shown(item, soft)} is above the hard limit ${shown(item, hard)} that ${t.unit} gets (${sourceText(cur.from)}); systemd ignores a soft limit above the hard one ("Soft resource limit chosen higher than hard limit, ignoring")`, 'Raise both: --type both, or the hard limit first.');
    }
  } else {
    const s = pick('soft');
    hard = adjust(cur.hard);
    soft = s > hard ? hard : s;
  }
  const lowered: string[] = [];
  if (cur.soft !== null && soft < cur.soft) lowered.push(`soft ${shown(item, cur.soft)} → ${shown(item, soft)}`);
  if (cur.hard !== null && hard < cur.hard) lowered.push(`hard ${shown(item, cur.hard)} → ${shown(item, hard)}`);
  if (cur.soft === soft && cur.hard === hard) {
    notes.push({ status: 'unchanged', detail: `${t.unit} already gets ${item} ${pair(item, soft, hard)} (${sourceText(cur.from)})` });
    return { changes: [], notes, after: cur, blocker: null, wanted: { soft, hard }, warnings: [] };
  }
  const value = formatLimitValue(setting, soft, hard);
  const before = readDropin(root, t.rel);
  const after = editDropinText(before, t.unit, t.section, setting.setting, value);
  const v = loadAfter(root, t.unit, t.rel, after);
  const l = v.limits.limits[item];
  const blocker = l.soft === soft && l.hard === hard ? null : blockerOf(v, t.rel, l);
  const note: Note = { status: 'changed', detail: `${t.unit}: ${setting.setting}=${value} in ${t.rel} (${item} ${pair(item, soft, hard)}; was ${pair(item, cur.soft, cur.hard)} from ${sourceText(cur.from)})` };
  if (lowered.length > 0) note.note = `this lowers ${item} for ${t.unit}: ${lowered.join(', ')}${args.atLeast ? '' : '; --at-least only raises'}`;
  if (type === 'hard' && cur.soft !== null && soft < cur.soft) note.note = `${note.note ? `${note.note}; ` : ''}the soft limit is lowered to the new hard one (systemd ignores soft above hard)`;
  notes.push(note);
  return { changes: before === after ? [] : [{ path: t.rel, before, after }], notes, after: l, blocker, wanted: { soft, hard }, warnings: [] };
}

function planUnset(root: string, t: ReturnType<typeof target>, item: RlimitItem): UnitPlan {
  const setting = limitSettingFor(item);
  const u = loadUnitLimits(root, t.unit);
  if (!u.ok) throw new UsageError(u.message);
  const before = readDropin(root, t.rel);
  const after = before === null ? null : editDropinText(before, t.unit, t.section, setting.setting, null);
  if (before === null || after === before) {
    const cur = u.limits.limits[item];
    return {
      changes: [], after: cur, blocker: null, wanted: null, warnings: [],
      notes: [{ status: 'unchanged', detail: `${t.rel} has no ${setting.setting}=; ${t.unit} gets ${item} ${pair(item, cur.soft, cur.hard)} (${sourceText(cur.from)})` }],
    };
  }
  const l = loadAfter(root, t.unit, t.rel, after!).limits.limits[item];
  return {
    changes: [{ path: t.rel, before, after: after! }], blocker: null, wanted: null, warnings: [], after: l,
    notes: [{ status: 'changed', detail: `${t.unit}: ${setting.setting}= removed from ${t.rel}; it then gets ${item} ${pair(item, l.soft, l.hard)} (${sourceText(l.from)})` }],
  };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function run(args: UnitEditArgs, io: CliIO, op: 'set' | 'unset'): Promise<number> {
  const ctx = makeContext(args, io);
  const c = ctx.colors;
  refuseOthers(args);
  // every rlimit has a Limit*= setting, whatever pam_limits release the profile names (rttime too)
  const info = itemInfo((args.item ?? '').toLowerCase()) ?? checkItemArg(ctx, args.item);
  if (!isRlimitItem(info.name)) throw new UsageError(`${info.name} is not a resource limit: systemd units have Limit*= settings for rlimit items only (${RLIMIT_ITEMS.join(', ')})`);
  const item = info.name;
  const type = typeOf(args);
  if (op === 'unset' && type !== 'both') {
    throw new UsageError(`unset --unit removes the whole ${limitSettingFor(item).setting}= assignment (it sets soft and hard together); --type ${type} cannot remove one half`, `Use 'set ${item} VALUE --type ${type} --unit ${args.unit}' to change one half.`);
  }
  let wanted: bigint | null = null;
  if (op === 'set') {
    const w = parseWantedValue(item, String(args.value ?? ''));
    if (!w.ok) throw new UsageError(w.message);
    wanted = w.kernel;
  }
  if (op === 'set' && item === 'nofile' && type !== 'soft' && wanted !== null && !args.force) {
    // setrlimit(RLIMIT_NOFILE) above fs.nr_open is EPERM: the unit would not get what is written
    const nr = loadNrOpen(ctx.root, path.join(ctx.root, 'proc'), null);
    const limit = nr.value ?? DEFAULT_NR_OPEN;
    if (wanted > limit) {
      throw new UsageError(
        `refusing: LimitNOFILE= hard ${wanted === RLIM_INFINITY ? 'infinity' : wanted} is above fs.nr_open ${limit}${nr.source ? ` (${nr.source.file}:${nr.source.line})` : ''}: the kernel refuses it (setrlimit EPERM), so systemd gives the unit at most PID 1's hard limit, and older systemd fails it ("Failed at step LIMITS")`,
        `Set at most ${limit}, raise fs.nr_open first, or pass --force to write it anyway.`,
      );
    }
  }
  const t = target(args, ctx.root, fileArgInRoot(ctx, args.root, args.file));
  const writing = !args.dryRun && !args.check;
  const planOnce = (): UnitPlan => (op === 'set' ? planSet(ctx.root, t, item, wanted!, type, args) : planUnset(ctx.root, t, item));

  const refuse = (p: UnitPlan): void => {
    if (!p.blocker || args.force) return;
    throw new UsageError(`${writing ? 'refusing: the change would' : 'this change would'} not take effect: ${blockerText(p, t, item)}`,
      p.blocker.masked !== null
        ? `Remove or edit ${p.blocker.masked}, or pass --force to write anyway.`
        : `Edit or remove the assignment named above, choose a drop-in name that sorts after it with --file (e.g. --file zz-limitsctl.conf), or pass --force to write anyway.`);
  };
  const { commitEdits } = await import('../io/commit.js');
  const { plan, written } = await commitEdits(ctx.root, planOnce, {
    dryRun: !writing,
    check: refuse,
    backup: args.backup === true,
    hardLinks: args.force === true ? 'split' : 'refuse',
    // a bare systemd tree has no etc/security for the lock; the write stays atomic and compare-and-swap
    lock: isDir(path.join(ctx.root, 'etc/security')),
    // a drop-in is read with the small-file cap (readDropin, io/systemd.ts): never write one above it
    maxBytes: MAX_SMALL_FILE_BYTES,
    onRecovered: (r) => io.stderr(c.yellow(`${recoveryNote(r)}\n`)),
  });

  const diff = await planDiff(plan);
  const changed = plan.changes.length > 0;
  const next = changed ? ['systemctl daemon-reload', `systemctl restart ${t.unit}`] : [];
  const warnings = [...(ctx.profileWarning !== null ? [ctx.profileWarning] : []), ...plan.warnings];
  if (plan.blocker) warnings.push(`written with --force, but it does not take effect: ${blockerText(plan, t, item)}`);
  const nextText = `a running ${t.unit} keeps its old limits until it is restarted: run 'systemctl daemon-reload', then 'systemctl restart ${t.unit}'`;
  if (ctx.json) {
    io.stdout(`${toJson({
      version: JSON_VERSIONS.edit,
      changed,
      dryRun: !writing,
      unit: t.unit,
      item,
      setting: limitSettingFor(item).setting,
      file: t.rel,
      files: plan.changes.map((ch) => {
        const w = written.find((x) => x.path === ch.path);
        return { path: ch.path, created: ch.before === null, ...(w?.backupPath ? { backup: w.backupPath } : {}) };
      }),
      diff,
      changes: plan.notes.map((n) => ({ status: n.status, detail: n.detail, ...(n.note !== undefined ? { note: n.note } : {}) })),
      effective: { unit: t.unit, item, soft: confJson(item, plan.after.soft), hard: confJson(item, plan.after.hard), softFrom: sourceJson(plan.after.from), hardFrom: sourceJson(plan.after.from) },
      blockers: plan.blocker ? [{ unit: t.unit, item, because: blockerText(plan, t, item), ...sourceJson(plan.blocker.source) }] : [],
      next,
      ...(changed ? { restart: nextText } : {}),
      warnings,
    })}\n`);
  } else {
    printChanges((t) => io.stdout(t), c, plan.notes, diff, writing && changed ? written : [], writing, ctx.root);
    if (changed) io.stdout(`${writing ? 'next' : 'after writing'}: ${nextText}\n`);
    for (const n of plan.notes) if (n.note !== undefined) io.stderr(c.yellow(`note: ${n.note}\n`));
    for (const w of warnings.filter((x) => x !== ctx.profileWarning)) io.stderr(c.yellow(`warning: ${w}\n`));
  }
  if (args.check && changed) return 1;
  return 0;
}

function blockerText(p: UnitPlan, t: ReturnType<typeof target>, item: RlimitItem): string {
  const b = p.blocker!;
  const got = pair(item, p.after.soft, p.after.hard);
  const want = p.wanted ? pair(item, p.wanted.soft, p.wanted.hard) : '';
  if (b.masked !== null) return `${t.rel} is masked by ${b.masked} (same file name in a directory systemd reads first, systemd.unit(5)); ${t.unit} would get ${item} ${got} (${sourceText(b.source)}), not ${want}`;
  return `${sourceText(b.source)} is applied after ${t.rel} (drop-ins apply in file-name order, the last assignment wins; systemd.unit(5)); ${t.unit} would get ${item} ${got}, not ${want}`;
}

/** `set ITEM VALUE --unit NAME`. */
export function runSetUnit(args: UnitEditArgs, io: CliIO): Promise<number> {
  return run(args, io, 'set');
}

/** `unset ITEM --unit NAME`. */
export function runUnsetUnit(args: UnitEditArgs, io: CliIO): Promise<number> {
  return run(args, io, 'unset');
}

/**
 * `get ITEM --unit NAME`, `effective --unit NAME`, `explain ITEM --unit NAME`: the limits a
 * systemd unit's processes start with (core/systemd/resolve.ts), in limits.conf units like the
 * pam_limits output, with the file and line (or system.conf, or systemd's built-in default) that
 * set each. pam_limits' limits.conf does not apply to services (docs/systemd.md).
 */
import path from 'node:path';
import { DEFAULT_NR_OPEN, isRlimitItem, type ItemInfo, itemInfo, RLIM_INFINITY, RLIMIT_ITEMS, type RlimitItem } from '../core/schema.js';
import { EXEC_SECTION, type UnitLimit, type UnitLimitSource } from '../core/systemd/resolve.js';
import { kernelToConf } from '../core/values.js';
import { valueWithUnit } from '../formatters/effective.js';
import { loadNrOpen } from '../io/system.js';
import { loadUnitLimits } from '../io/systemd.js';
import { type CliIO, type Context, type GlobalArgs, makeContext } from './context.js';
import { UsageError } from './errors.js';
import { toJson } from './output.js';
import { JSON_VERSIONS } from '../formatters/json-versions.js';
import { checkItemArg } from './resolving.js';

export interface UnitArgs extends GlobalArgs {
  unit: string;
  item?: string;
  user?: string;
  uid?: number;
  gid?: number;
  groups?: string;
}

function load(args: UnitArgs) {
  for (const o of ['user', 'uid', 'gid', 'groups'] as const) {
    if (args[o] !== undefined) throw new UsageError(`--${o} and --unit contradict each other: a service's limits come from systemd, not from pam_limits' lines for an account`, 'Give --unit alone (the unit\'s User= does not change its limits).');
  }
  const u = loadUnitLimits(args.root, args.unit);
  if (!u.ok) throw new UsageError(u.message, u.reason === 'not-found' ? 'Unit files are looked up as systemd does; see docs/systemd.md.' : undefined);
  const type = u.unit.slice(u.unit.lastIndexOf('.') + 1);
  if (!EXEC_SECTION[type]) {
    throw new UsageError(`${u.unit} has no resource limits: Limit*= settings exist for service, socket, mount and swap units only (systemd.exec(5)); a .${type} unit starts no processes of its own`);
  }
  return u;
}

/**
 * The kernel refuses a hard nofile above fs.nr_open (setrlimit EPERM). systemd (252) then sets the
 * closest value it may (setrlimit_closest: at most the hard limit PID 1 itself has), so the unit
 * gets less than its LimitNOFILE= says; older systemd fails the unit ("Failed at step LIMITS").
 */
function nrOpenWarning(u: Extract<ReturnType<typeof loadUnitLimits>, { ok: true }>, root: string): string | null {
  const h = u.limits.limits.nofile.hard;
  if (h === null) return null;
  const nr = loadNrOpen(root, path.join(root, 'proc'), null);
  const limit = nr.value ?? DEFAULT_NR_OPEN;
  if (h <= limit) return null;
  const where = nr.source ? ` (${nr.source.file}:${nr.source.line})` : nr.value === null ? ' (the kernel default; the tree does not say)' : '';
  return `nofile hard ${h === RLIM_INFINITY ? 'infinity' : h} is above fs.nr_open ${limit}${where}: the kernel refuses it (setrlimit EPERM), so systemd gives ${u.unit} at most the hard limit PID 1 has (older systemd fails the unit: "Failed at step LIMITS"). Set LimitNOFILE= to at most ${limit}`;
}

/** A kernel value in limits.conf units (JSON): a number, 'unlimited', or null when the machine decides. */
function conf(item: RlimitItem, v: bigint | null): bigint | 'unlimited' | null {
  return v === null ? null : kernelToConf(itemInfo(item)!, v);
}

function fromJson(s: UnitLimitSource) {
  return s.kind === 'builtin' ? { file: null, line: null, setting: s.setting, builtin: s.text } : { file: s.file, line: s.line, setting: s.setting };
}

function fromText(s: UnitLimitSource): string {
  return s.kind === 'builtin' ? s.text : `${s.file}:${s.line} ${s.setting}=`;
}

/** Not a whole number of limits.conf units (LimitCPU=90 is 1.5 minutes): the kernel value too. */
function inexact(item: RlimitItem, v: bigint | null): string | null {
  const info = itemInfo(item)!;
  if (v === null || info.factor === 1 || kernelToConf(info, v) === 'unlimited' || v % BigInt(info.factor) === 0n) return null;
  return `${item}: ${v} ${info.unit === 'minutes' ? 's' : 'bytes'} is not a whole number of ${info.unit}; limits.conf units show ${kernelToConf(info, v)}`;
}

function text(item: RlimitItem, v: bigint | null): string {
  if (v === null) return "the machine's (kernel.threads-max / 2)";
  const info = itemInfo(item)!;
  const shown = valueWithUnit(info, kernelToConf(info, v));
  return inexact(item, v) ? `${shown} [kernel ${v}]` : shown;
}

function warningsOf(u: Extract<ReturnType<typeof loadUnitLimits>, { ok: true }>, items: readonly RlimitItem[], root?: string): string[] {
  const out = [...u.warnings];
  const nr = root !== undefined && items.includes('nofile') ? nrOpenWarning(u, root) : null;
  if (nr) out.push(nr);
  for (const p of u.limits.problems) out.push(`${p.file}:${p.line}: ${p.message}`);
  for (const i of items) for (const v of [u.limits.limits[i].soft, u.limits.limits[i].hard]) { const w = inexact(i, v); if (w && !out.includes(w)) out.push(w); }
  return out;
}

function files(u: Extract<ReturnType<typeof loadUnitLimits>, { ok: true }>) {
  return { fragment: u.fragment, dropins: u.dropins, manager: u.manager };
}

function limitJson(l: UnitLimit) {
  return { soft: conf(l.item, l.soft), hard: conf(l.item, l.hard), softFrom: fromJson(l.from), hardFrom: fromJson(l.from) };
}

/**
 * The item of a --unit command: any rlimit item systemd has a Limit*= for, whatever pam_limits
 * release the tree runs (LimitRTTIME= exists although a 1.5.2 pam_limits lacks rttime).
 */
function unitItemArg(ctx: Context, item: string | undefined): ItemInfo & { readonly name: RlimitItem } {
  const name = (item ?? '').toLowerCase();
  if (isRlimitItem(name)) return itemInfo(name)! as ItemInfo & { readonly name: RlimitItem };
  if (itemInfo(name)) throw new UsageError(`${name} is not a resource limit: systemd units have Limit*= settings for rlimit items only (${RLIMIT_ITEMS.join(', ')})`);
  checkItemArg(ctx, item); // unknown: throws the usual message with its did-you-mean
  throw new UsageError(`${name} is not a resource limit`);
}

export async function runGetUnit(args: UnitArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const info = unitItemArg(ctx, args.item);
  const item = info.name;
  const u = load(args);
  const l = u.limits.limits[item];
  if (ctx.json) {
    io.stdout(`${toJson({ version: JSON_VERSIONS.get, unit: u.unit, item, ...limitJson(l), files: files(u), warnings: warningsOf(u, [item], args.root) })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const lines = [`${c.bold(item)}  soft ${text(item, l.soft)}  hard ${text(item, l.hard)}  (${u.unit}: ${fromText(l.from)})`];
  for (const w of warningsOf(u, [item], args.root)) lines.push(c.yellow(`warning: ${w}`));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

export async function runEffectiveUnit(args: UnitArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const u = load(args);
  if (ctx.json) {
    const limits: Record<string, unknown> = {};
    for (const i of RLIMIT_ITEMS) limits[i] = limitJson(u.limits.limits[i]);
    io.stdout(`${toJson({ version: JSON_VERSIONS.effective, unit: u.unit, files: files(u), limits, warnings: warningsOf(u, RLIMIT_ITEMS, args.root) })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const { table } = await import('./output.js');
  const rows = [[c.dim('item'), c.dim('soft'), c.dim('hard'), c.dim('from')]];
  for (const i of RLIMIT_ITEMS) {
    const l = u.limits.limits[i];
    rows.push([i, text(i, l.soft), text(i, l.hard), l.from.kind === 'builtin' ? c.dim(l.from.text) : fromText(l.from)]);
  }
  const out = [c.bold(`${u.unit} — ${u.fragment ?? 'no unit file (drop-ins only)'}${u.dropins.length ? `, drop-ins ${u.dropins.join(', ')}` : ''}`), table(rows)];
  out.push(c.dim("A service's limits come from systemd (Limit*=, DefaultLimit*=); pam_limits' limits.conf does not apply to it."));
  for (const w of warningsOf(u, RLIMIT_ITEMS, args.root)) out.push(c.yellow(`warning: ${w}`));
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

export async function runExplainUnit(args: UnitArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const info = unitItemArg(ctx, args.item);
  if (!isRlimitItem(info.name)) throw new UsageError(`${info.name} is not a resource limit: systemd units have Limit*= settings for rlimit items only`);
  const item = info.name;
  const u = load(args);
  const l = u.limits.limits[item];
  const steps = [...l.overrides.map((s) => ({ source: s, won: false })), { source: l.from, won: true }];
  if (ctx.json) {
    io.stdout(`${toJson({
      version: JSON_VERSIONS.explain, unit: u.unit, item, setting: l.setting, ...limitJson(l), files: files(u),
      assignments: steps.map((s) => ({ ...fromJson(s.source), won: s.won })), warnings: warningsOf(u, [item], args.root),
    })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const out = [`${c.bold(item)} for ${u.unit} (${l.setting}=; the manager's DefaultLimit${l.setting.slice(5)}=)`];
  out.push(`  order: the unit file, its drop-ins in file-name order, over DefaultLimit*= of system.conf and system.conf.d, over systemd's built-in default; the last valid assignment wins`);
  for (const s of steps) out.push(`  ${s.won ? c.green('wins ') : c.dim('beaten')}  ${fromText(s.source)}`);
  out.push(`  => soft ${text(item, l.soft)}  hard ${text(item, l.hard)}`);
  for (const w of warningsOf(u, [item], args.root)) out.push(c.yellow(`warning: ${w}`));
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

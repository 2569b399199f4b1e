/**
 * `limitsctl doctor`: why does fork() fail ("Resource temporarily unavailable") for a user?
 * Reads the live system, or a snapshot with --root / --proc / --sys, and prints findings with
 * the numbers behind them and a fix. Exit 1 when a limit is at 90 % or more, else 0.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ConfResolution, diagnose } from '../../core/doctor.js';
import { sysMissingProblem } from '../../core/doctor/text.js';
import { resolveLimits } from '../../core/resolve.js';
import { doctorJson, formatDoctorText } from '../../formatters/doctor.js';
import { terminalSafe } from '../../formatters/terminal.js';
import { invokingUser, readLiveFacts } from '../../io/live.js';
import { ItemTargetError, readItemFacts } from '../../io/doctor-item.js';
import { loadAccountDb } from '../../io/accounts.js';
import { resolveFrom } from '../../io/cwd.js';
import { isOwnLimit, ProcessLimitError } from '../../io/write-errors.js';
import type { ItemFacts, ItemTarget } from '../../core/doctor/item.js';
import { isRlimitItem, RLIMIT_ITEMS } from '../../core/schema.js';
import { type CliIO, type GlobalArgs, loadBaseline, loadContextIdentity, loadContextTree, makeContext } from '../context.js';
import { UsageError } from '../errors.js';
import { toJson } from '../output.js';

export interface DoctorArgs extends GlobalArgs {
  user?: string;
  proc?: string;
  sys?: string;
  top?: number;
  item?: string;
  pid?: number;
  unit?: string;
}

/**
 * The proc or sys directory to read: --proc/--sys DIR when given; for the live system (root /)
 * /proc and /sys; for a snapshot (--root DIR) only DIR/proc and DIR/sys — never the live ones,
 * which would mix this machine's processes or cgroups into another's. `missing` is set when a
 * snapshot lacks the directory (the path returned is then DIR/NAME, which reads as empty).
 */
function pickDir(io: CliIO, given: string | undefined, root: string, name: 'proc' | 'sys'): { dir: string; missing: boolean } {
  if (given !== undefined) {
    const abs = resolveFrom(io.cwd, given);
    try {
      readdirSync(abs);
    } catch (e) {
      if (isOwnLimit(e)) throw ProcessLimitError.from(e, given);
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new UsageError(`--${name} ${given} cannot be listed (${code}); pass the ${name === 'proc' ? 'proc' : 'sys'} file system or a snapshot of it`);
    }
    return { dir: abs, missing: false };
  }
  if (root === '/') return { dir: `/${name}`, missing: false };
  const dir = path.join(root, name);
  return { dir, missing: !existsSync(dir) };
}

export async function run(args: DoctorArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const procDir = pickDir(io, args.proc, ctx.root, 'proc');
  const sysDir = pickDir(io, args.sys, ctx.root, 'sys');
  if (procDir.missing) {
    throw new UsageError(`the snapshot ${args.root} has no proc/: doctor reads no live /proc for a snapshot; capture one (docs/doctor.md, "Taking a snapshot"), or pass --proc DIR (--proc /proc: this machine's processes against ${args.root}'s configuration)`);
  }
  const proc = procDir.dir;
  const sys = sysDir.dir;
  const missing: string[] = sysDir.missing ? [sysMissingProblem(sys)] : [];
  if (args.top !== undefined && (!Number.isInteger(args.top) || args.top < 1)) throw new UsageError(`--top must be a positive integer, got ${String(args.top)}`);
  // --item ITEM with --user (default), --pid PID or --unit NAME
  let itemTarget: ItemTarget | null = null;
  let item: (typeof RLIMIT_ITEMS)[number] | null = null;
  if (args.item !== undefined || args.pid !== undefined || args.unit !== undefined) {
    if (args.item === undefined) throw new UsageError('--pid and --unit go with --item ITEM (e.g. doctor --item nofile --unit nginx)');
    if (!isRlimitItem(args.item)) throw new UsageError(`--item ${args.item}: doctor compares resource limits only (${RLIMIT_ITEMS.join(', ')})`);
    item = args.item;
    const given = [args.user !== undefined && '--user', args.pid !== undefined && '--pid', args.unit !== undefined && '--unit'].filter(Boolean);
    if (given.length > 1) throw new UsageError(`${given.join(' and ')} contradict each other: --item examines one of them`);
    if (args.pid !== undefined && (!Number.isInteger(args.pid) || args.pid < 1)) throw new UsageError(`--pid must be a process id, got ${String(args.pid)}`);
    itemTarget = args.pid !== undefined ? { kind: 'pid', pid: args.pid } : args.unit !== undefined ? { kind: 'unit', unit: args.unit } : { kind: 'user' };
  }
  let itemRead: ReturnType<typeof readItemFacts> | null = null;
  let user = args.user ?? (io.env.SUDO_USER || invokingUser(io.env));
  if (itemTarget && item && itemTarget.kind !== 'user') {
    try {
      itemRead = readItemFacts({ root: ctx.root, proc, nrOpen: loadBaseline({ root: ctx.root, proc }).nrOpen }, item, itemTarget, null);
    } catch (e) {
      if (e instanceof ItemTargetError) throw new UsageError(e.message);
      // limitsctl's own limit (EMFILE, ENFILE, ENOMEM): said as such, not as an unreadable proc
      if (isOwnLimit(e)) throw ProcessLimitError.from(e, proc);
      const err = e as NodeJS.ErrnoException;
      throw new UsageError(`cannot read ${proc}: ${err.code ?? err.message}`);
    }
    // a unit with no process and no unit file is a mistyped name, as for get --unit: exit 2
    if (itemTarget.kind === 'unit' && itemRead.processes.length === 0) {
      const missing = itemRead.units.find((u) => !u.ok);
      if (missing && !missing.ok) throw new UsageError(missing.message, 'Unit files are looked up as systemd does; see docs/systemd.md.');
    }
    // the account: the process's owner (the unit's first process), else root
    const owner = itemRead.processes[0];
    user = owner ? (owner.user ?? String(owner.uid)) : 'root';
  }
  if (!user) throw new UsageError('cannot tell which account to diagnose; name it with --user NAME');
  const identity = loadContextIdentity(ctx, { user });

  let live;
  try {
    live = readLiveFacts({ root: ctx.root, proc, sys }, identity.uid);
  } catch (e) {
    if (isOwnLimit(e)) throw ProcessLimitError.from(e, proc);
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${proc}: ${err.code ?? err.message}`);
  }

  // pam_limits' view: Debian starts from PID 1's limits, so take them from the proc tree in use.
  const baseline = loadBaseline({ root: ctx.root, proc });
  const resolveWith = (conf?: string) => resolveLimits(loadContextTree(ctx, conf), identity, { profile: ctx.profile, ...baseline });
  const resolution = resolveWith();
  const confs = new Map<string, string[]>();
  for (const s of live.pam.services) {
    for (const h of s.hits) if (h.conf) confs.set(h.conf, [...(confs.get(h.conf) ?? []), s.service]);
  }
  const confResolutions: ConfResolution[] = [...confs].map(([conf, services]) => ({ conf, services, resolution: resolveWith(conf) }));

  let itemFacts: ItemFacts | null = null;
  if (itemTarget && item) {
    if (!itemRead) itemRead = readItemFacts({ root: ctx.root, proc, nrOpen: baseline.nrOpen }, item, itemTarget, identity.uid);
    const resolutions = [];
    for (const uid of [...new Set(itemRead.processes.map((p) => p.uid))]) {
      if (uid === identity.uid) { resolutions.push({ uid, resolution }); continue; }
      const name = loadAccountDb(ctx.root).users.find((u) => u.uid === uid)?.name;
      if (!name) continue;
      try {
        resolutions.push({ uid, resolution: resolveLimits(loadContextTree(ctx), loadContextIdentity(ctx, { user: name }), { profile: ctx.profile, ...baseline }) });
      } catch (e) {
        // an account pam_limits cannot resolve: compared with systemd only — but limitsctl's own
        // limit (EMFILE, ENFILE, ENOMEM while reading the tree) says nothing of the account
        if (isOwnLimit(e)) throw e;
      }
    }
    itemFacts = { item, target: itemTarget, processes: itemRead.processes, units: itemRead.units, resolutions };
  }
  const startHard: Partial<Record<(typeof RLIMIT_ITEMS)[number], bigint>> = {};
  for (const i of RLIMIT_ITEMS) {
    const h = baseline.processLimits?.[i]?.hard ?? baseline.pid1Limits?.[i]?.hard;
    if (h !== undefined) startHard[i] = h;
  }

  const extra: string[] = [];
  if (ctx.root !== '/') extra.push(`--root ${args.root}`);
  if (args.profile !== 'auto') extra.push(`--profile ${args.profile}`);
  const report = diagnose({
    // the limits files this uid could not read (pam_limits, as root, does): the configured values
    // shown leave them out, as get/effective/explain say
    identity, resolution, confResolutions, ...live, problems: [...missing, ...resolution.warnings.filter((w) => /this result leaves it out/.test(w)), ...live.problems],
    sources: { root: ctx.root, proc, sys, live: ctx.root === '/' && proc === '/proc' && sys === '/sys' },
    item: itemFacts, capSysResource: baseline.capSysResource ?? null, startHard,
  }, { limitsctlArgs: extra.join(' '), top: args.top ?? 10 });

  if (ctx.json) {
    const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
    io.stdout(`${toJson(doctorJson(report, { version }))}\n`);
  } else {
    // process names (comm) and paths come from the system: never raw control characters on a terminal
    io.stdout(terminalSafe(formatDoctorText(report, ctx.colors), ctx.colors.enabled));
  }
  return report.exitCode;
}

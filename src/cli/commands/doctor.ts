/**
 * `limitsctl doctor`: why does fork() fail ("Resource temporarily unavailable") for a user?
 * Reads the live system, or a snapshot with --root / --proc / --sys, and prints findings with
 * the numbers behind them and a fix. Exit 1 when a limit is at 90 % or more, else 0.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ConfResolution, diagnose } from '../../core/doctor.js';
import { resolveLimits } from '../../core/resolve.js';
import { doctorJson, formatDoctorText } from '../../formatters/doctor.js';
import { invokingUser, readLiveFacts } from '../../io/live.js';
import { type CliIO, type GlobalArgs, loadBaseline, loadContextIdentity, loadContextTree, makeContext } from '../context.js';
import { UsageError } from '../errors.js';
import { toJson } from '../output.js';

export interface DoctorArgs extends GlobalArgs {
  user?: string;
  proc?: string;
  sys?: string;
  top?: number;
}

function pickDir(io: CliIO, given: string | undefined, root: string, name: 'proc' | 'sys'): string {
  if (given !== undefined) {
    const abs = path.resolve(io.cwd, given);
    try {
      readdirSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new UsageError(`--${name} ${given} cannot be listed (${code}); pass the ${name === 'proc' ? 'proc' : 'sys'} file system or a snapshot of it`);
    }
    return abs;
  }
  if (root !== '/' && existsSync(path.join(root, name))) return path.join(root, name);
  return `/${name}`;
}

export async function run(args: DoctorArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const proc = pickDir(io, args.proc, ctx.root, 'proc');
  const sys = pickDir(io, args.sys, ctx.root, 'sys');
  if (args.top !== undefined && (!Number.isInteger(args.top) || args.top < 1)) throw new UsageError(`--top must be a positive integer, got ${String(args.top)}`);
  const user = args.user ?? (io.env.SUDO_USER || invokingUser(io.env));
  if (!user) throw new UsageError('cannot tell which account to diagnose; name it with --user NAME');
  const identity = loadContextIdentity(ctx, { user });

  let live;
  try {
    live = readLiveFacts({ root: ctx.root, proc, sys }, identity.uid);
  } catch (e) {
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

  const extra: string[] = [];
  if (ctx.root !== '/') extra.push(`--root ${args.root}`);
  if (args.profile !== 'auto') extra.push(`--profile ${args.profile}`);
  const report = diagnose({
    identity, resolution, confResolutions, ...live,
    sources: { root: ctx.root, proc, sys, live: ctx.root === '/' && proc === '/proc' && sys === '/sys' },
  }, { limitsctlArgs: extra.join(' '), top: args.top ?? 10 });

  if (ctx.json) {
    const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
    io.stdout(`${toJson(doctorJson(report, { version }))}\n`);
  } else {
    io.stdout(formatDoctorText(report, ctx.colors));
  }
  return report.exitCode;
}

import { clampNice, effectiveJson, halfView, resolutionWarnings, rlimitItemsFor, valueWithUnit } from '../../formatters/effective.js';
import { itemInfo, PROFILE_TRAITS, type RlimitItem } from '../../core/schema.js';
import { type CliIO, type GlobalArgs, type IdentityArgs, makeContext } from '../context.js';
import { shortPath, table, toJson } from '../output.js';
import { escapeControls, terminalSafe } from '../../formatters/terminal.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';
import { resolveForArgs, shown } from '../resolving.js';
import type { HalfView } from '../../formatters/effective.js';

export type EffectiveArgs = GlobalArgs & IdentityArgs;

/** A value with its unit (`16384 KiB (16 MiB)`); `*` marks an inherited one, `-` an unknown one. */
function cell(h: HalfView, item: RlimitItem): string {
  const info = itemInfo(item)!;
  if (h.from) return valueWithUnit(info, h.value);
  return h.inherited === null ? '-' : `${valueWithUnit(info, h.inherited)}*`;
}

export async function run(args: EffectiveArgs, io: CliIO): Promise<number> {
  if (typeof (args as { unit?: unknown }).unit === 'string') return (await import('../unit-limits.js')).runEffectiveUnit(args as unknown as import('../unit-limits.js').UnitArgs, io);
  const ctx = makeContext(args, io);
  const { res } = resolveForArgs(ctx, args);
  if (ctx.json) {
    io.stdout(`${toJson({ version: JSON_VERSIONS.effective, ...effectiveJson(res, ctx.profileSource) })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const id = res.identity;
  const out: string[] = [];
  out.push(c.bold(`${shown(id.name)} (uid ${id.uid}, gid ${id.gid}; groups ${id.groups.map((g) => shown(g.name)).join(',') || '-'}) — profile ${res.profile}: ${res.result}`));
  const warnings = resolutionWarnings(res);
  if (res.applied) {
    const rows = [[c.dim('item'), c.dim('soft'), c.dim('hard'), c.dim('from')]];
    for (const item of rlimitItemsFor(res)) {
      const s = halfView(res, item, 'soft');
      const h = halfView(res, item, 'hard');
      const from = [s.from, h.from].filter((x, i, a) => x && a.findIndex((y) => y && y.file === x.file && y.line === x.line) === i)
        .map((x) => `${shortPath(x!.file)}:${x!.line} ${x!.domain}`).join(', ');
      rows.push([item, cell(s, item), cell(h, item), from || c.dim('not configured')]);
    }
    const l = res.logins;
    if (l.source) rows.push([l.system ? 'maxsyslogins' : 'maxlogins', l.value < 0 ? 'unlimited' : String(l.value), '', `${shortPath(l.source.file)}:${l.source.line} ${l.source.domain}`]);
    if (res.priority.source) {
      // setpriority(2) clamps to -20..19: show what the session runs with, and what was written
      const v = clampNice(res.priority.value);
      rows.push(['priority', v === res.priority.value ? String(v) : `${v} (written ${res.priority.value})`, '', `${shortPath(res.priority.source.file)}:${res.priority.source.line} ${res.priority.source.domain}`]);
    }
    if (res.nonewprivs.source) rows.push(['nonewprivs', res.nonewprivs.value ? '1' : '0', '', `${shortPath(res.nonewprivs.source.file)}:${res.nonewprivs.source.line}`]);
    if (res.chroot?.source) rows.push(['chroot', res.chroot.value, '', `${shortPath(res.chroot.source.file)}:${res.chroot.source.line}`]);
    out.push(table(rows));
    const pid1 = PROFILE_TRAITS[res.profile].pid1Baseline;
    out.push(c.dim(`* = not configured, inherited from ${pid1 ? `PID 1's limits${PROFILE_TRAITS[res.profile].debianKernelLimits ? ' (nofile soft at most 1024)' : ''}` : "the calling process's limits"}; - = inherited, its value not known here.`));
  } else {
    out.push(c.red('No limits are applied for this account.'));
  }
  for (const w of warnings) out.push(c.yellow(`warning: ${escapeControls(w)}`));
  io.stdout(terminalSafe(`${out.join('\n')}\n`, c.enabled));
  return 0;
}

import { isRlimitItem, itemInfo, type Profile, type RlimitItem } from '../../core/schema.js';
import { baselineText, clampNice, effectiveJson, halfView, type HalfView, resolutionWarnings, valueWithUnit } from '../../formatters/effective.js';
import { type CliIO, type GlobalArgs, type IdentityArgs, makeContext } from '../context.js';
import { shortPath, toJson } from '../output.js';
import { escapeControls, terminalSafe } from '../../formatters/terminal.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';
import { checkItemArg, resolveForArgs, shown } from '../resolving.js';

export interface GetArgs extends GlobalArgs, IdentityArgs {
  item?: string;
}

/**
 * One half of an rlimit for text output: the value with its unit (valueWithUnit) and the line that
 * set it, or the inherited value and where it comes from by the profile's baseline rule.
 */
export function describeHalf(h: HalfView, at: { readonly profile: Profile; readonly item: RlimitItem; readonly half: 'soft' | 'hard' }): string {
  const info = itemInfo(at.item)!;
  if (h.from) {
    return `${valueWithUnit(info, h.value)} (${shortPath(h.from.file)}:${h.from.line} ${h.from.domain}${h.clamped ? ', clamped to hard' : ''})`;
  }
  return `${valueWithUnit(info, h.inherited)} (not configured: ${baselineText(at.profile, at.item, at.half, h.baseline)})`;
}

export async function run(args: GetArgs, io: CliIO): Promise<number> {
  if (typeof (args as { unit?: unknown }).unit === 'string') return (await import('../unit-limits.js')).runGetUnit(args as unknown as import('../unit-limits.js').UnitArgs, io);
  const ctx = makeContext(args, io);
  const info = checkItemArg(ctx, args.item);
  const { res } = resolveForArgs(ctx, args);
  const item = info.name;
  if (ctx.json) {
    const full = effectiveJson(res);
    const limits = full.limits as Record<string, unknown>;
    if (item === 'priority' && full.priority) {
      // one value, as for nonewprivs: the nice value the session ends with (clamped), and what was written
      const p = full.priority;
      limits.priority = { soft: p.value, hard: p.value, softFrom: p.from, hardFrom: p.from, written: p.written };
    }
    io.stdout(`${toJson({ version: JSON_VERSIONS.get, user: full.user, item, profile: full.profile, profileSource: ctx.profileSource, applied: full.applied, result: full.result, ...(limits[item] as object ?? { soft: null, hard: null, softFrom: null, hardFrom: null }), warnings: full.warnings })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const lines: string[] = [];
  if (!res.applied) {
    lines.push(`${c.bold(item)}  ${c.red('no limits applied')}: ${escapeControls(resolutionWarnings(res)[0] ?? '')}`);
  } else if (isRlimitItem(item)) {
    const s = halfView(res, item as RlimitItem, 'soft');
    const h = halfView(res, item as RlimitItem, 'hard');
    lines.push(`${c.bold(item)}  soft ${describeHalf(s, { profile: res.profile, item: item as RlimitItem, half: 'soft' })}  hard ${describeHalf(h, { profile: res.profile, item: item as RlimitItem, half: 'hard' })}`);
  } else {
    lines.push(`${c.bold(item)}  ${describeOther(res, item)}`);
  }
  // a file left out of the result (unreadable as this uid, outside the tree) concerns every item
  for (const w of resolutionWarnings(res).filter((w) => w.startsWith(item) || w.includes(` ${item} `) || /this result leaves it out|points outside the tree/.test(w))) lines.push(c.yellow(`warning: ${escapeControls(w)}`));
  io.stdout(terminalSafe(`${lines.join('\n')}\n`, c.enabled));
  return 0;
}

function describeOther(res: import('../../core/resolve.js').Resolution, item: string): string {
  const at = (s: { file: string; line: number; domain: string } | null) => (s ? ` (${shortPath(s.file)}:${s.line} ${shown(s.domain)})` : ' (not configured)');
  switch (item) {
    case 'priority': {
      const v = clampNice(res.priority.value);
      return `${v}${v === res.priority.value ? '' : ` (written ${res.priority.value}; setpriority clamps to -20..19)`}${at(res.priority.source)}`;
    }
    case 'nonewprivs': return `${res.nonewprivs.value ? 1 : 0}${at(res.nonewprivs.source)}`;
    case 'chroot': return res.chroot ? `${shown(res.chroot.value)}${at(res.chroot.source)}` : 'none (not configured)';
    default: {
      const l = res.logins;
      if (!l.source) return 'unlimited (not configured)';
      const v = l.value < 0 ? 'unlimited' : String(l.value);
      return `${v}${at(l.source)}${l.system ? ' counting every login on the system (maxsyslogins)' : ''}`;
    }
  }
}

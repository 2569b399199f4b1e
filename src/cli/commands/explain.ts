import { describeVerdict, explainItem } from '../../core/explain.js';
import type { Source } from '../../core/resolve.js';
import { RANK_NAMES } from '../../core/schema.js';
import { binaryToDisplay } from '../../core/model.js';
import { resolutionWarnings } from '../../formatters/effective.js';
import { type CliIO, type GlobalArgs, type IdentityArgs, makeContext } from '../context.js';
import { shortPath, toJson } from '../output.js';
import { escapeControls, terminalSafe } from '../../formatters/terminal.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';
import { checkItemArg, resolveForArgs } from '../resolving.js';
import { describeHalf } from './get.js';
import { halfView } from '../../formatters/effective.js';
import { isRlimitItem, type RlimitItem } from '../../core/schema.js';

export interface ExplainArgs extends GlobalArgs, IdentityArgs {
  item?: string;
  all?: boolean;
}

const at = (s: Source) => `${shortPath(s.file)}:${s.line}`;

/** The `lines` of `explain --json` (demo --json reuses them). */
export function explainLinesJson(lines: ReturnType<typeof explainItem>) {
  return lines.map((l) => ({
    file: l.source.file, line: l.source.line, domain: binaryToDisplay(l.source.domain), type: l.source.type, item: l.item, value: binaryToDisplay(l.source.value),
    matched: l.matched, rank: l.rankName, soft: l.soft, hard: l.hard, note: l.note,
  }));
}

export async function run(args: ExplainArgs, io: CliIO): Promise<number> {
  if (typeof (args as { unit?: unknown }).unit === 'string') return (await import('../unit-limits.js')).runExplainUnit(args as unknown as import('../unit-limits.js').UnitArgs, io);
  const ctx = makeContext(args, io);
  const info = checkItemArg(ctx, args.item);
  const { res } = resolveForArgs(ctx, args);
  const lines = explainItem(res, info.name, args.all === true);
  if (ctx.json) {
    io.stdout(`${toJson({
      version: JSON_VERSIONS.explain, user: binaryToDisplay(res.identity.name), item: info.name, profile: res.profile, profileSource: ctx.profileSource, applied: res.applied, result: res.result,
      lines: explainLinesJson(lines),
      warnings: resolutionWarnings(res),
    })}\n`);
    return 0;
  }
  const c = ctx.colors;
  const out: string[] = [];
  const id = res.identity;
  out.push(c.bold(`${info.name} for ${binaryToDisplay(id.name)} (uid ${id.uid}, gid ${id.gid}, groups ${id.groups.map((g) => binaryToDisplay(g.name)).join(',') || '-'}), profile ${res.profile}`));
  if (lines.length === 0) out.push(c.dim(`  no line ${args.all ? 'names' : 'for this account sets'} ${info.name}`));
  for (const l of lines) {
    const s = l.source;
    out.push(`  ${c.cyan(at(s))}  ${binaryToDisplay(s.domain)} ${s.type} ${l.item} ${binaryToDisplay(s.value)}${l.rankName ? c.dim(`  [rank ${l.rankName}]`) : ''}`);
    const halves: Array<[string, typeof l.soft]> = isRlimitItem(info.name) ? [['soft', l.soft], ['hard', l.hard]] : [['', l.soft]];
    for (const [name, h] of halves) {
      if (!h) continue;
      const text = describeVerdict(h, at);
      const colored = h.verdict === 'wins' ? c.green(text) : h.verdict === 'no-match' ? c.dim(text) : c.yellow(text);
      out.push(`      ${name ? `${name}: ` : ''}${colored}`);
    }
    if (l.note) out.push(`      ${c.dim(l.note)}`);
  }
  if (res.applied && isRlimitItem(info.name)) {
    const item = info.name as RlimitItem;
    out.push(`  result: soft ${describeHalf(halfView(res, item, 'soft'), { profile: res.profile, item, half: 'soft' })}, hard ${describeHalf(halfView(res, item, 'hard'), { profile: res.profile, item, half: 'hard' })}`);
  }
  for (const w of resolutionWarnings(res)) out.push(c.yellow(`  warning: ${escapeControls(w)}`));
  out.push(c.dim(`  Ranks, strongest first: ${[0, 1, 2, 3, 4].map((r) => RANK_NAMES[r as 0]).join(' > ')}; within a rank the line read last wins.`));
  io.stdout(terminalSafe(`${out.join('\n')}\n`, c.enabled));
  return 0;
}

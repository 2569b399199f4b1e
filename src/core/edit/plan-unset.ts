/**
 * Planning one `unset` (every family line covering the type goes; a `-` line loses only the
 * half asked) and `apply`'s prune of a domain's other items.
 *
 * Pure.
 */
import { displayBytes } from '../bytes.js';
import { itemForProfile } from '../schema.js';
import type { TextEdit } from '../text-edit.js';
import { type Ctx, halvesOf, typeWord } from './context.js';
import { covers, familyOf } from './family.js';
import { layout, neutraliseChunk, replaceField, styleOf } from './layout.js';
import type { UnsetRequest } from './types.js';
import { validateDomain, validateItem } from './validate.js';
import type { WorkFile } from './work-tree.js';

export function planUnsetOne(ctx: Ctx, req: UnsetRequest): void {
  const { work, profile } = ctx;
  validateDomain(req.domain);
  const info = validateItem(req.item, profile);
  const halves = halvesOf(req.type, info);
  const family = familyOf(work, req.domain, info.name, true).filter((f) => halves.some((h) => covers(f.reading, h)));
  if (family.length === 0) {
    ctx.notes.push({ request: req, status: 'unchanged', detail: `no ${displayBytes(req.domain)} ${typeWord(halves)} ${info.name} line` });
    return;
  }
  const typeChecked = info.typeChecked && info.name !== 'priority' && info.name !== 'chroot';
  const byFile = new Map<WorkFile, TextEdit[]>();
  for (const f of family) {
    const edits = byFile.get(f.file) ?? [];
    const r = f.reading;
    if (f.chunk) {
      // a piece of an over-long line: comment it out in place (see neutraliseChunk)
      edits.push(neutraliseChunk(f.file.text, r));
      if (typeChecked && r.limitType === '-' && halves.length === 1) {
        // keep the other half on a line of its own, right after the long line (same place in the reading order)
        const keepHalf = halves[0] === 'soft' ? 'hard' : 'soft';
        const style = styleOf(f.file);
        const eol = f.file.text.charCodeAt(f.line.end - 1) === 0x0d ? '\r\n' : '\n';
        const newLine = layout(style, [r.domain.raw, keepHalf, r.item.raw, r.value.raw]);
        edits.push({ offset: f.line.end + f.line.eolLength, length: 0, content: f.line.eolLength ? `${newLine}${eol}` : `${style.eol}${newLine}` });
      }
    } else if (typeChecked && r.limitType === '-' && halves.length === 1) {
      // keep the other half
      edits.push(...replaceField(f.file.text, r.type, halves[0] === 'soft' ? 'hard' : 'soft', r.item.start));
    } else {
      edits.push({ offset: f.line.start, length: f.line.end + f.line.eolLength - f.line.start, content: '' });
      // removing the last line of a file without a final newline: drop the newline before it too
    }
    byFile.set(f.file, edits);
  }
  for (const [file, edits] of byFile) work.apply(file, edits);
  const chunks = family.filter((f) => f.chunk).length;
  const whole = family.length - chunks;
  const what = [
    ...(whole > 0 ? [`removed ${whole} line${whole === 1 ? '' : 's'}`] : []),
    ...(chunks > 0 ? [`commented out ${chunks} entr${chunks === 1 ? 'y' : 'ies'} read from the tail of an over-long line`] : []),
  ].join(' and ');
  ctx.notes.push({ request: req, status: 'changed', detail: `${what} for ${displayBytes(req.domain)} ${typeWord(halves)} ${info.name}` });
}

export function planPrune(ctx: Ctx, domains: readonly string[], keep: ReadonlySet<string>): void {
  for (const domain of domains) {
    // the halves each item of the domain has lines for
    const covered = new Map<string, Set<'soft' | 'hard'>>();
    for (const f of ctx.work.files) {
      // only lines holding the domain's bytes can have a reading for it
      for (const i of f.lines.containing(domain)) {
        for (const r of f.lines.line(i).readings) {
          if (r.kind !== 'entry' || r.domain.raw !== domain || !r.itemInfo || r.problem) continue;
          const set = covered.get(r.itemInfo.name) ?? new Set();
          for (const h of ['soft', 'hard'] as const) if (covers(r, h)) set.add(h);
          covered.set(r.itemInfo.name, set);
        }
      }
    }
    for (const [item, has] of covered) {
      const info = itemForProfile(item, ctx.profile)!;
      // items without halves (type unchecked, priority, chroot) are one entry: keep or remove once
      const halves = halvesOf('both', info);
      const whole = halves.length === 2 && !(info.typeChecked && info.name !== 'priority' && info.name !== 'chroot');
      if (whole) {
        if (!halves.some((h) => keep.has(`${domain}\0${item}\0${h}`))) planUnsetOne(ctx, { op: 'unset', domain, item, type: 'both' });
        continue;
      }
      for (const half of halves) {
        if (has.has(half) && !keep.has(`${domain}\0${item}\0${half}`)) planUnsetOne(ctx, { op: 'unset', domain, item, type: half });
      }
    }
  }
}

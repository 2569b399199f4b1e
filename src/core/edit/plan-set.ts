/**
 * Planning one `set`: edit the family's winning line(s) in place; add a line only when no line
 * sets that half; split a `-` line whose halves must differ into `hard` + `soft` lines.
 *
 * Pure.
 */
import { displayBytes } from '../bytes.js';
import { resolveLimits } from '../resolve.js';
import { DEFAULT_NR_OPEN, DROPIN_DIR, MAIN_FILE } from '../schema.js';
import type { Line } from '../model.js';
import { applyEdits, type TextEdit } from '../text-edit.js';
import { effectiveKey, meaning, orderKey, readsAs, satisfies, unlimitedNofileAs } from './compare.js';
import { type Ctx, halvesOf, typeWord } from './context.js';
import { familyOf, winners } from './family.js';
import { commentSuffix, layout, replaceField, replaceValue, styleOf } from './layout.js';
import { probeFor } from './outcome.js';
import { outcomeItems, reachTree } from './reach.js';
import { insertionPoint } from './placement.js';
import { checkTargetPath } from './target.js';
import { EditInputError, type SetRequest } from './types.js';
import { validateDomain, validateItem, validateValue } from './validate.js';

/** Where new lines go when pam_limits reads a vendor limits.conf (sorts after NN-name.conf drop-ins). */
export const VENDOR_SETUP_DROPIN = `${DROPIN_DIR}/limitsctl.conf`;

export function planSetOne(ctx: Ctx, req: SetRequest): void {
  const { work, profile } = ctx;
  validateDomain(req.domain);
  const info = validateItem(req.item, profile);
  const { text: valueText, parsed } = validateValue(info, req.value);
  // eslint-disable-next-line no-control-regex
  if (req.comment !== undefined && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(req.comment)) throw new EditInputError('the comment must be one line of printable text');
  const halves = halvesOf(req.type, info);
  const nrOpen = ctx.options.nrOpen === undefined ? DEFAULT_NR_OPEN : ctx.options.nrOpen;
  // what nofile unlimited means on this release: fs.nr_open (1.5.2+, backports) or RLIM_INFINITY itself
  const mapNrOpen = unlimitedNofileAs(profile, nrOpen);
  const want = meaning(info, parsed, mapNrOpen);
  const family = familyOf(work, req.domain, info.name);
  const win = winners(family);

  // --at-least / --at-most compare with what the family (or, without one, the account) has now
  const mode = req.mode ?? 'exact';
  const needs: Array<'soft' | 'hard'> = [];
  for (const half of halves) {
    const current = win[half];
    const curMeaning = current ? meaning(info, current.reading.parsedValue, mapNrOpen) : null;
    if (curMeaning === want) continue;
    if (mode !== 'exact') {
      const wantKey = orderKey(info, parsed, mapNrOpen);
      if (current) {
        if (satisfies(mode, orderKey(info, current.reading.parsedValue!, mapNrOpen), wantKey)) continue;
      } else {
        // no line of this domain yet: compare with what a matching account gets now
        const probe = probeFor(req.domain, ctx.options.accounts);
        if (probe) {
          const now = resolveLimits(reachTree(work, probe, profile, outcomeItems(info, ctx.options.capSysResource), true), probe, { profile, nrOpen, events: 'matched', ...(ctx.options.pid1Limits !== undefined ? { pid1Limits: ctx.options.pid1Limits } : {}) });
          const have = effectiveKey(info, now, half);
          if (have !== null && satisfies(mode, have, wantKey)) continue;
        }
      }
    }
    needs.push(half);
  }
  if (needs.length === 0) {
    ctx.notes.push({ request: req, status: 'unchanged', detail: `${displayBytes(req.domain)} ${typeWord(halves)} ${info.name} is already ${displayBytes(valueText)}${mode !== 'exact' ? ` (or ${mode === 'at-least' ? 'more' : 'less'})` : ''}` });
    return;
  }

  // Replacing a configured value by a lower one is what was asked, but easy to do by mistake
  // (`unlimited` -> 4096): say so. --at-most asks for it; --at-least never lowers.
  const lowered = mode === 'exact' ? loweredHalves(info, needs, win, parsed, mapNrOpen) : [];
  const sameFrom = lowered.length === halves.length && lowered.every((l) => l.from === lowered[0]!.from);
  const lowerNote = lowered.length === 0 ? undefined
    : `lowers ${displayBytes(req.domain)} ${info.name} ${sameFrom ? `from ${lowered[0]!.from}` : lowered.map((l) => `${l.half} from ${l.from}`).join(' and ')} to ${displayBytes(valueText)}; use --at-least to only raise`;

  const typeChecked = info.typeChecked && info.name !== 'priority' && info.name !== 'chroot';
  const pending: Array<'soft' | 'hard'> = [];
  for (const half of needs) {
    // re-read the family for each half: an edit for the other half may have moved this line's offsets
    const now = winners(familyOf(work, req.domain, info.name));
    const w = now[half];
    if (!w) { pending.push(half); continue; }
    // a `-` line already edited for the other half
    if (meaning(info, w.reading.parsedValue, mapNrOpen) === want) continue;
    const r = w.reading;
    const other: 'soft' | 'hard' = half === 'soft' ? 'hard' : 'soft';
    // A `-` line that still decides the other half, which must keep its value: split it.
    if (typeChecked && r.limitType === '-' && now[other] === w && !needs.includes(other)) {
      const text = w.file.text;
      const edits = replaceField(text, r.type, other, r.item.start);
      const style = styleOf(w.file, w.line);
      const lineEol = text.charCodeAt(w.line.end - 1) === 0x0d ? '\r\n' : '\n';
      const newLine = layout(style, [req.domain, half, info.name, valueText]) + commentSuffix(req.comment);
      const content = w.line.eolLength ? `${newLine}${lineEol}` : `${style.eol}${newLine}`;
      edits.push({ offset: w.line.end + w.line.eolLength, length: 0, content });
      work.apply(w.file, edits);
      continue;
    }
    let edits = replaceValue(w.file.text, w.line, r, valueText, req.comment);
    if (!readsAs(editedLine(w.file.text, w.line, edits), { ...w.line, start: 0 }, info, want, mapNrOpen)) {
      edits = replaceValue(w.file.text, w.line, r, valueText, req.comment, true);
    }
    work.apply(w.file, edits);
  }
  if (pending.length > 0) {
    // Where pam_limits reads a vendor limits.conf because etc/security/limits.conf is missing
    // (Linux-PAM 1.5.3+ built with a vendor directory: openSUSE, 1.7.2's default), creating the
    // latter would make it stop reading the vendor file: new lines go to a drop-in instead.
    const vendorMain = work.base.files.find((f) => f.role === 'vendor-main' && f.status === 'ok');
    const target = ctx.options.file ?? (vendorMain && !work.file(MAIN_FILE) ? VENDOR_SETUP_DROPIN : MAIN_FILE);
    let file = work.file(target);
    if (!file) {
      checkTargetPath(target);
      if (target === MAIN_FILE && vendorMain) {
        throw new EditInputError(
          `creating ${MAIN_FILE} would make pam_limits stop reading ${vendorMain.path}, the vendor limits.conf it reads now (Linux-PAM reads the vendor file only while ${MAIN_FILE} is missing), and every line there would stop applying`,
          `Leave out --file (new lines then go to ${VENDOR_SETUP_DROPIN}), name another drop-in, or first copy ${vendorMain.path} to ${MAIN_FILE}.`,
        );
      }
      file = work.create(target);
    }
    const at = insertionPoint(file, req.domain);
    const style = styleOf(file, at.near);
    const newLine = layout(style, [req.domain, typeChecked ? typeWord(pending) : '-', info.name, valueText]) + commentSuffix(req.comment);
    const content = `${at.needsEolBefore ? style.eol : ''}${newLine}${style.eol}`;
    work.apply(file, [{ offset: at.offset, length: 0, content }]);
  }
  ctx.notes.push({
    request: req, status: 'changed', detail: `${displayBytes(req.domain)} ${typeWord(needs)} ${info.name} ${displayBytes(valueText)}`,
    ...(lowerNote !== undefined ? { note: lowerNote } : {}),
  });
}

/**
 * One line of `text` (with its newline) after `edits`, which all fall inside it: what readsAs
 * reads, without building the whole edited file.
 */
function editedLine(text: string, line: Line, edits: readonly TextEdit[]): string {
  const start = line.start;
  return applyEdits(text.slice(start, line.end + line.eolLength), edits.map((e) => ({ ...e, offset: e.offset - start })));
}

/**
 * The halves whose configured value (the family's winning line) the new value is below, by the
 * order of --at-least ("more" is a higher limit, unlimited highest; for priority a lower number).
 * Only items with an order: rlimits, priority, maxlogins, maxsyslogins.
 */
function loweredHalves(
  info: ReturnType<typeof validateItem>, needs: ReadonlyArray<'soft' | 'hard'>, win: ReturnType<typeof winners>,
  parsed: ReturnType<typeof validateValue>['parsed'], mapNrOpen: bigint | null,
): Array<{ half: 'soft' | 'hard'; from: string }> {
  if (info.rlimit === null && !['priority', 'maxlogins', 'maxsyslogins'].includes(info.name)) return [];
  const out: Array<{ half: 'soft' | 'hard'; from: string }> = [];
  const wantKey = orderKey(info, parsed, mapNrOpen);
  for (const half of needs) {
    const cur = win[half]?.reading;
    if (!cur?.parsedValue || (info.rlimit !== null && cur.parsedValue.kernel === null)) continue;
    if (wantKey < orderKey(info, cur.parsedValue, mapNrOpen)) out.push({ half, from: displayBytes(cur.value.raw) });
  }
  return out;
}

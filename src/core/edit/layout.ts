/**
 * Rendering lines: a new line copies a neighbour's layout (indent, separators, columns, line
 * ending); an edited line keeps every byte but the value token (and the comment asked for); a
 * chunk of an over-long line is neutralised in place.
 *
 * Pure.
 */
import type { EntryReading, Line } from '../model.js';
import type { TextEdit } from '../text-edit.js';
import type { WorkFile } from './work-tree.js';

export interface Style {
  readonly indent: string;
  /** separators after domain, type, item */
  readonly seps: readonly [string, string, string];
  /** column widths (domain, type, item) when space-aligned; null to use seps verbatim */
  readonly widths: readonly [number, number, number] | null;
  readonly eol: '\n' | '\r\n';
}

const DEFAULT_STYLE: Style = { indent: '', seps: ['\t', '\t', '\t'], widths: [16, 8, 16], eol: '\n' };

export function styleOf(file: WorkFile, near?: Line): Style {
  const t = file.text;
  let template = near && near.readings[0]?.kind === 'entry' ? near : undefined;
  if (!template) {
    // the file's last entry line
    for (let i = file.lines.count - 1; i >= 0 && !template; i--) {
      const l = file.lines.line(i);
      if (l.readings.length === 1 && l.readings[0]!.kind === 'entry') template = l;
    }
  }
  // CRLF when at least half the lines that end with a newline end with CR LF
  let lf = 0;
  for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lf++;
  let crlf = 0;
  for (let i = t.indexOf('\r\n'); i >= 0; i = t.indexOf('\r\n', i + 2)) crlf++;
  const eol = crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
  if (!template) return { ...DEFAULT_STYLE, eol };
  const r = template.readings[0] as EntryReading;
  const indent = t.slice(template.start, r.domain.start);
  const seps: [string, string, string] = [t.slice(r.domain.end, r.type.start), t.slice(r.type.end, r.item.start), t.slice(r.item.end, r.value.start)];
  // column-aligned only when the template pads with runs of spaces; single spaces stay single
  const spaceAligned = seps.every((s) => /^ +$/.test(s)) && seps.some((s) => s.length > 1);
  const widths: [number, number, number] | null = spaceAligned
    ? [r.type.start - r.domain.start, r.item.start - r.type.start, r.value.start - r.item.start]
    : null;
  return { indent, seps, widths, eol };
}

export function layout(style: Style, fields: [string, string, string, string]): string {
  const [d, ty, it, v] = fields;
  if (style.widths) {
    // columns count characters, not bytes: a UTF-8 continuation byte (0x80..0xBF) takes no column
    const columns = (b: string) => b.length - (b.match(/[\x80-\xbf]/g)?.length ?? 0);
    const pad = (s: string, w: number) => s + ' '.repeat(Math.max(1, w - columns(s)));
    return `${style.indent}${pad(d, style.widths[0])}${pad(ty, style.widths[1])}${pad(it, style.widths[2])}${v}`;
  }
  // tab-separated templates: fields longer than a tab stop may need one tab fewer; keep it simple
  // and reuse the template's separators
  return `${style.indent}${d}${style.seps[0]}${ty}${style.seps[1]}${it}${style.seps[2]}${v}`;
}

/** Replace a field's text and keep the next field's column when only spaces follow it. */
export function replaceField(text: string, field: { start: number; end: number }, content: string, nextStart: number | null): TextEdit[] {
  const delta = content.length - (field.end - field.start);
  const edits: TextEdit[] = [{ offset: field.start, length: field.end - field.start, content }];
  if (delta === 0 || nextStart === null) return edits;
  const gap = text.slice(field.end, nextStart);
  if (!/^ +$/.test(gap)) return edits;
  const newGap = Math.max(1, gap.length - delta);
  if (newGap !== gap.length) edits.push({ offset: field.end, length: gap.length, content: ' '.repeat(newGap) });
  return edits;
}

export const isCSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * The end of the value *token*: the first run of non-isspace bytes of the value field. In 1.5.2
 * (sscanf %s) that is the whole field; in 1.7 the field is the rest of the line, and the token
 * stops before extra fields and a CRLF file's '\r'. Only this token is replaced, so extra fields
 * (`admin - nproc 5 legacy-note`) and the line ending keep their bytes.
 */
function valueTokenEnd(text: string, r: EntryReading): number {
  let end = r.value.start;
  while (end < r.value.end && !isCSpace(text.charCodeAt(end))) end++;
  return end;
}

/**
 * Same-length edits that make a chunk of an over-long line a comment: the byte just before its
 * domain becomes '#' when it is blank space of the same chunk, else the domain's first byte does.
 * The line keeps its length, so every other chunk reads as before; pam 1.7, which reads the
 * whole line, sees it end at the '#'.
 */
export function neutraliseChunk(text: string, r: EntryReading): TextEdit {
  const before = r.domain.start - 1;
  if (before >= r.span.start && isCSpace(text.charCodeAt(before)) && text.charCodeAt(before) !== 0x0a) {
    return { offset: before, length: 1, content: '#' };
  }
  return { offset: r.domain.start, length: 1, content: '#' };
}

/**
 * Edits that replace a line's value token with `valueText` (and set its comment). Extra fields
 * after the value keep their bytes; with `extrasToComment` they are turned into a comment by a
 * '# ' before the first one (used when pam 1.7, which reads them as part of the value, would
 * otherwise read another value: `unlimited junk` is rejected there).
 */
export function replaceValue(text: string, line: Line, r: EntryReading, valueText: string, comment: string | undefined, extrasToComment = false): TextEdit[] {
  const vEnd = valueTokenEnd(text, r);
  const edits: TextEdit[] = [];
  const oldLen = vEnd - r.value.start;
  edits.push({ offset: r.value.start, length: oldLen, content: valueText });
  const delta = valueText.length - oldLen;
  const contentEnd = text.charCodeAt(line.end - 1) === 0x0d ? line.end - 1 : line.end;
  // what follows the value: an extra field, the comment, or nothing
  let next = vEnd;
  while (next < contentEnd && (text.charCodeAt(next) === 0x20 || text.charCodeAt(next) === 0x09)) next++;
  const hasExtra = next < contentEnd && text.charCodeAt(next) !== 0x23 && !(r.comment && next >= r.comment.start);
  const gap = text.slice(vEnd, next);
  if (next < contentEnd && delta !== 0 && /^ +$/.test(gap)) {
    // keep the column of whatever follows when the gap is spaces
    edits.push({ offset: vEnd, length: gap.length, content: ' '.repeat(Math.max(1, gap.length - delta)) });
  }
  if (hasExtra && extrasToComment) edits.push({ offset: next, length: 0, content: '# ' });
  if (comment !== undefined) {
    if (r.comment) {
      edits.push({ offset: r.comment.start, length: contentEnd - r.comment.start, content: `# ${comment}` });
    } else {
      // after the value and any extra fields, before a CR
      edits.push({ offset: contentEnd, length: 0, content: hasExtra && extrasToComment ? ` ${comment}` : ` # ${comment}` });
    }
  }
  return edits;
}

/** ` # comment` for a new line; the comment is bytes already (planEdits converts requests). */
export function commentSuffix(comment: string | undefined): string {
  return comment ? ` # ${comment}` : '';
}

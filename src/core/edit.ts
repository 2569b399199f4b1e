/**
 * Planning edits: set / unset / apply turn into TextEdits against the tree's files, chosen so
 * that (1) untouched bytes stay untouched, (2) equal meanings are equal (a second run plans
 * nothing), and (3) the requested value is what a matching account really gets — checked by
 * resolving the edited tree. Pure: the caller reads the tree and writes the result.
 *
 * Design (see docs/editing.md):
 * - An entry "family" is every valid line with the same domain text and item, in any file.
 *   Within a family all lines have the same rank, so for each half the last one read wins.
 * - set edits the family's winning line(s) in place; it adds a line only when no line sets
 *   that half. A `-` line whose soft and hard must differ is split into `hard` + `soft` lines
 *   next to each other; two lines are never merged (that would move a value to another place
 *   in the reading order).
 * - unset removes every family line covering the type (a `-` line loses only the half asked).
 * - New lines copy a neighbour's layout and line ending and go after the domain's last line in
 *   the file, else before a trailing `# End of file` marker, else at the end.
 */
import type { AccountDb, Identity } from './accounts.js';
import { identityFor } from './accounts.js';
import { describeControl, displayBytes, findControl, toBytes } from './bytes.js';
import { parseDomain } from './domain.js';
import { LimitsError } from './errors.js';
import type { ConfigTree, EntryReading, Line, LimitsDocument, TreeFile } from './model.js';
import { binaryToDisplay } from './model.js';
import { parseBinary, parseLine } from './parse.js';
import { matchEntryDomain, type ProcLimits, type Resolution, resolveLimits, type Source } from './resolve.js';
import { DIALECT_TRAITS, type Dialect, type ItemInfo, itemForDialect, RLIM_INFINITY, type RlimitItem } from './schema.js';
import { applyEdits, type TextEdit } from './text-edit.js';
import { type ParsedValue, parseValue } from './values.js';

export type EditType = 'soft' | 'hard' | 'both';

/**
 * A request is *text* as a person typed it (JS strings; see bytes.ts): planEdits UTF-8 encodes
 * the domain, value and comment once, so `josé` is written as the bytes pam_limits compares with
 * a UTF-8 etc/passwd. A control character (C0, DEL, C1; in a comment, tab is allowed) is refused
 * with an EditInputError: it would be written raw into the file.
 */
export interface SetRequest {
  readonly op: 'set';
  /** the domain exactly as it will be written: `admin`, `@developers`, `*`, `1000:1999`, `josé` */
  readonly domain: string;
  readonly item: string;
  /** as in limits.conf: a number, or unlimited / infinity / -1 / `-` */
  readonly value: string;
  readonly type?: EditType;
  /** only raise (`at-least`) or only lower (`at-most`) */
  readonly mode?: 'exact' | 'at-least' | 'at-most';
  /** a comment for a written line (plain text, no newline) */
  readonly comment?: string;
}

export interface UnsetRequest {
  readonly op: 'unset';
  readonly domain: string;
  readonly item: string;
  readonly type?: EditType;
}

export type EditRequest = SetRequest | UnsetRequest;

export interface PlanOptions {
  /** where a new line goes when its family has none (path relative to the root); default limits.conf */
  readonly file?: string;
  /** the tree's accounts, to check who really gets the value and to flag unknown names */
  readonly accounts?: AccountDb | null;
  /** starting limits, as for resolveLimits */
  readonly pid1Limits?: ProcLimits | null;
  readonly nrOpen?: bigint | null;
  /** prune: for `apply`, domains whose other items are removed */
  readonly prune?: readonly string[];
}

/** A problem with the request itself: nothing can be planned (exit 2). */
/** Statuses of a tree file that exists but whose content was not read: planning it as a new file would replace it. */
const UNREAD: ReadonlySet<string> = new Set(['unreadable', 'special', 'not-evaluated', 'outside-root', 'directory']);

/**
 * A change may create a file only where nothing is: a FIFO, device, directory, an unreadable or
 * over-size file, or a link out of the root at that path is refused — the same answer for a dry
 * run as for a write (a dry run used to show it as a new file).
 * @throws EditInputError naming the file and why it was not read
 */
function refuseUnwritable(tree: ConfigTree, path: string): void {
  const f = tree.files.find((x) => x.path === path);
  if (f && UNREAD.has(f.status)) {
    throw new EditInputError(`cannot edit ${displayBytes(path)}: ${f.error ?? f.status}`,
      'limitsctl edits only regular files it could read; fix or remove that path first');
  }
}

export class EditInputError extends LimitsError {
  constructor(message: string, hint?: string, code: 'EEDIT' | 'ETARGET' = 'EEDIT') {
    super(message, { code, hint });
    this.name = 'EditInputError';
  }
}

export interface FileChange {
  /** path relative to the root */
  readonly path: string;
  /** the file's text before (binary string); null when the file is created */
  readonly before: string | null;
  readonly after: string;
  readonly edits: readonly TextEdit[];
}

export interface ChangeNote {
  readonly request: EditRequest;
  readonly status: 'changed' | 'unchanged';
  readonly detail: string;
}

/** A line that keeps an account (or everyone) from getting the requested value. */
export interface Blocker {
  readonly account: string;
  readonly item: string;
  readonly half: 'soft' | 'hard';
  readonly wanted: string;
  readonly got: string;
  readonly because: string;
  readonly source: Source | null;
  /** true when the account is a probe standing for every account the domain matches */
  readonly everyone: boolean;
}

export interface EditPlan {
  readonly changes: readonly FileChange[];
  readonly notes: readonly ChangeNote[];
  readonly warnings: readonly string[];
  /** accounts that will not get the requested value, and why */
  readonly blockers: readonly Blocker[];
  /** the tree after the edits */
  readonly after: ConfigTree;
}

const MAIN = 'etc/security/limits.conf';

// ---------------------------------------------------------------------------------------------
// validation

/**
 * Check a domain (bytes, or ASCII text): one token pam_limits can read, nothing that could inject
 * a line. Refused: empty, whitespace (isspace: space, \t \n \v \f \r), '#', NUL and the other
 * C0 controls, DEL, an invalid uid/gid range, a %min:max range.
 */
export function validateDomain(domain: string): void {
  if (domain === '') throw new EditInputError('the domain is empty');
  // eslint-disable-next-line no-control-regex
  const bad = /[\s#\u0000-\u001f\u007f]/.exec(domain);
  if (bad) {
    const what = bad[0] === '#' ? "'#' (pam_limits reads the rest of the line as a comment)"
      : bad[0] === ' ' ? 'a space' : describeControl(bad[0]);
    throw new EditInputError(`the domain '${displayBytes(domain)}' contains ${what}; pam_limits would read it as a different line`,
      'A domain is one word: a user name, @group, *, %group, or a uid/gid range like 1000:1999.');
  }
  const spec = parseDomain(domain);
  if (spec.kind === 'invalid') throw new EditInputError(`the domain '${displayBytes(domain)}' is an invalid uid/gid range; pam_limits would skip the line`);
  if (spec.kind === 'percent-range') throw new EditInputError(`the domain '${displayBytes(domain)}' never matches: pam_limits does not support ranges with %`);
}

/** ASCII tolower (C locale), as pam_limits lower-cases: bytes >= 0x80 stay as they are. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function validateDomainText(text: string): void {
  const c = findControl(text);
  if (c) throw new EditInputError(`the domain '${displayBytes(toBytes(text))}' contains ${describeControl(c.char)}; limitsctl never writes control characters into a limits file`);
}

/**
 * A request's text as bytes (see bytes.ts), refusing control characters first: in a domain or a
 * value any C0 control, DEL or C1 control; in a comment the same except tab.
 */
function requestBytes(req: EditRequest): EditRequest {
  const refuse = (what: 'domain' | 'value' | 'comment', text: string, allowTab: boolean): void => {
    const c = findControl(allowTab ? text.replace(/\t/g, ' ') : text);
    if (c) {
      throw new EditInputError(`the ${what} '${displayBytes(toBytes(text))}' contains ${describeControl(c.char)}; limitsctl never writes control characters into a limits file`,
        what === 'comment' ? 'A comment is one line of printable text.' : undefined);
    }
  };
  refuse('domain', req.domain, false);
  if (req.op === 'unset') return { ...req, domain: toBytes(req.domain) };
  refuse('value', req.value, false);
  if (req.comment !== undefined) refuse('comment', req.comment, true);
  return {
    ...req, domain: toBytes(req.domain), value: toBytes(req.value),
    ...(req.comment !== undefined ? { comment: toBytes(req.comment) } : {}),
  };
}

/** The item's table row for this dialect, or an input error naming what is known. */
export function validateItem(item: string, dialect: Dialect): ItemInfo {
  const info = itemForDialect(item.toLowerCase(), dialect);
  if (!info) throw new EditInputError(`'${displayBytes(toBytes(item))}' is not an item the ${dialect} profile of pam_limits knows`);
  return info;
}

const RANGES: Partial<Record<string, [bigint, bigint]>> = {
  nice: [-20n, 19n],
  priority: [-20n, 19n],
  rtprio: [0n, 99n],
  nonewprivs: [0n, 1n],
};

/**
 * Validate and normalise a value (bytes, or ASCII text) for an item: it must mean exactly what it
 * says. `-` is accepted: like unlimited, infinity and -1 it means unlimited (pam_limits
 * process_limit, all versions; for maxlogins/maxsyslogins it means no limit).
 */
export function validateValue(info: ItemInfo, value: string): { text: string; parsed: ParsedValue } {
  const shown = displayBytes(value);
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\s#\u0000-\u001f\u007f]/.test(value)) {
    throw new EditInputError(`the value '${shown}' for ${info.name} is empty or contains whitespace, '#' or a control character`);
  }
  if (info.grammar === 'path') {
    if (value !== asciiLower(value)) throw new EditInputError(`Debian's pam_limits lower-cases chroot paths: '${shown}' would become '${displayBytes(asciiLower(value))}'`);
    if (!value.startsWith('/')) throw new EditInputError(`chroot needs an absolute path, got '${shown}'`);
    return { text: value, parsed: parseValue(info, value) };
  }
  const text = asciiLower(value);
  const parsed = parseValue(info, text);
  if (!parsed.ok) throw new EditInputError(`'${shown}' is not a valid ${info.name} value; pam_limits would skip the line`, hintFor(info));
  const inexact = parsed.notes.filter((n) => n !== 'leading-zeros' && n !== 'plus-sign');
  if (inexact.length > 0) {
    throw new EditInputError(`pam_limits would not read '${shown}' as written for ${info.name} (${inexact.join(', ')}${parsed.number !== null ? `: it reads ${parsed.number}` : ''})`, hintFor(info));
  }
  const range = RANGES[info.name];
  if (range && parsed.number !== null && (parsed.number < range[0] || parsed.number > range[1])) {
    throw new EditInputError(`${info.name} must be between ${range[0]} and ${range[1]}, got ${shown}`);
  }
  if (info.grammar === 'u64' && !parsed.keyword && parsed.number === RLIM_INFINITY) {
    return { text: 'unlimited', parsed };
  }
  // canonical spelling: no sign, no leading zeros; keywords as the user wrote them
  const canon = parsed.keyword ? text : parsed.number !== null ? parsed.number.toString() : text;
  return { text: canon, parsed: parseValue(info, canon) };
}

function hintFor(info: ItemInfo): string {
  switch (info.grammar) {
    case 'u64': return `${info.name} takes a decimal number${info.unit === 'KiB' ? ' in KiB' : info.unit === 'minutes' ? ' in minutes' : ''} or unlimited (also: infinity, -1).`;
    case 'int': return `${info.name} takes a decimal number${RANGES[info.name] ? ` from ${RANGES[info.name]![0]} to ${RANGES[info.name]![1]}` : ''}.`;
    case 'int-or-unlimited': return `${info.name} takes a decimal number or unlimited.`;
    case 'flag': return `${info.name} takes 0 or 1.`;
    case 'path': return `${info.name} takes an absolute path.`;
  }
}

// ---------------------------------------------------------------------------------------------
// the working tree: file texts that change as requests are planned one after another

interface WorkFile {
  /** path relative to the root, as pam_limits names it (a symlink is written through) */
  readonly path: string;
  /** text when planning started; null for a file the plan creates */
  readonly original: string | null;
  text: string;
  doc: LimitsDocument;
}

class WorkTree {
  readonly files: WorkFile[];
  constructor(readonly base: ConfigTree, readonly dialect: Dialect) {
    this.files = base.files.filter((f) => f.status === 'ok' && f.doc).map((f) => ({
      path: f.path, original: f.doc!.text, text: f.doc!.text, doc: f.doc!,
    }));
  }

  file(path: string): WorkFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** Apply edits to one file and re-read it. */
  apply(file: WorkFile, edits: TextEdit[]): void {
    if (edits.length === 0) return;
    file.text = applyEdits(file.text, edits);
    file.doc = parseBinary(file.text, { file: file.path, dialect: this.dialect });
  }

  /** Create a new (empty) file in reading order. */
  create(path: string): WorkFile {
    const f: WorkFile = { path, original: null, text: '', doc: parseBinary('', { file: path, dialect: this.dialect }) };
    this.files.push(f);
    return f;
  }

  /** The tree as pam_limits would read it now. */
  tree(): ConfigTree {
    const byPath = new Map(this.files.map((f) => [f.path, f]));
    const files: TreeFile[] = this.base.files.map((f) => {
      const w = byPath.get(f.path);
      if (!w) return f;
      byPath.delete(f.path);
      if (f.status === 'ok') return { ...f, doc: w.doc };
      // a missing file the plan creates: pam_limits will now read it
      return { path: f.path, role: f.role, status: 'ok', doc: w.doc };
    });
    for (const w of byPath.values()) {
      // a newly created file: it replaces a missing one, or goes where pam_limits would read it
      const tf: TreeFile = { path: w.path, role: w.path === MAIN ? 'main' : 'dropin', status: 'ok', doc: w.doc };
      const same = files.findIndex((f) => f.path === w.path);
      if (same >= 0) { files[same] = tf; continue; }
      if (w.path === MAIN) {
        const i = files.findIndex((f) => f.path === MAIN);
        if (i >= 0) files[i] = tf; else files.unshift(tf);
      } else {
        const name = w.path.slice(w.path.lastIndexOf('/') + 1);
        let i = files.findIndex((f) => f.role !== 'main' && Buffer.compare(Buffer.from(f.path.slice(f.path.lastIndexOf('/') + 1)), Buffer.from(name)) > 0);
        if (i < 0) i = files.length;
        files.splice(i, 0, tf);
      }
    }
    const fatal = files.find((f) => f.fatal);
    return { dialect: this.base.dialect, files, ignored: this.base.ignored, failure: fatal ? { file: fatal.path, reason: fatal.fatal! } : null };
  }
}

// ---------------------------------------------------------------------------------------------
// families

interface FamilyLine {
  readonly file: WorkFile;
  readonly line: Line;
  readonly reading: EntryReading;
  /** the reading is one 1023-byte chunk of an over-long line (1.5.2 fgets), not the whole line */
  readonly chunk: boolean;
}

/**
 * The family's lines in reading order. A chunk of an over-long line (1.5.2 reads each 1023-byte
 * piece as a line of its own) joins only with `chunks` (for unset, which neutralises it): `set`
 * never edits inside such a line, whose chunk boundaries would move.
 */
function familyOf(work: WorkTree, domain: string, item: string, chunks = false): FamilyLine[] {
  const out: FamilyLine[] = [];
  const tree = work.tree();
  for (const tf of tree.files) {
    const wf = work.file(tf.path);
    if (!wf || !tf.doc) continue;
    for (const line of wf.doc.lines) {
      const chunk = line.readings.length !== 1;
      if (chunk && !chunks) continue;
      for (const r of line.readings) {
        if (r.kind !== 'entry' || r.problem || r.domain.raw !== domain || r.itemText !== item) continue;
        if (!r.limitType && r.itemInfo?.typeChecked !== false) continue;
        out.push({ file: wf, line, reading: r, chunk });
      }
    }
  }
  return out;
}

/**
 * Same-length edits that make a chunk of an over-long line a comment: the byte just before its
 * domain becomes '#' when it is blank space of the same chunk, else the domain's first byte does.
 * The line keeps its length, so every other chunk reads as before; pam 1.7, which reads the
 * whole line, sees it end at the '#'.
 */
function neutraliseChunk(text: string, r: EntryReading): TextEdit {
  const before = r.domain.start - 1;
  if (before >= r.span.start && isCSpace(text.charCodeAt(before)) && text.charCodeAt(before) !== 0x0a) {
    return { offset: before, length: 1, content: '#' };
  }
  return { offset: r.domain.start, length: 1, content: '#' };
}

function covers(r: EntryReading, half: 'soft' | 'hard'): boolean {
  // items whose type pam_limits does not check apply to "both" whatever the type says
  if (!r.itemInfo?.typeChecked) return true;
  return r.limitType === '-' || r.limitType === half;
}

/** The line that decides each half within a family (the last one read). */
function winners(family: FamilyLine[]): { soft: FamilyLine | null; hard: FamilyLine | null } {
  let soft: FamilyLine | null = null;
  let hard: FamilyLine | null = null;
  for (const f of family) {
    if (covers(f.reading, 'soft')) soft = f;
    if (covers(f.reading, 'hard')) hard = f;
  }
  return { soft, hard };
}

/** Meaning of a value for comparison: kernel units, or the number for non-rlimits. */
function meaning(info: ItemInfo, pv: ParsedValue | null, nrOpen: bigint | null): string {
  if (!pv) return '?';
  if (pv.path !== undefined) return `path:${pv.path}`;
  if (info.rlimit !== null) {
    let k = pv.kernel!;
    if (info.name === 'nofile' && k === RLIM_INFINITY && nrOpen !== null) k = nrOpen;
    return `k:${k}`;
  }
  return `n:${pv.number}`;
}

// ---------------------------------------------------------------------------------------------
// layout: copying a file's style

interface Style {
  readonly indent: string;
  /** separators after domain, type, item */
  readonly seps: readonly [string, string, string];
  /** column widths (domain, type, item) when space-aligned; null to use seps verbatim */
  readonly widths: readonly [number, number, number] | null;
  readonly eol: '\n' | '\r\n';
}

const DEFAULT_STYLE: Style = { indent: '', seps: ['\t', '\t', '\t'], widths: [16, 8, 16], eol: '\n' };

function styleOf(doc: LimitsDocument, near?: Line): Style {
  const entriesIn = doc.lines.filter((l) => l.readings.length === 1 && l.readings[0]!.kind === 'entry');
  let template = near && near.readings[0]?.kind === 'entry' ? near : undefined;
  if (!template) template = entriesIn[entriesIn.length - 1];
  const crlf = doc.lines.filter((l) => l.eolLength === 1 && doc.text.charCodeAt(l.end - 1) === 0x0d).length;
  const eol = crlf > 0 && crlf * 2 >= doc.lines.filter((l) => l.eolLength === 1).length ? '\r\n' : '\n';
  if (!template) return { ...DEFAULT_STYLE, eol };
  const r = template.readings[0] as EntryReading;
  const t = doc.text;
  const indent = t.slice(template.start, r.domain.start);
  const seps: [string, string, string] = [t.slice(r.domain.end, r.type.start), t.slice(r.type.end, r.item.start), t.slice(r.item.end, r.value.start)];
  // column-aligned only when the template pads with runs of spaces; single spaces stay single
  const spaceAligned = seps.every((s) => /^ +$/.test(s)) && seps.some((s) => s.length > 1);
  const widths: [number, number, number] | null = spaceAligned
    ? [r.type.start - r.domain.start, r.item.start - r.type.start, r.value.start - r.item.start]
    : null;
  return { indent, seps, widths, eol };
}

function layout(style: Style, fields: [string, string, string, string]): string {
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
function replaceField(text: string, field: { start: number; end: number }, content: string, nextStart: number | null): TextEdit[] {
  const delta = content.length - (field.end - field.start);
  const edits: TextEdit[] = [{ offset: field.start, length: field.end - field.start, content }];
  if (delta === 0 || nextStart === null) return edits;
  const gap = text.slice(field.end, nextStart);
  if (!/^ +$/.test(gap)) return edits;
  const newGap = Math.max(1, gap.length - delta);
  if (newGap !== gap.length) edits.push({ offset: field.end, length: gap.length, content: ' '.repeat(newGap) });
  return edits;
}

const isCSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

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

/** Where a new line for `domain` goes in a document, as an offset, plus whether a newline must precede it. */
function insertionPoint(doc: LimitsDocument, domain: string): { offset: number; near: Line | undefined; needsEolBefore: boolean } {
  const lines = doc.lines;
  let lastSame: Line | undefined;
  for (const l of lines) {
    const r = l.readings[0];
    if (l.readings.length === 1 && r?.kind === 'entry' && r.domain.raw === domain) lastSame = l;
  }
  if (lastSame) {
    const offset = lastSame.end + lastSame.eolLength;
    return { offset, near: lastSame, needsEolBefore: lastSame.eolLength === 0 };
  }
  // before a trailing "# End of file" marker (and the blank lines just before it)
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    const text = doc.text.slice(l.start, l.end).trim();
    if (text === '') continue;
    if (/^#\s*end of file\s*$/i.test(text)) {
      let j = i;
      while (j > 0 && doc.text.slice(lines[j - 1]!.start, lines[j - 1]!.end).trim() === '') j--;
      const at = lines[j]!;
      const prev = lines[j - 1];
      return { offset: at.start, near: undefined, needsEolBefore: prev !== undefined && prev.eolLength === 0 };
    }
    break;
  }
  const last = lines[lines.length - 1];
  return { offset: doc.text.length, near: undefined, needsEolBefore: last !== undefined && last.eolLength === 0 };
}

/** ` # comment` for a new line; the comment is bytes already (planEdits converts requests). */
function commentSuffix(comment: string | undefined): string {
  return comment ? ` # ${comment}` : '';
}

// ---------------------------------------------------------------------------------------------
// planning one request

interface Ctx {
  readonly work: WorkTree;
  readonly dialect: Dialect;
  readonly options: PlanOptions;
  readonly notes: ChangeNote[];
  readonly warnings: string[];
}

function halvesOf(type: EditType | undefined, info: ItemInfo): Array<'soft' | 'hard'> {
  if (!info.typeChecked || info.name === 'priority' || info.name === 'chroot') return ['soft', 'hard'];
  const t = type ?? 'both';
  return t === 'both' ? ['soft', 'hard'] : [t];
}

function typeWord(halves: Array<'soft' | 'hard'>): string {
  return halves.length === 2 ? '-' : halves[0]!;
}

function planSetOne(ctx: Ctx, req: SetRequest): void {
  const { work, dialect } = ctx;
  validateDomain(req.domain);
  const info = validateItem(req.item, dialect);
  const { text: valueText, parsed } = validateValue(info, req.value);
  // eslint-disable-next-line no-control-regex
  if (req.comment !== undefined && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(req.comment)) throw new EditInputError('the comment must be one line of printable text');
  const halves = halvesOf(req.type, info);
  const nrOpen = ctx.options.nrOpen === undefined ? 1048576n : ctx.options.nrOpen;
  const want = meaning(info, parsed, nrOpen);
  const family = familyOf(work, req.domain, info.name);
  const win = winners(family);

  // --at-least / --at-most compare with what the family (or, without one, the account) has now
  const mode = req.mode ?? 'exact';
  const needs: Array<'soft' | 'hard'> = [];
  for (const half of halves) {
    const current = win[half];
    const curMeaning = current ? meaning(info, current.reading.parsedValue, nrOpen) : null;
    if (curMeaning === want) continue;
    if (mode !== 'exact') {
      const wantKey = orderKey(info, parsed, nrOpen);
      if (current) {
        if (satisfies(mode, orderKey(info, current.reading.parsedValue!, nrOpen), wantKey)) continue;
      } else {
        // no line of this domain yet: compare with what a matching account gets now
        const probe = probeFor(req.domain, ctx.options.accounts);
        if (probe) {
          const now = resolveLimits(work.tree(), probe, { dialect, nrOpen, events: 'matched', ...(ctx.options.pid1Limits !== undefined ? { pid1Limits: ctx.options.pid1Limits } : {}) });
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

  const typeChecked = info.typeChecked && info.name !== 'priority' && info.name !== 'chroot';
  const pending: Array<'soft' | 'hard'> = [];
  for (const half of needs) {
    // re-read the family for each half: an edit for the other half may have moved this line's offsets
    const now = winners(familyOf(work, req.domain, info.name));
    const w = now[half];
    if (!w) { pending.push(half); continue; }
    // a `-` line already edited for the other half
    if (meaning(info, w.reading.parsedValue, nrOpen) === want) continue;
    const r = w.reading;
    const other: 'soft' | 'hard' = half === 'soft' ? 'hard' : 'soft';
    // A `-` line that still decides the other half, which must keep its value: split it.
    if (typeChecked && r.limitType === '-' && now[other] === w && !needs.includes(other)) {
      const text = w.file.text;
      const edits = replaceField(text, r.type, other, r.item.start);
      const style = styleOf(w.file.doc, w.line);
      const lineEol = text.charCodeAt(w.line.end - 1) === 0x0d ? '\r\n' : '\n';
      const newLine = layout(style, [req.domain, half, info.name, valueText]) + commentSuffix(req.comment);
      const content = w.line.eolLength ? `${newLine}${lineEol}` : `${style.eol}${newLine}`;
      edits.push({ offset: w.line.end + w.line.eolLength, length: 0, content });
      work.apply(w.file, edits);
      continue;
    }
    let edits = replaceValue(w.file.text, w.line, r, valueText, req.comment);
    if (!readsAs(applyEdits(w.file.text, edits), w.line, info, want, nrOpen)) {
      edits = replaceValue(w.file.text, w.line, r, valueText, req.comment, true);
    }
    work.apply(w.file, edits);
  }
  if (pending.length > 0) {
    const target = ctx.options.file ?? MAIN;
    let file = work.file(target);
    if (!file) {
      checkTargetPath(target);
      file = work.create(target);
    }
    const at = insertionPoint(file.doc, req.domain);
    const style = styleOf(file.doc, at.near);
    const newLine = layout(style, [req.domain, typeChecked ? typeWord(pending) : '-', info.name, valueText]) + commentSuffix(req.comment);
    const content = `${at.needsEolBefore ? style.eol : ''}${newLine}${style.eol}`;
    work.apply(file, [{ offset: at.offset, length: 0, content }]);
  }
  ctx.notes.push({ request: req, status: 'changed', detail: `${displayBytes(req.domain)} ${typeWord(needs)} ${info.name} ${displayBytes(valueText)}` });
}

/**
 * Edits that replace a line's value token with `valueText` (and set its comment). Extra fields
 * after the value keep their bytes; with `extrasToComment` they are turned into a comment by a
 * '# ' before the first one (used when pam 1.7, which reads them as part of the value, would
 * otherwise read another value: `unlimited junk` is rejected there).
 */
function replaceValue(text: string, line: Line, r: EntryReading, valueText: string, comment: string | undefined, extrasToComment = false): TextEdit[] {
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

/**
 * True when the edited line (the one that started at `line.start`) reads as `want` under both
 * parser families: 1.5.2 ignores extra fields, 1.7 reads them as part of the value.
 */
function readsAs(text: string, line: Line, info: ItemInfo, want: string, nrOpen: bigint | null): boolean {
  let end = text.indexOf('\n', line.start);
  const eol: 0 | 1 = end < 0 ? 0 : 1;
  if (end < 0) end = text.length;
  for (const dialect of ['debian', 'upstream-1.7'] as const) {
    const readings = parseLine(text, line.index, line.start, end, eol, dialect, false).readings;
    const r = readings.find((x) => x.kind === 'entry');
    if (readings.length !== 1 || !r || r.kind !== 'entry' || !r.parsedValue) return false;
    const rInfo = itemForDialect(info.name, dialect);
    if (!rInfo) continue; // an item one family does not know (rttime in 1.5.2)
    if (meaning(rInfo, parseValue(rInfo, r.valueText), nrOpen) !== want) return false;
  }
  return true;
}

/** An order key where "more" is larger: a higher limit (unlimited highest), for nice a higher
 * 20-n, for priority a lower number, maxlogins unlimited highest. */
function orderKey(info: ItemInfo, v: ParsedValue, nrOpen: bigint | null): bigint {
  if (info.rlimit !== null) {
    let k = v.kernel!;
    if (info.name === 'nofile' && k === RLIM_INFINITY && nrOpen !== null) k = nrOpen;
    return k;
  }
  if (info.name === 'priority') return -(v.number ?? 0n);
  if (info.name === 'maxlogins' || info.name === 'maxsyslogins') return v.number! < 0n ? RLIM_INFINITY : v.number!;
  return v.number ?? 0n;
}

/** The same order key for what an account gets now (null when unknown or not applicable). */
function effectiveKey(info: ItemInfo, res: Resolution, half: 'soft' | 'hard'): bigint | null {
  if (!res.applied) return null;
  if (info.rlimit !== null) {
    const r = res.rlimits[info.name as RlimitItem];
    return r.applied?.[half] ?? r[half].value;
  }
  switch (info.name) {
    case 'priority': return -BigInt(res.priority.value);
    case 'maxlogins': case 'maxsyslogins': return res.logins.value < 0 ? RLIM_INFINITY : BigInt(res.logins.value);
    default: return null;
  }
}

function satisfies(mode: 'at-least' | 'at-most', have: bigint, want: bigint): boolean {
  return mode === 'at-least' ? have >= want : have <= want;
}

/** pam_limits reads only limits.conf and limits.d/*.conf (and 1.7's vendor copies). */
export function checkTargetPath(target: string): void {
  const ok = target === MAIN || /^etc\/security\/limits\.d\/[^/.][^/]*\.conf$/.test(target);
  if (!ok) {
    throw new EditInputError(`pam_limits would never read ${target}`, 'Use etc/security/limits.conf or etc/security/limits.d/<name>.conf (a name ending in .conf, not starting with a dot).');
  }
}

function planUnsetOne(ctx: Ctx, req: UnsetRequest): void {
  const { work, dialect } = ctx;
  validateDomain(req.domain);
  const info = validateItem(req.item, dialect);
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
        const style = styleOf(f.file.doc);
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

function planPrune(ctx: Ctx, domains: readonly string[], keep: ReadonlySet<string>): void {
  for (const domain of domains) {
    // the halves each item of the domain has lines for
    const covered = new Map<string, Set<'soft' | 'hard'>>();
    for (const f of ctx.work.files) {
      for (const l of f.doc.lines) {
        for (const r of l.readings) {
          if (r.kind !== 'entry' || r.domain.raw !== domain || !r.itemInfo || r.problem) continue;
          const set = covered.get(r.itemInfo.name) ?? new Set();
          for (const h of ['soft', 'hard'] as const) if (covers(r, h)) set.add(h);
          covered.set(r.itemInfo.name, set);
        }
      }
    }
    for (const [item, has] of covered) {
      const info = itemForDialect(item, ctx.dialect)!;
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

// ---------------------------------------------------------------------------------------------
// checking the result

const PROBE_UID = 4294967000;

/** An account standing for "anyone the domain matches, with no lines of their own". */
function probeFor(domain: string, accounts: AccountDb | null | undefined): Identity | null {
  const spec = parseDomain(domain);
  const probeName = '\u0000limitsctl-probe';
  switch (spec.kind) {
    case 'user': {
      const pw = accounts?.users.find((u) => u.name === domain);
      return accounts && pw ? identityFor(accounts, pw.name, pw.uid, pw.gid) : { name: domain, uid: PROBE_UID, gid: PROBE_UID, groups: [] };
    }
    case 'wildcard': return { name: probeName, uid: PROBE_UID, gid: PROBE_UID, groups: [] };
    case 'group': {
      const g = accounts?.groups.find((x) => x.name === spec.group);
      return { name: probeName, uid: PROBE_UID, gid: PROBE_UID, groups: [{ name: spec.group!, gid: g?.gid ?? PROBE_UID - 1 }] };
    }
    case 'gid': {
      const gid = spec.range.form === 'one' ? spec.range.min : 0;
      const g = accounts?.groups.find((x) => x.gid === gid);
      return { name: probeName, uid: PROBE_UID, gid: PROBE_UID, groups: [{ name: g?.name ?? `gid${gid}`, gid }] };
    }
    case 'gid-range': {
      const r = spec.range;
      const gid = r.form === 'min' || r.form === 'minmax' ? r.min : 0;
      return { name: probeName, uid: PROBE_UID, gid, groups: [] };
    }
    case 'uid': case 'uid-range': {
      const r = spec.range;
      const uid = r.form === 'one' || r.form === 'min' || r.form === 'minmax' ? r.min : 0;
      return { name: probeName, uid, gid: PROBE_UID, groups: [] };
    }
    case 'percent-all': return { name: probeName, uid: PROBE_UID, gid: PROBE_UID, groups: [] };
    case 'percent-group': return { name: probeName, uid: PROBE_UID, gid: PROBE_UID, groups: [{ name: spec.group!, gid: PROBE_UID - 1 }] };
    default: return null;
  }
}

function displayValue(info: ItemInfo, res: Resolution, half: 'soft' | 'hard'): { meaning: string; text: string; source: Source | null } {
  if (!res.applied) return { meaning: 'not-applied', text: 'nothing (no limits applied)', source: null };
  if (info.rlimit !== null) {
    const r = res.rlimits[info.name as RlimitItem];
    const slot = r[half];
    const v = r.applied?.[half] ?? slot.value;
    const text = v === null ? 'inherited' : v === RLIM_INFINITY ? 'unlimited' : info.factor !== 1 ? `${v / BigInt(info.factor)}` : info.name === 'nice' ? `${20n - v}` : `${v}`;
    return { meaning: v === null ? 'inherited' : `k:${v}`, text, source: slot.origin === 'line' ? slot.source : null };
  }
  switch (info.name) {
    case 'priority': return { meaning: `n:${res.priority.value}`, text: String(res.priority.value), source: res.priority.source };
    case 'nonewprivs': return { meaning: `n:${res.nonewprivs.value ? 1 : 0}`, text: res.nonewprivs.value ? '1' : '0', source: res.nonewprivs.source };
    case 'chroot': return { meaning: res.chroot ? `path:${res.chroot.value}` : 'none', text: res.chroot?.value ?? 'none', source: res.chroot?.source ?? null };
    default: return { meaning: `n:${res.logins.value}`, text: res.logins.value < 0 ? 'unlimited' : String(res.logins.value), source: res.logins.source };
  }
}

function at(s: Source): string {
  const f = s.file.startsWith('etc/security/') ? s.file.slice('etc/security/'.length) : s.file;
  return `${f}:${s.line} (${binaryToDisplay(s.domain)} ${s.type} ${binaryToDisplay(s.value)})`;
}

function checkOutcome(ctx: Ctx, after: ConfigTree, req: SetRequest, blockers: Blocker[]): void {
  const info = itemForDialect(req.item.toLowerCase(), ctx.dialect)!;
  const { parsed } = validateValue(info, req.value);
  const nrOpen = ctx.options.nrOpen === undefined ? 1048576n : ctx.options.nrOpen;
  const halves = halvesOf(req.type, info);
  const accounts = ctx.options.accounts;
  const resolveOpts = { dialect: ctx.dialect, nrOpen, events: 'matched' as const, ...(ctx.options.pid1Limits !== undefined ? { pid1Limits: ctx.options.pid1Limits } : {}) };
  const wantedText = displayBytes(req.value);
  const shownDomain = displayBytes(req.domain);
  const check = (id: Identity, everyone: boolean) => {
    const res = resolveLimits(after, id, resolveOpts);
    if (res.applied && res.result !== 'PAM_SUCCESS') {
      const who = id.name.startsWith('\u0000') ? `accounts matching ${shownDomain}` : displayBytes(id.name);
      const why = res.logins.check === 'deny' && res.logins.source ? `maxlogins 0 at ${at(res.logins.source)}` : 'setrlimit would fail';
      ctx.warnings.push(`${who}: pam_limits denies the session (${res.result}: ${why}), so no limit applies until that is fixed`);
    }
    for (const half of halves) {
      const got = displayValue(info, res, half);
      let want = meaning(info, parsed, nrOpen);
      if (info.name === 'maxlogins' || info.name === 'maxsyslogins') want = `n:${parsed.number}`;
      if (got.meaning === want) continue;
      if (req.mode === 'at-least' || req.mode === 'at-most') {
        // only raise / only lower: any value on the right side of the request is what was asked
        const have = effectiveKey(info, res, half);
        if (have !== null && satisfies(req.mode, have, orderKey(info, parsed, nrOpen))) continue;
      }
      let because: string;
      const rootRule = DIALECT_TRAITS[ctx.dialect].rootExempt && id.uid === 0 && (req.domain === '*' || /^[@%][^:]*$/.test(req.domain));
      const clamped = info.rlimit !== null && half === 'soft' && res.rlimits[info.name as RlimitItem].clamped;
      if (res.noLimit) because = `'${binaryToDisplay(res.noLimit.domain)} -' at ${res.noLimit.file}:${res.noLimit.line} switches off all limits for this account`;
      else if (res.failure) because = res.failure.reason;
      else if (rootRule) because = "Debian's pam_limits does not apply '*', '@group' or '%' lines to root; add a line for the user root";
      else if (got.source && (got.source.domain !== req.domain || !clamped)) because = `${at(got.source)} wins (${got.source.domain === req.domain ? 'read later' : 'a stronger or later line'})`;
      else if (clamped) {
        const h = res.rlimits[info.name as RlimitItem].hard;
        because = `soft is lowered to the hard limit ${displayValue(info, res, 'hard').text}${h.source ? ` from ${at(h.source)}` : ' (inherited)'}; set the hard limit too (type 'both')`;
      } else because = 'no line applies';
      blockers.push({ account: id.name.startsWith('\u0000') ? `any account matching ${shownDomain}` : displayBytes(id.name), item: info.name, half, wanted: wantedText, got: got.text, because, source: got.source, everyone });
    }
  };
  const probe = probeFor(req.domain, accounts);
  if (probe) check(probe, probe.name.startsWith('\u0000') || parseDomain(req.domain).kind === 'user');
  if (accounts && accounts.users.length > 0 && parseDomain(req.domain).kind !== 'user') {
    for (const u of accounts.users) {
      const id = identityFor(accounts, u.name, u.uid, u.gid);
      const spec = parseDomain(req.domain);
      const rootExempt = DIALECT_TRAITS[ctx.dialect].rootExempt && id.uid === 0;
      const m = matchEntryDomain(spec, id, ctx.dialect);
      if (!m && !(rootExempt && (spec.kind === 'wildcard' || spec.kind === 'group' || spec.kind === 'gid'))) continue;
      if (!m && rootExempt && spec.kind === 'group' && !id.groups.some((g) => g.name === spec.group)) continue;
      check(id, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the entry point

/** Plan a list of requests against a tree; each sees the result of the ones before. */
export function planEdits(tree: ConfigTree, textRequests: readonly EditRequest[], textOptions: PlanOptions = {}): EditPlan {
  const dialect = tree.dialect;
  const work = new WorkTree(tree, dialect);
  // The one conversion from text to bytes (bytes.ts); notes give back the caller's own request.
  const requests = textRequests.map(requestBytes);
  const original = new Map<EditRequest, EditRequest>(requests.map((r, i) => [r, textRequests[i]!]));
  const options: PlanOptions = textOptions.prune ? { ...textOptions, prune: textOptions.prune.map((d) => { validateDomainText(d); return toBytes(d); }) } : textOptions;
  const ctx: Ctx = { work, dialect, options, notes: [], warnings: [] };
  if (options.file !== undefined) checkTargetPath(options.file);
  for (const req of requests) {
    if (req.op === 'set') planSetOne(ctx, req);
    else planUnsetOne(ctx, req);
  }
  if (options.prune && options.prune.length > 0) {
    const keep = new Set<string>();
    for (const r of requests) {
      if (r.op !== 'set') continue;
      const info = itemForDialect(r.item.toLowerCase(), dialect);
      if (!info) continue;
      for (const h of halvesOf(r.type, info)) keep.add(`${r.domain}\0${info.name}\0${h}`);
    }
    planPrune(ctx, options.prune, keep);
  }
  const after = work.tree();
  const blockers: Blocker[] = [];
  for (const req of requests) if (req.op === 'set') checkOutcome(ctx, after, req, blockers);
  // unknown accounts
  const accounts = options.accounts;
  if (accounts && accounts.users.length > 0) {
    for (const req of requests) {
      const spec = parseDomain(req.domain);
      if (spec.kind === 'user' && !accounts.users.some((u) => u.name === req.domain)) ctx.warnings.push(`user '${displayBytes(req.domain)}' is not in the tree's etc/passwd`);
      if ((spec.kind === 'group' || spec.kind === 'percent-group') && !accounts.groups.some((g) => g.name === spec.group)) ctx.warnings.push(`group '${displayBytes(spec.group!)}' is not in the tree's etc/group`);
    }
  }
  const changes: FileChange[] = [];
  for (const f of work.files) {
    if (f.text === (f.original ?? '') && f.original !== null) continue;
    if (f.original === null && f.text === '') continue;
    if (f.original === null) refuseUnwritable(tree, f.path);
    changes.push({ path: f.path, before: f.original, after: f.text, edits: diffEdits(f.original ?? '', f.text) });
  }
  const notes = ctx.notes.map((n) => ({ ...n, request: original.get(n.request) ?? n.request }));
  return { changes, notes, warnings: [...new Set(ctx.warnings)], blockers, after };
}

/** One edit covering the changed middle of two texts (for callers that want edits, not texts). */
function diffEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let s = 0;
  while (s < before.length && s < after.length && before.charCodeAt(s) === after.charCodeAt(s)) s++;
  let e = 0;
  while (e < before.length - s && e < after.length - s && before.charCodeAt(before.length - 1 - e) === after.charCodeAt(after.length - 1 - e)) e++;
  return [{ offset: s, length: before.length - s - e, content: after.slice(s, after.length - e) }];
}

/**
 * The domain of an edit's target, named as a user, a group, all accounts (`*`) or a domain as
 * written in limits.conf — exactly one of them.
 * @throws EditInputError `ETARGET` when none or several are named, or a user or group is not a plain name
 */
export function domainFor(target: { user?: string; group?: string; all?: boolean; domain?: string }): string {
  const given = [target.user !== undefined, target.group !== undefined, target.all === true, target.domain !== undefined].filter(Boolean).length;
  if (given !== 1) throw new EditInputError('name exactly one target: a user, a group, all accounts or a domain', undefined, 'ETARGET');
  if (target.all) return '*';
  if (target.user !== undefined) {
    if (/^[@%*]/.test(target.user) || target.user.includes(':')) throw new EditInputError(`the user '${target.user}' is not a user name; give it as a domain`, undefined, 'ETARGET');
    return target.user;
  }
  if (target.group !== undefined) {
    const g = target.group.replace(/^@/, '');
    if (g === '' || g.includes(':')) throw new EditInputError(`the group '${target.group}' is not a group name; give gid forms as a domain (@:GID)`, undefined, 'ETARGET');
    return `@${g}`;
  }
  return target.domain!;
}

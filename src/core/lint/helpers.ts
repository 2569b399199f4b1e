/** Small helpers the rules share. Pure. */
import type {
  EntryReading, Field, InvalidReading, LimitsDocument, Line, NoLimitReading, Reading, Span, TreeFile,
} from '../model.js';
import { binaryToDisplay } from '../model.js';
import { contentAt, ENTRY_DASH, ENTRY_EXTRA, ENTRY_PROBLEM, ENTRY_UPPER, entryFacts, entryRaw, entryStart } from '../parse.js';
import type { Source } from '../resolve.js';
import type { DeadLine } from './analysis.js';
import type { RuleContext } from './types.js';

export interface ReadingRef<R extends Reading = Reading> {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  readonly line: Line;
  readonly reading: R;
  readonly chunk: number;
}

/**
 * The readings of one parsed file, sorted once into the lists the rules walk, so that a rule asks
 * only about the readings of the kind it reports on: a file of 150,000 invalid lines costs the
 * twenty rules about entries nothing, and a file of entries costs the syntax rules about invalid
 * lines, stray headers and templates nothing. Each list keeps reading order and holds the
 * readings themselves (no object per reading); blank and comment readings, which no rule reports
 * on, are in none. The narrow lists (skipped, noted, valued, extras, upper, dashes) hold what
 * one or a few rules report on, so that those rules do not each walk every entry of a large tree
 * (one pass over the entries instead of one per rule).
 */
export interface FileReadings {
  readonly file: TreeFile;
  readonly doc: LimitsDocument;
  /**
   * the entries (four fields): made from the document at each read, not kept (a rule walks
   * the lines with readingAt, or the analysis' entries by index)
   */
  readonly entries: readonly EntryReading[];
  /** entryLines[i] is the line of entries[i] (made at each read, as entries) */
  readonly entryLines: readonly Line[];
  /** the "no limits" lines and the invalid readings */
  readonly others: ReadonlyArray<NoLimitReading | InvalidReading>;
  /**
   * the readings with a field holding '<', '{', '}', '%' or '$': the only ones whose
   * syntaxOwner can be 'stray-header' or 'template'
   */
  readonly markup: ReadonlyArray<EntryReading | NoLimitReading | InvalidReading>;
  /** markupLines[i] is the line of markup[i] */
  readonly markupLines: readonly Line[];
  /** how many readings syntaxOwner gives to 'stray-header' or 'template' (0 in nearly every file: see ownerIn) */
  readonly owned: number;
  /**
   * whether the file's text holds a ':': without one no domain is a uid range, so no reading has
   * the problem 'invalid-range' (parse_uid_range is called only on a domain with a ':') and an
   * invalid reading's problem is 'too-few-fields'
   */
  readonly colon: boolean;
  /** the entries pam_limits skips (those with a problem) */
  readonly skipped: readonly EntryReading[];
  /** the entries without a problem whose value has notes (ParsedValue.notes), or whose item is chroot */
  readonly noted: readonly EntryReading[];
  /** the entries without a problem of the items some rule checks the value of (VALUED: nice, priority, rtprio, nofile, maxlogins, maxsyslogins) */
  readonly valued: readonly EntryReading[];
  /** the entries with fields after the fourth */
  readonly extras: readonly EntryReading[];
  /** the entries whose type, item or value is written with a capital (its *Text differs from the raw text) */
  readonly upper: readonly EntryReading[];
  /** upperLines[i] is the line of upper[i] */
  readonly upperLines: readonly Line[];
  /** the entries and "no limits" lines whose domain is '-' */
  readonly dashes: ReadonlyArray<EntryReading | NoLimitReading>;
}

/** The items `FileReadings.valued` holds the valid entries of. */
const VALUED = new Set(['nice', 'priority', 'rtprio', 'nofile', 'maxlogins', 'maxsyslogins']);

/** The characters a stray header or template syntax needs (mayBeMarkup), found in a whole text at once. */
const MARKUP_CHAR = /[<{}%$]/g;

/** A docs array's index, built once and shared by every rule of one lint run. */
const readingIndexes = new WeakMap<RuleContext['docs'], readonly FileReadings[]>();

/**
 * The FileReadings of each of the context's documents, in reading order: built on the first call
 * for a docs array and then shared, so that the rules neither walk every reading nor scan it
 * again. Only the lines whose text holds a markup character ('<', '{', '}', '%', '$': one search
 * of the file's text finds them) have their readings' fields scanned for markup.
 */
export function readingIndex(ctx: RuleContext): readonly FileReadings[] {
  let index = readingIndexes.get(ctx.docs);
  if (!index) {
    const out: FileReadings[] = [];
    for (const { file, doc } of ctx.docs) out.push(indexOf(file, doc));
    readingIndexes.set(ctx.docs, (index = out));
  }
  return index;
}

function indexOf(file: TreeFile, doc: LimitsDocument): FileReadings {
  const others: Array<NoLimitReading | InvalidReading> = [];
  const markup: Array<EntryReading | NoLimitReading | InvalidReading> = [];
  const markupLines: Line[] = [];
  const skipped: EntryReading[] = [];
  const noted: EntryReading[] = [];
  const valued: EntryReading[] = [];
  const extras: EntryReading[] = [];
  const upper: EntryReading[] = [];
  const upperLines: Line[] = [];
  const dashes: Array<EntryReading | NoLimitReading> = [];
  const text = doc.text;
  // the offset of the next markup character at or after the current line (text.length: none left)
  const re = MARKUP_CHAR;
  re.lastIndex = 0;
  let mark = re.test(text) ? re.lastIndex - 1 : text.length;
  for (const line of doc.lines) {
    // a line with no markup character: no field of its readings holds one (fields are its bytes)
    if (mark < line.start) {
      re.lastIndex = line.start;
      mark = re.test(text) ? re.lastIndex - 1 : text.length;
    }
    const scan = mark < line.end;
    if (scan) {
      re.lastIndex = line.end;
      mark = re.test(text) ? re.lastIndex - 1 : text.length;
    }
    // contentAt: no one-element array per line, as line.readings makes, and no blank or comment reading
    for (let chunk = 0; ; chunk++) {
      const reading = contentAt(line, chunk);
      if (reading === undefined) break;
      if (reading === null) continue;
      const kind = reading.kind;
      if (kind === 'entry') {
        // entryFacts: one call for the problem, extra fields, capitals and a '-' domain
        const facts = entryFacts(reading);
        if ((facts & ENTRY_PROBLEM) !== 0) skipped.push(reading);
        else {
          const info = reading.itemInfo;
          const v = reading.parsedValue;
          if (info && v) {
            if (VALUED.has(info.name)) valued.push(reading);
            if (v.notes.length > 0 || info.name === 'chroot') noted.push(reading);
          }
        }
        if ((facts & ENTRY_EXTRA) !== 0) extras.push(reading);
        if ((facts & ENTRY_UPPER) !== 0) {
          upper.push(reading);
          upperLines.push(line);
        }
        if ((facts & ENTRY_DASH) !== 0) dashes.push(reading);
      } else {
        others.push(reading);
        if (kind === 'nolimit' && reading.domainSpec.text === '-') dashes.push(reading);
      }
      if (scan && hasMarkup(reading)) { markup.push(reading); markupLines.push(line); }
    }
  }
  let owned = 0;
  for (const r of markup) {
    const o = syntaxOwner(r);
    if (o === 'stray-header' || o === 'template') owned++;
  }
  return {
    file, doc, others, markup, markupLines, owned, colon: text.indexOf(':') >= 0,
    skipped, noted, valued, extras, upper, upperLines, dashes,
    get entries() { return entriesOf(doc).entries; },
    get entryLines() { return entriesOf(doc).lines; },
  };
}

/** A document's entry readings and their lines, in order (made at each call). */
function entriesOf(doc: LimitsDocument): { entries: EntryReading[]; lines: Line[] } {
  const entries: EntryReading[] = [];
  const lines: Line[] = [];
  for (const line of doc.lines) {
    for (let chunk = 0; ; chunk++) {
      const r = contentAt(line, chunk);
      if (r === undefined) break;
      if (r !== null && r.kind === 'entry') { entries.push(r); lines.push(line); }
    }
  }
  return { entries, lines };
}

/**
 * syntaxOwner(r) for a reading of `fr` whose problem is known (`problem`: it has one): without a
 * stray header or template syntax in the file (fr.owned 0, nearly always) no field needs a scan.
 */
export function ownerIn(fr: FileReadings, r: EntryReading | NoLimitReading | InvalidReading, problem: boolean): SyntaxOwner {
  if (fr.owned === 0) return problem ? 'problem' : null;
  return syntaxOwner(r);
}

/**
 * The dead lines (Analysis.dead()) of one file, in reading order: what a rule of scope 'file'
 * walks for the file it is given (its run of entries, not every dead line of the tree per file).
 */
export function deadIn(ctx: RuleContext, file: TreeFile): DeadLine[] {
  const an = ctx.analysis;
  const range = an.entryRange(file);
  const out: DeadLine[] = [];
  if (!range) return out;
  const by = an.dead().by;
  for (let i = range.lo; i < range.hi; i++) {
    const order = an.orderAt(i);
    if (by[order]! >= 0) out.push(an.deadLine(order)!);
  }
  return out;
}

/**
 * The reading orders (EntryRef.order) of a file's entries: [lo, hi), or undefined when it has
 * none. The analysis reads the files one after another, so a file's entries are one run of
 * orders, and a rule of scope 'file' finds them in an item's entries (in reading order) by a
 * binary search (firstAtOrAfter) instead of a walk of every entry per file.
 */
export function orderRange(ctx: RuleContext, file: TreeFile): { readonly lo: number; readonly hi: number } | undefined {
  return ctx.analysis.orderRange(file);
}

/** The index of the first of `entries` (in reading order) whose order is at least `order`. */
export function firstAtOrAfter(entries: ReadonlyArray<{ readonly order: number }>, order: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.order < order) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * deadOrders(ctx)[e.order] is 1 when entry `e` is a dead line (Analysis.dead()): an index into an
 * array, for every entry (Analysis.deadFlags).
 */
export function deadOrders(ctx: RuleContext): Uint8Array {
  return ctx.analysis.deadFlags();
}

export function* entryReadings(ctx: RuleContext): Generator<ReadingRef<EntryReading>> {
  const an = ctx.analysis;
  for (let i = 0, n = an.count; i < n; i++) yield an.refAt(i);
}

/** The content of a line (without its '\n'). */
export function lineSpan(line: Line): Span {
  return { start: line.start, end: line.end };
}

/** The non-comment content of a reading: its first field to its last. */
export function fieldsSpan(r: EntryReading | NoLimitReading | InvalidReading): Span {
  // asked for most findings: no array of the fields
  if (r.kind === 'entry') {
    // entryStart/entryRaw: no Field objects (a parsed entry makes one at each read of r.domain, r.value)
    const extra = r.extra;
    return { start: entryStart(r, 0), end: extra.length > 0 ? extra[extra.length - 1]!.end : entryStart(r, 3) + entryRaw(r, 3).length };
  }
  if (r.kind === 'nolimit') return { start: r.domain.start, end: r.type.end };
  return { start: r.fields[0]!.start, end: r.fields[r.fields.length - 1]!.end };
}

export function fieldsOf(r: EntryReading | NoLimitReading | InvalidReading): readonly Field[] {
  if (r.kind === 'entry') return [r.domain, r.type, r.item, r.value, ...r.extra];
  if (r.kind === 'nolimit') return [r.domain, r.type];
  return r.fields;
}

/** Display text of a binary string, with control characters made visible. */
export function show(s: string): string {
  // most fields are printable ASCII, shown as they are (asked for several times per finding)
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) { plain = false; break; }
  }
  if (plain) return s;
  // eslint-disable-next-line no-control-regex
  return binaryToDisplay(s).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => {
    switch (c) {
      case '\r': return '\\r';
      case '\v': return '\\v';
      case '\f': return '\\f';
      case '\0': return '\\0';
      default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
}

/** "limits.d/90-nproc.conf:5" for a resolver source. */
export function at(s: Source | { file: string; line: number }): string {
  return `${s.file}:${s.line}`;
}

/** The text of an entry as pam_limits reads it: "alice soft nofile 100". */
export function entryText(r: EntryReading): string {
  // entryRaw: the texts without the four Field objects r.domain … r.value would make (asked per finding)
  return `${show(entryRaw(r, 0))} ${show(entryRaw(r, 1))} ${show(entryRaw(r, 2))} ${show(entryRaw(r, 3))}`;
}

/** The field-shaped placeholders and template syntax that are never meant literally. */
const TEMPLATE = /\{\{|\}\}|\{%|%\}|<%|%>/;
const ANGLE = /^<[^<>\s]+>$/;

/**
 * `{{`, `}}`, `{%`, `%}`, `<%`, `%>`, or `${…}`. The `${…}` test is two searches, not the regex
 * /\$\{[^}]*\}/, which retries from every `${` and is quadratic on a long field of them.
 */
function isTemplate(raw: string): boolean {
  if (TEMPLATE.test(raw)) return true;
  const open = raw.indexOf('${');
  return open >= 0 && raw.indexOf('}', open + 2) >= 0;
}

export function templateSyntax(fields: readonly Field[]): Field | null {
  for (const f of fields) if (isTemplate(f.raw)) return f;
  for (const f of fields) if (ANGLE.test(f.raw)) return f;
  return null;
}

/** The header line of the stock file, left uncommented: `<domain> <type> <item> <value>`. */
export function isStrayHeader(fields: readonly Field[]): boolean {
  const f0 = fields[0]?.raw.toLowerCase();
  const f1 = fields[1]?.raw.toLowerCase();
  return f0 === '<domain>' && (f1 === '<type>' || f1 === '<item>' || fields.length === 1);
}

/**
 * Which syntax rule owns a reading pam_limits rejects, so that each skipped line is reported
 * once: the stray header first, then template syntax, then the problem pam_limits itself logs.
 */
export type SyntaxOwner = 'stray-header' | 'template' | 'problem' | null;

/**
 * Whether a field holds a character that a stray header or template syntax needs ('<', '{', '}',
 * '%', '$'): without one in any field, neither can be, and no array or regex is needed.
 */
function mayBeMarkup(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x3c || c === 0x7b || c === 0x7d || c === 0x25 || c === 0x24) return true;
  }
  return false;
}

/**
 * Which syntax rule owns a reading (several rules ask, after their own cheaper tests). Worked out
 * each time it is asked: the common answer takes one scan of the fields' few bytes, cheaper than a
 * lookup in a cache keyed by reading.
 */
export function syntaxOwner(r: Reading): SyntaxOwner {
  if (r.kind === 'blank' || r.kind === 'comment') return null;
  if (hasMarkup(r)) {
    const fields = fieldsOf(r);
    if (isStrayHeader(fields)) return 'stray-header';
    if (templateSyntax(fields)) return 'template';
  }
  if (r.problem) return 'problem';
  return null;
}

/**
 * Whether any field of a reading holds a character a stray header or template syntax needs
 * (mayBeMarkup): one scan of its fields' bytes, making no Field object for an entry.
 */
function hasMarkup(r: EntryReading | NoLimitReading | InvalidReading): boolean {
  if (r.kind === 'entry') {
    // entryRaw: the texts without making the four Field objects (a parsed entry makes them on access)
    if (mayBeMarkup(entryRaw(r, 0)) || mayBeMarkup(entryRaw(r, 1)) || mayBeMarkup(entryRaw(r, 2)) || mayBeMarkup(entryRaw(r, 3))) return true;
    const extra = r.extra;
    for (let i = 0; i < extra.length; i++) if (mayBeMarkup(extra[i]!.raw)) return true;
    return false;
  }
  if (r.kind === 'nolimit') return mayBeMarkup(r.domain.raw) || mayBeMarkup(r.type.raw);
  const fields = r.fields;
  for (let i = 0; i < fields.length; i++) if (mayBeMarkup(fields[i]!.raw)) return true;
  return false;
}

/**
 * The lossless document model.
 *
 * A document keeps its bytes as a *binary string* (one char per byte, latin1), so every input —
 * CRLF, NUL, invalid UTF-8 — survives: print(parse(bytes)) is the identical bytes. Offsets and
 * spans are byte offsets into that text. Lines end at '\n' only, as fgets/getline read them; a
 * '\r' before it is part of the line's content (pam_limits treats it as whitespace in 1.5.2).
 *
 * On top of the bytes sits the semantic view: each line carries the reading(s) pam_limits gives it
 * under the document's profile, and — where the other parser family (1.5.2 vs 1.7) reads it
 * differently — that reading too.
 */
import { displayBytes, toBytes } from './bytes.js';
import type { DomainSpec } from './domain.js';
import type { Profile, ProfileName, ItemInfo, LimitType } from './schema.js';
import type { ParsedValue } from './values.js';

/** A byte range [start, end) in the document text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A token: its byte span and its raw (binary) text as written. */
export interface Field extends Span {
  readonly raw: string;
}

/** Why pam_limits skips a line (the reason it would log). */
export type ProblemCode =
  | 'too-few-fields'     // "invalid line": 1 or 3 fields, or 2 without a leading '-'
  | 'invalid-range'      // "invalid uid range"
  | 'unknown-item'       // "unknown limit item"
  | 'unknown-type'       // "unknown limit type"
  | 'wrong-value'        // "wrong limit value"
  | 'percent-domain';    // % domain with an item other than maxlogins

export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  /** the span the problem is about */
  readonly span: Span;
}

interface ReadingBase {
  /** the bytes this reading covers: the whole line, or one 1023-byte chunk in 1.5.2 */
  readonly span: Span;
  /** the inline or whole-line comment ('#' up to the end of the chunk), if any */
  readonly comment: Span | null;
}

export interface BlankReading extends ReadingBase {
  readonly kind: 'blank';
}
export interface CommentReading extends ReadingBase {
  readonly kind: 'comment';
}

/**
 * A 4-field line. `problem` is null when pam_limits applies it to a matching account. A reading
 * from parse.ts makes `span`, `comment` and the four fields on each access (a new plain object
 * each time: compare them by offsets, not identity; `entryRaw` and `entryStart` in parse.ts give a
 * field's raw text and offset without making one); `extra`, `problem`, `limitType`, `domainSpec`, `typeText`, `itemText`,
 * `itemInfo`, `valueText` and `parsedValue` are getters too (on the prototype: a spread `{ ...reading }`
 * holds none of them; use `toJSON()`). Its `toJSON()` gives a plain object of every property.
 */
export interface EntryReading extends ReadingBase {
  readonly kind: 'entry';
  readonly domain: Field;
  readonly type: Field;
  readonly item: Field;
  readonly value: Field;
  /** 1.5.2: tokens after the 4th, silently ignored */
  readonly extra: readonly Field[];
  readonly domainSpec: DomainSpec;
  /** lower-cased type/item/value as pam_limits compares them */
  readonly typeText: string;
  readonly itemText: string;
  readonly valueText: string;
  /** null when the type is not soft/hard/- */
  readonly limitType: LimitType | null;
  /** null when the item is unknown to the profile */
  readonly itemInfo: ItemInfo | null;
  /** null when not evaluated (unknown item or type) */
  readonly parsedValue: ParsedValue | null;
  readonly problem: Problem | null;
}

/** The 2-field `<domain> -` line: when it matches, pam_limits applies nothing at all. */
export interface NoLimitReading extends ReadingBase {
  readonly kind: 'nolimit';
  readonly domain: Field;
  readonly type: Field;
  readonly domainSpec: DomainSpec;
  readonly problem: Problem | null;
}

/**
 * A line pam_limits logs as invalid and skips. A reading from parse.ts makes `span`, `comment`,
 * `fields` and `problem` on each access (new objects each time: compare by offsets and `problem.code`);
 * its `toJSON()` gives the plain shape.
 */
export interface InvalidReading extends ReadingBase {
  readonly kind: 'invalid';
  readonly fields: readonly Field[];
  readonly problem: Problem;
}

export type Reading = BlankReading | CommentReading | EntryReading | NoLimitReading | InvalidReading;

export interface Line {
  /** 0-based physical line number */
  readonly index: number;
  /** byte offset of the first byte of the line */
  readonly start: number;
  /** byte offset just after the content (before '\n') */
  readonly end: number;
  /** 1 when the line ends with '\n', 0 for a last line without one */
  readonly eolLength: 0 | 1;
  /**
   * pam_limits' reading(s) under the document's profile (several for a chunked long line in 1.5.2).
   * A line from parse.ts gives a new array on each read where it has one reading (the reading is
   * the same object each time), and reads `start`, `end` and `eolLength` from its document.
   */
  readonly readings: readonly Reading[];
  /** the other parser family's reading, only where it differs (1.5.2 vs 1.7) */
  readonly other?: { readonly profile: Profile; readonly readings: readonly Reading[] };
}

export interface LimitsDocument {
  /** display path of the file (relative to the tree root where it comes from a tree) */
  readonly file: string;
  readonly profile: Profile;
  /** the file's bytes as a binary string */
  readonly text: string;
  readonly lines: readonly Line[];
}

/** The document's bytes. */
export function printDocument(doc: LimitsDocument): Uint8Array {
  return binaryToBytes(doc.text);
}

export function bytesToBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function binaryToBytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/**
 * A binary string → display text: UTF-8 decoded, invalid bytes and control characters other than
 * tab, newline and CR shown as `\xNN` (see displayBytes in bytes.ts for names and values).
 */
export function binaryToDisplay(s: string): string {
  return displayBytes(s, { keep: '\t\n\r' });
}

/** User text (UTF-16 JS string) → binary string of its UTF-8 bytes (toBytes in bytes.ts). */
export function textToBinary(s: string): string {
  return toBytes(s);
}

/** The line's raw content (without '\n'), as a binary string. */
export function lineText(doc: LimitsDocument, line: Line): string {
  return doc.text.slice(line.start, line.end);
}

/** The entry readings of a document, in order (the lines pam_limits may apply). */
export function* entries(doc: LimitsDocument): Generator<{ line: Line; reading: EntryReading }> {
  for (const line of doc.lines) {
    for (const reading of line.readings) {
      if (reading.kind === 'entry') yield { line, reading };
    }
  }
}

/** 1-based line and column (byte-based) of a byte offset. */
export function positionAt(doc: LimitsDocument, offset: number): { line: number; column: number } {
  const lines = doc.lines;
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid; else hi = mid - 1;
  }
  const l = lines[lo];
  if (!l) return { line: 1, column: 1 };
  return { line: lo + 1, column: offset - l.start + 1 };
}

/** How a file of the tree could be read. */
export type FileStatus =
  | 'ok'
  /** does not exist (ENOENT) */
  | 'missing'
  /** a symlink whose target does not exist */
  | 'dangling-symlink'
  /** exists but cannot be opened (EACCES, ELOOP, …) */
  | 'unreadable'
  /** a directory named like a file: pam_limits reads it as empty */
  | 'directory'
  /** a symlink that points outside --root: not followed */
  | 'outside-root'
  /** a FIFO, device or socket where a file should be: never read (see `error`) */
  | 'special'
  /** pam_limits reads it but limitsctl could not: EACCES as a non-root uid, above the size cap,
   *  or changed while being opened; or a limits.d this uid may not list (see `error`,
   *  `dirListing`); not a session failure */
  | 'not-evaluated';

export type FileRole = 'main' | 'dropin' | 'vendor-main' | 'vendor-dropin';

export interface TreeFile {
  /** path relative to the tree root, e.g. "etc/security/limits.d/90-nproc.conf" */
  readonly path: string;
  readonly role: FileRole;
  readonly status: FileStatus;
  /** the parsed document (status 'ok'; an empty document for 'directory'), else null */
  readonly doc: LimitsDocument | null;
  /** errno-style reason for a status other than ok */
  readonly error?: string;
  /** where a symlinked file really lives, relative to the root */
  readonly realPath?: string;
  /** set when pam_limits aborts on reaching this file (PAM_SERVICE_ERR, nothing applied) */
  readonly fatal?: string;
  /**
   * true when the entry stands for a drop-in directory (limits.d) that exists but could not be
   * listed (status 'not-evaluated', 'unreadable' or 'outside-root'): its drop-ins are unknown
   */
  readonly dirListing?: boolean;
}

export type IgnoreReason =
  | 'hidden'          // glob's * never matches a leading dot
  | 'suffix'          // not ending in exactly ".conf"
  | 'subdirectory'    // limits.d is not searched recursively
  | 'shadowed'        // 1.7 vendor file with the same basename as one in /etc
  | 'vendor-unused'   // 1.7 vendor limits.conf while /etc/security/limits.conf exists
  | 'not-read';       // a lint PATH in an etc/security layout that is no file pam_limits reads

export interface IgnoredFile {
  readonly path: string;
  readonly reason: IgnoreReason;
  readonly detail: string;
}

/** The files pam_limits reads, in its order, plus those it ignores. */
export interface ConfigTree {
  /** the release profile it was read as (loadTree gives a release name; an alias is accepted from callers building a tree) */
  readonly profile: ProfileName;
  /** in reading order: the main file, then the drop-ins in byte order of basenames */
  readonly files: readonly TreeFile[];
  readonly ignored: readonly IgnoredFile[];
  /**
   * Set when pam_limits would fail before applying anything (1.5.2: missing limits.conf,
   * a vanished or dangling drop-in; any: an unreadable file).
   */
  readonly failure: { readonly file: string; readonly reason: string } | null;
  /**
   * Other files the system reads that limitsctl could not use (etc/passwd, etc/group,
   * etc/os-release as a FIFO, a device, a link leaving the root, …; a lint PATH skipped because
   * it links out of the directory given). Reported by lint (LC306).
   */
  readonly unusable?: ReadonlyArray<{ readonly path: string; readonly detail: string }>;
}

import { type Analysis, domainMatches, type EntryRef, type ItemAnalysis, type ItemKey } from '../analysis.js';
import { fieldsSpan, show } from '../helpers.js';
import type { DomainSpec } from '../../domain.js';
import { entryRaw } from '../../parse.js';
import type { Span, TreeFile } from '../../model.js';
import type { Profile } from '../../schema.js';
import type { FindingText, Rule } from '../types.js';

/** How a finding names a line that beats it, and its related location: made once per such line. */
interface Beater {
  /** `path:line ('domain')` */
  readonly name: string;
  readonly related: { readonly file: TreeFile; readonly span: Span; readonly message: string };
}

/**
 * Per target (its Analysis): a line that wins is named by many findings. `at[order]` is 1 + the
 * index in `list` of that line's Beater, 0 when not made yet (a dense typed array, not a sparse one).
 * The Beaters are kept for one check (one file's findings) only: `orders` lists the orders set in
 * `at`, cleared before the next file, so that the names and spans of a whole tree's winning lines
 * are not held until its last file (about 70 MB on a 1,000,000-line tree).
 */
interface Beaters {
  readonly at: Int32Array;
  readonly list: Beater[];
  readonly orders: number[];
}

const beaters = new WeakMap<Analysis, Beaters>();

function beaterOf(cache: Beaters, b: EntryRef): Beater {
  const k = cache.at[b.order]!;
  if (k > 0) return cache.list[k - 1]!;
  const x: Beater = {
    // entryRaw: the domain's text without the Field object r.domain makes at each read
    name: `${b.file.path}:${b.line.index + 1} ('${show(entryRaw(b.reading, 0))}')`,
    related: { file: b.file, span: fieldsSpan(b.reading), message: 'beats it for some accounts' },
  };
  cache.list.push(x);
  cache.orders.push(b.order);
  cache.at[b.order] = cache.list.length;
  return x;
}

function whyNoMatch(d: DomainSpec): string {
  if (d.kind === 'percent-range') return "'%min:max' ranges never match (pam_limits logs \"range unsupported for %group matching\")";
  if ((d.range.form === 'minmax') && d.range.min > d.range.max) return `the range ${d.range.min}:${d.range.max} is empty (min above max)`;
  return 'no account can match its domain';
}

/**
 * The related locations of never-wins' finding on entry `i`: the lines that beat it (the first
 * three, those {@link worded} names), none when it never applies. Not worded: `related` is asked
 * for each finding as it is written, right after its message.
 */
function beatenBy(cache: Beaters, ia: ItemAnalysis, i: number): Array<Beater['related']> {
  const related: Array<Beater['related']> = [];
  const matched = ia.matchedCount[i]!;
  if (matched === 0 || ia.notAppliedCount[i]! === matched) return related;
  const count = ia.beatenCount(i);
  for (let k = 0; k < count && k < 3; k++) related.push(beaterOf(cache, ia.beatenRef(i, k)).related);
  return related;
}

/** The message of never-wins' finding on entry `i` of an item's analysis. */
function worded(profile: Profile, cache: Beaters, ia: ItemAnalysis, key: ItemKey, i: number): string {
  const r = ia.readingAt(i);
  const matched = ia.matchedCount[i]!;
  const notApplied = ia.notAppliedCount[i]!;
  if (matched === 0 && ia.accounts.some((c) => domainMatches(r.domainSpec, c, profile))) {
    return `this line never applies: every account '${show(entryRaw(r, 0))}' matches is stopped earlier by a "<domain> -" line, and then pam_limits applies no limits at all`;
  }
  if (matched === 0) return `this line never applies: ${whyNoMatch(r.domainSpec)}; remove it or fix the domain`;
  if (notApplied === matched) {
    return `this line never applies: every account '${show(entryRaw(r, 0))}' matches also matches a "<domain> -" line, and then pam_limits applies no limits at all`;
  }
  // the first three lines that beat it, as the entries they are (no Source, no lookup)
  const count = ia.beatenCount(i);
  let names = '';
  for (let k = 0; k < count && k < 3; k++) {
    const b = beaterOf(cache, ia.beatenRef(i, k));
    names = k > 0 ? `${names}, ${b.name}` : b.name;
  }
  return `this line never decides ${key === 'logins' ? 'the login limit' : key} for any account: for every account it matches, ${count ? names : 'another line'} ${count === 1 ? 'holds' : 'hold'} the final value (a stronger domain, or the same rank read later). Remove it, or move the value to the line that wins`;
}

export const neverWins: Rule = {
  code: 'LC203',
  name: 'never-wins',
  category: 'semantics',
  severity: 'warning',
  description: 'A line that never decides a value for any account: outranked everywhere, or matching nobody, or cancelled by a "<domain> -" line.',
  fixable: false,
  scope: 'file',
  check(ctx) {
    if (ctx.tree.failure) return;
    const dead = ctx.analysis.deadFlags();
    let cache = beaters.get(ctx.analysis);
    if (!cache) beaters.set(ctx.analysis, (cache = { at: new Int32Array(ctx.analysis.size), list: [], orders: [] }));
    else {
      for (const o of cache.orders) cache.at[o] = 0;
      cache.list.length = 0;
      cache.orders.length = 0;
    }
    // the file's lines of each item (a run of its entries, Analysis.itemRuns), so that checking
    // file by file costs what one check of the whole tree does
    for (const { file } of ctx.docs) for (const { key, from, to } of ctx.analysis.itemRuns(file)) {
      const ia = ctx.analysis.item(key);
      if (!ia.exhaustive) {
        // said, never silent: which claim was not checked, and why (at the item's first line)
        if (from === 0) {
          const first = ia.refAt(0);
          ctx.report({
            file: first.file,
            span: fieldsSpan(first.reading),
            message: `LC203 was not checked for ${key === 'logins' ? 'maxlogins' : key}: its lines test ${ia.classes.toLocaleString('en-US')} combinations of user name, uid, gid and group memberships (each group named doubles them), more than the ${ctx.analysis.options.budget.toLocaleString('en-US')} the analysis tries, so lines of ${key === 'logins' ? 'maxlogins' : key} that never win are not reported. The other findings are still checked`,
          });
        }
        continue;
      }
      // the message and related locations of entry i's finding, made when it is written (held
      // until then as the number i); one per run of the file's lines of this item
      const text: FindingText = {
        message: (i) => worded(ctx.profile, cache, ia, key, i),
        related: (i) => beatenBy(cache, ia, i),
      };
      for (let i = from; i < to; i++) {
        // by position in the item: no EntryRef per entry (the analysis keeps its entries as columns)
        if (ia.won[i] || dead[ia.orderAt(i)] === 1) continue;
        const r = ia.readingAt(i);
        if (r.problem || !r.itemInfo) continue;
        ctx.report({ file: ia.fileAt(i), span: fieldsSpan(r), text, a: i, b: 0 });
      }
    }
  },
};

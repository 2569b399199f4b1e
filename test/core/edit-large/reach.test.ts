/**
 * The cut trees a plan resolves (src/core/edit/reach.ts: only the lines whose domain can match the
 * account, and with `outcomeItems` only those of the items the plan's checks read; reachAfter, the
 * same cut of any tree, for --json's effective values) resolve exactly as the whole tree does, in
 * everything checkOutcome, the --at-least/--at-most probe and --json's values read: the
 * slots of those items (values, ranks, sources, lines beaten, the pair applied, clamp, EPERM), the
 * login limit (value, check, source, system), whether limits apply, the PAM result, the `-` stop,
 * the failure, and priority / nonewprivs / chroot when one of those is the item.
 *
 * Random trees on every profile of test/distinct-profiles.ts, made to trip a cut by bytes: items in
 * any case, item names inside comments and values, `<domain> -` lines with extra blanks, \v \f \r
 * around and inside fields, NUL, over-long lines, `%` domains, invalid ranges. The seed is printed
 * (LIMITSCTL_SEED reruns it).
 */
import { describe, expect, it } from 'vitest';
import { type AccountDb, type Identity, identityFor, parseGroup, parsePasswd } from '../../../src/core/accounts.js';
import { familyOf } from '../../../src/core/edit/family.js';
import { outcomeItems, reachAfter, reachTree } from '../../../src/core/edit/reach.js';
import { WorkTree } from '../../../src/core/edit/work-tree.js';
import type { ConfigTree } from '../../../src/core/model.js';
import { parseLimits } from '../../../src/core/parse.js';
import { type ProcLimits, type Resolution, resolveLimits } from '../../../src/core/resolve.js';
import { ITEMS, itemForProfile, type Profile, type RlimitItem } from '../../../src/core/schema.js';
import { DISTINCT_PROFILES } from '../../distinct-profiles.js';
import { rng, seedNote, testSeed } from '../../seed.js';

const SEED = testSeed('edit reach trees');

const DOMAINS = ['*', 'alice', 'bob', 'root', '@wheel', '@ops', '@nogroup', '@:1000', '@:3000', '1000:', '1000:1999', ':999', '0', '%', '%wheel', '@1000:2000', '5:1', 'ALICE'];
const ITEM_WORDS = ['nofile', 'NOFILE', 'NoFile', 'nproc', 'maxlogins', 'MaxLogins', 'maxsyslogins', 'priority', 'core', 'nonewprivs', 'chroot', 'as', 'cpu', 'stack', 'memlock', 'nice', 'bogus'];
const TYPES = ['soft', 'hard', '-', 'HARD', 'Soft', 'x'];
const VALUES = ['10', '20', 'unlimited', '5', '0', '1', '-1', '100', '1048577', 'infinity', '/srv/jail', 'nofile', 'maxlogins'];
const SEPS = [' ', '\t', '  ', ' \v ', '\v', '\r', ' \f', ' \r '];

function randomLine(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const sep = () => (r() < 0.85 ? ' ' : pick(SEPS));
  const x = r();
  if (x < 0.05) return `# ${pick(ITEM_WORDS)} in a comment`;
  if (x < 0.08) return '';
  if (x < 0.18) {
    // '<domain> -' in its spellings, and near misses
    const tail = pick(['', ' ', '\t', ' \v', '\r', ' # x nofile', ' -', ' x', ' \r x', '\v\v', ' - \f']);
    return `${pick(['', ' ', '\v', '\t'])}${pick(DOMAINS)}${sep()}-${tail}`;
  }
  if (x < 0.2) return `${pick(DOMAINS)}${sep()}${pick(TYPES)}`;
  if (x < 0.21) return `${pick(DOMAINS)} - ${pick(ITEM_WORDS)} ${'9'.repeat(4)}${' '.repeat(1030)}${pick(DOMAINS)} - ${pick(ITEM_WORDS)} 7`;
  if (x < 0.22) return `${pick(DOMAINS)} - \0${pick(ITEM_WORDS)} 5`;
  if (x < 0.23) return `${pick(DOMAINS)}\v-\v${pick(ITEM_WORDS)}\v5`;
  const comment = r() < 0.1 ? ` # ${pick(ITEM_WORDS)}` : '';
  return `${pick(DOMAINS)}${sep()}${pick(TYPES)}${sep()}${pick(ITEM_WORDS)}${sep()}${pick(VALUES)}${comment}`;
}

function randomTree(r: () => number, profile: Profile): ConfigTree {
  const file = () => {
    const n = 3 + Math.floor(r() * 30);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(randomLine(r));
    return `${out.join(r() < 0.1 ? '\r\n' : '\n')}${r() < 0.8 ? '\n' : ''}`;
  };
  const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-x.conf', 'etc/security/limits.d/60-y.conf'].slice(0, 1 + Math.floor(r() * 3));
  return {
    profile,
    files: paths.map((p) => ({ path: p, role: p.endsWith('limits.conf') ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseLimits(Buffer.from(file(), 'latin1'), { file: p, profile }) })),
    ignored: [],
    failure: null,
  };
}

const DB: AccountDb = {
  users: parsePasswd('root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\nbob:x:1500:3000::/h:/bin/sh\n'),
  groups: parseGroup('root:x:0:\nwheel:x:10:alice\nops:x:3000:\n'),
};

function identities(): Identity[] {
  return [
    identityFor(DB, 'root', 0, 0), identityFor(DB, 'alice', 1000, 1000), identityFor(DB, 'bob', 1500, 3000),
    { name: '\u0000limitsctl-probe', uid: 4294967000, gid: 4294967000, groups: [] },
    { name: '\u0000limitsctl-probe', uid: 4294967000, gid: 4294967000, groups: [{ name: 'ops', gid: 3000 }] },
    { name: 'ALICE', uid: 1999, gid: 4294967000, groups: [] },
  ];
}

/** What the plan's checks read of a resolution for `item`, with the slots of `items` (all rlimits when null). */
function readOf(res: Resolution, item: string, items: readonly string[] | null): unknown {
  const rl = (Object.keys(res.rlimits) as RlimitItem[]).filter((k) => items === null || items.includes(k));
  return {
    applied: res.applied, result: res.result, noLimit: res.noLimit, failure: res.failure,
    logins: { value: res.logins.value, check: res.logins.check, source: res.logins.source, system: res.logins.system, rank: res.logins.rank },
    rlimits: Object.fromEntries(rl.map((k) => [k, res.rlimits[k]])),
    ...(item === 'priority' ? { priority: res.priority } : {}),
    ...(item === 'nonewprivs' ? { nonewprivs: res.nonewprivs } : {}),
    ...(item === 'chroot' ? { chroot: res.chroot } : {}),
  };
}

describe('reachTree: a cut tree resolves as the whole tree in what a plan reads', () => {
  it(`random trees, every distinct profile (${seedNote(SEED)})`, () => {
    const r = rng(SEED);
    let compared = 0;
    let cutLines = 0;
    let allLines = 0;
    for (let t = 0; t < 400; t++) {
      const profile = DISTINCT_PROFILES[t % DISTINCT_PROFILES.length]!;
      const tree = randomTree(r, profile);
      const work = new WorkTree(tree, profile);
      const cap = r() < 0.2 ? false : r() < 0.5 ? true : undefined;
      const pid1Limits: ProcLimits | undefined = r() < 0.5 ? { nofile: { soft: 1024n, hard: 4096n }, nproc: { soft: 50n, hard: 50n }, core: { soft: 0n, hard: 0n } } : undefined;
      const opts = {
        profile, events: 'matched' as const,
        ...(cap !== undefined ? { capSysResource: cap } : {}), ...(pid1Limits ? { pid1Limits } : {}),
        ...(r() < 0.3 ? { nrOpen: 1048576n } : {}),
      };
      const items = ITEMS.filter((i) => itemForProfile(i.name, profile));
      for (const id of identities()) {
        const info = items[Math.floor(r() * items.length)]!;
        const keep = outcomeItems(info, cap);
        const whole = resolveLimits(tree, id, opts);
        const note = `${seedNote(SEED)}, tree ${t}, ${profile}, ${JSON.stringify(id.name)}, ${info.name}, capSysResource ${cap}\n${tree.files.map((f) => JSON.stringify(f.doc!.text)).join('\n')}`;
        for (const cut of [reachTree(work, id, profile), reachTree(work, id, profile, keep), reachAfter(tree, id, profile, keep)]) {
          const got = resolveLimits(cut, id, opts);
          expect(readOf(got, info.name, keep), note).toEqual(readOf(whole, info.name, keep));
          compared++;
        }
        const cut = reachTree(work, id, profile, keep);
        cutLines += cut.files.reduce((n, f) => n + f.doc!.lines.length, 0);
        allLines += tree.files.reduce((n, f) => n + f.doc!.lines.length, 0);
      }
    }
    // the cut must leave lines out, or this test shows nothing
    expect(cutLines).toBeLessThan(allLines / 2);
    expect(compared).toBe(400 * identities().length * 3);
  });
});

/** readOf without the lines each slot beat, which a cut without overridden lines does not keep. */
function readOfLatest(res: Resolution, item: string, items: readonly string[] | null): unknown {
  const x = readOf(res, item, items) as { rlimits: Record<string, Resolution['rlimits'][RlimitItem]> };
  const slot = (s: Resolution['rlimits'][RlimitItem]['soft']) => ({ value: s.value, rank: s.rank, origin: s.origin, source: s.source });
  return { ...x, rlimits: Object.fromEntries(Object.entries(x.rlimits).map(([k, v]) => [k, { ...v, soft: slot(v.soft), hard: slot(v.hard) }])) };
}

describe('reachTree(…, latest): without the lines a later one overrides, the plan reads the same', () => {
  // few domains, items and types, so that lines repeat each other's domain, type and item, between
  // lines of other domains (which may outrank them: a `-` line's hard half then stays unset),
  // `<domain> -` lines, over-long lines, odd blanks, invalid values and `%` domains
  const SMALL_DOMAINS = ['*', 'alice', '@wheel', '1000:', '%', '@ops'];
  const SMALL_ITEMS = ['nofile', 'maxlogins', 'maxsyslogins', 'priority', 'NOFILE', 'nproc'];
  const SMALL_TYPES = ['soft', 'hard', '-', '-', 'x'];
  const SMALL_VALUES = ['10', '20', '0', '1', '-1', 'unlimited', 'bad', '2000000'];
  function repeatingLine(r: () => number): string {
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    const x = r();
    if (x < 0.02) return `${pick(SMALL_DOMAINS)} -`;
    if (x < 0.03) return `${pick(SMALL_DOMAINS)} - ${pick(SMALL_ITEMS)} 5${' '.repeat(1030)}${pick(SMALL_DOMAINS)} -`;
    if (x < 0.04) return `${pick(SMALL_DOMAINS)}${pick([' \v', '\r ', ' \f'])}${pick(SMALL_TYPES)} ${pick(SMALL_ITEMS)} ${pick(SMALL_VALUES)}`;
    if (x < 0.05) return `${pick(SMALL_DOMAINS)} ${pick(SMALL_TYPES)}`;
    if (x < 0.06) return `# ${pick(SMALL_ITEMS)}`;
    const d = r() < 0.85 ? '*' : pick(SMALL_DOMAINS);
    const type = r() < 0.95 ? pick(['soft', 'hard', '-']) : pick(SMALL_TYPES);
    const value = r() < 0.9 ? pick(['10', '20', '0', '1', 'unlimited']) : pick(SMALL_VALUES);
    return `${r() < 0.1 ? ' ' : ''}${d}${r() < 0.2 ? '\t' : ' '}${type} ${pick(SMALL_ITEMS)} ${value}${r() < 0.1 ? ' # x' : ''}`;
  }
  it(`random trees of repeating lines, every distinct profile (${seedNote(SEED)})`, () => {
    const r = rng(SEED ^ 0x1a7e57);
    let compared = 0;
    let kept = 0;
    let cut = 0;
    for (let t = 0; t < 400; t++) {
      const profile = DISTINCT_PROFILES[t % DISTINCT_PROFILES.length]!;
      const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-x.conf'].slice(0, 1 + Math.floor(r() * 2));
      const tree: ConfigTree = {
        profile, ignored: [], failure: null,
        files: paths.map((p) => {
          const n = 5 + Math.floor(r() * 150);
          const text = `${Array.from({ length: n }, () => repeatingLine(r)).join('\n')}\n`;
          return { path: p, role: p.endsWith('limits.conf') ? 'main' as const : 'dropin' as const, status: 'ok' as const, doc: parseLimits(Buffer.from(text, 'latin1'), { file: p, profile }) };
        }),
      };
      const work = new WorkTree(tree, profile);
      const cap = r() < 0.2 ? false : r() < 0.5 ? true : undefined;
      const opts = { profile, events: 'matched' as const, ...(cap !== undefined ? { capSysResource: cap } : {}), ...(r() < 0.3 ? { nrOpen: 1048576n } : {}) };
      const items = ITEMS.filter((i) => itemForProfile(i.name, profile));
      for (const id of identities()) {
        for (const info of [items.find((i) => i.name === 'nofile')!, items[Math.floor(r() * items.length)]!]) {
          const keep = outcomeItems(info, cap);
          const whole = resolveLimits(tree, id, opts);
          const note = `${seedNote(SEED)}, tree ${t}, ${profile}, ${JSON.stringify(id.name)}, ${info.name}\n${tree.files.map((f) => JSON.stringify(f.doc!.text)).join('\n')}`;
          for (const k of [keep, null]) {
            const all = reachTree(work, id, profile, k);
            const latest = reachTree(work, id, profile, k, true);
            expect(readOfLatest(resolveLimits(latest, id, opts), info.name, k), note).toEqual(readOfLatest(whole, info.name, k));
            compared++;
            kept += latest.files.reduce((n, f) => n + f.doc!.lines.length, 0);
            cut += all.files.reduce((n, f) => n + f.doc!.lines.length, 0);
          }
        }
      }
    }
    // lines must have been left out, or this test shows nothing
    expect(kept).toBeLessThan(cut * 0.8);
    expect(compared).toBe(400 * identities().length * 4);
  });
});

describe('familyOf: the lines read by bytes are the family the whole document has', () => {
  it(`random trees, every distinct profile (${seedNote(SEED)})`, () => {
    const r = rng(SEED ^ 0x5eed);
    let found = 0;
    for (let t = 0; t < 300; t++) {
      const profile = DISTINCT_PROFILES[t % DISTINCT_PROFILES.length]!;
      const tree = randomTree(r, profile);
      const work = new WorkTree(tree, profile);
      for (const domain of DOMAINS) {
        for (const info of ITEMS.filter((i) => itemForProfile(i.name, profile))) {
          for (const chunks of [false, true]) {
            const want: string[] = [];
            for (const f of tree.files) {
              for (const line of f.doc!.lines) {
                const chunk = line.readings.length !== 1;
                if (chunk && !chunks) continue;
                for (const rd of line.readings) {
                  if (rd.kind !== 'entry' || rd.problem || rd.domain.raw !== domain || rd.itemText !== info.name) continue;
                  if (!rd.limitType && rd.itemInfo?.typeChecked !== false) continue;
                  want.push(`${f.path}:${line.index}:${rd.span.start}`);
                }
              }
            }
            const got = familyOf(work, domain, info.name, chunks).map((x) => `${x.file.path}:${x.line.index}:${x.reading.span.start}`);
            expect(got, `${seedNote(SEED)}, tree ${t}, ${profile}, ${domain} ${info.name}`).toEqual(want);
            found += want.length;
          }
        }
      }
    }
    expect(found).toBeGreaterThan(100);
  });
});

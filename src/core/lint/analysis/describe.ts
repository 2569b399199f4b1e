/**
 * How findings name the accounts they are about.
 *
 * Pure.
 */
import type { GroupRef } from '../../accounts.js';
import type { DomainSpec } from '../../domain.js';
import { matchEntryDomain } from '../../resolve.js';
import { PROFILE_TRAITS, type Profile } from '../../schema.js';
import { type AccountCase, FRESH, type ItemAnalysis } from './types.js';

/**
 * Who a finding is about: "every account '*' matches" when `accounts` holds all the analysed
 * accounts the domain matches, else a few of them by name ("alice, bob and 2 more").
 */
export function describeWho(ia: ItemAnalysis, domain: DomainSpec, accounts: readonly AccountCase[], profile: Profile): string {
  const all = matchingAccounts(ia, domain, profile);
  // the analysed accounts are distinct objects: fewer accounts than `all` cannot hold them all
  // (no Set of the accounts then; a finding names a few of thousands)
  if (all.length > 0 && accounts.length >= all.length && allIn(all, accounts)) {
    const real = accounts.filter((c) => c.real);
    return `every account '${domain.text}' matches${real.length > 0 && real.length <= 3 ? ` (${describeAccounts(real)})` : ''}`;
  }
  return describeAccounts(accounts);
}

/** Is every element of `all` one of `accounts`? */
function allIn(all: readonly AccountCase[], accounts: readonly AccountCase[]): boolean {
  const set = new Set(accounts);
  return all.every((c) => set.has(c));
}

const matching = new WeakMap<readonly AccountCase[], Map<string, readonly AccountCase[]>>();

/**
 * The analysed accounts the domain matches, asked once per list of analysed accounts, domain text
 * and profile (one finding each asked them all; the items and trees whose lines test the same
 * facts share one list, accounts.ts sharedAccounts).
 */
function matchingAccounts(ia: ItemAnalysis, domain: DomainSpec, profile: Profile): readonly AccountCase[] {
  let m = matching.get(ia.accounts);
  if (!m) matching.set(ia.accounts, (m = new Map()));
  const k = `${profile}\u0000${domain.text}`;
  let all = m.get(k);
  if (!all) m.set(k, (all = ia.accounts.filter((c) => domainMatches(domain, c, profile))));
  return all;
}

/** Does the 4-field domain match this account (any rank)? */
export function domainMatches(d: DomainSpec, c: AccountCase, profile: Profile): boolean {
  return matchEntryDomain(d, c.identity, profile) !== null;
}

/** describeAccount's text of a hypothetical account, per groups array (shared by the accounts of one subset) and uid. */
const freshText = new WeakMap<readonly GroupRef[], Map<number, string>>();

/** "alice", "an account with uid 1000 in @wheel", … */
export function describeAccount(c: AccountCase): string {
  const id = c.identity;
  if (c.real || id.name !== FRESH) return id.name === 'root' && !c.real ? 'root' : id.name;
  // made once per groups array and uid: a finding's account list names every account it is
  // about (thousands), and only the first three are shown
  let byUid = freshText.get(id.groups);
  if (!byUid) freshText.set(id.groups, (byUid = new Map()));
  let text = byUid.get(id.uid);
  if (text === undefined) {
    const groups = id.groups.length ? ` in ${id.groups.map((g) => (g.name.startsWith('limitsctl-gid-') ? `gid ${g.gid}` : `@${g.name}`)).join(', ')}` : '';
    byUid.set(id.uid, (text = `an account with uid ${id.uid}${groups}`));
  }
  return text;
}

/** Up to three accounts, real ones first: "alice, bob and 3 more". */
export function describeAccounts(cases: readonly AccountCase[]): string {
  // the distinct texts in the order of a stable sort by (real, then named, then the rest): the
  // three kinds one after another, each in the order given (no sorted copy of every account)
  const texts = new Set<string>();
  for (const c of cases) if (c.real) texts.add(describeAccount(c));
  for (const c of cases) if (!c.real && c.identity.name !== FRESH) texts.add(describeAccount(c));
  for (const c of cases) if (!c.real && c.identity.name === FRESH) texts.add(describeAccount(c));
  const shown: string[] = [];
  for (const t of texts) { if (shown.length === 3) break; shown.push(t); }
  const rest = texts.size - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown[0] ?? 'no account';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!}`;
}

/** Debian: uid 0 is exempt from `*`, `@…` and `%…` 4-field lines. */
export function rootExempt(profile: Profile): boolean {
  return PROFILE_TRAITS[profile].rootExempt;
}

/**
 * Checking the result: resolve the edited tree for a probe account (anyone the domain matches)
 * and the tree's own accounts, and report each one that will not get the requested value, and
 * why (blockers), or whose session pam_limits denies (warnings).
 *
 * Pure.
 */
import { type AccountDb, type Identity, identityFor } from '../accounts.js';
import { displayBytes } from '../bytes.js';
import { parseDomain } from '../domain.js';
import { binaryToDisplay } from '../model.js';
import { matchEntryDomain, type Resolution, resolveLimits, type Source } from '../resolve.js';
import { CONFIG_DIR, DEFAULT_NR_OPEN, PROFILE_TRAITS, type ItemInfo, itemForProfile, profileInfo, RLIM_INFINITY, type RlimitItem } from '../schema.js';
import { effectiveKey, meaning, orderKey, satisfies, unlimitedNofileAs } from './compare.js';
import { type Ctx, halvesOf } from './context.js';
import { outcomeItems, reachTree } from './reach.js';
import type { Blocker, SetRequest } from './types.js';
import { validateValue } from './validate.js';

const PROBE_UID = 4294967000;

/** An account standing for "anyone the domain matches, with no lines of their own". */
export function probeFor(domain: string, accounts: AccountDb | null | undefined): Identity | null {
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
  const f = s.file.startsWith(`${CONFIG_DIR}/`) ? s.file.slice(CONFIG_DIR.length + 1) : s.file;
  return `${f}:${s.line} (${binaryToDisplay(s.domain)} ${s.type} ${binaryToDisplay(s.value)})`;
}

export function checkOutcome(ctx: Ctx, req: SetRequest, blockers: Blocker[]): void {
  const info = itemForProfile(req.item.toLowerCase(), ctx.profile)!;
  const { parsed } = validateValue(info, req.value);
  if ((info.name === 'maxlogins' || info.name === 'maxsyslogins') && parsed.number === 1n && PROFILE_TRAITS[ctx.profile].maxlogins === 'logind') {
    // Linux-PAM 1.7.0 (f5db2603) with logind: check_logins() returns LIMIT_ERR for 1, which setup_limits() ignores
    const p = profileInfo(ctx.profile);
    blockers.push({
      account: `any account matching ${displayBytes(req.domain)}`, item: info.name, half: 'soft', wanted: '1', got: 'not enforced', source: null, everyone: true,
      because: `${p.title}'s pam_limits counts sessions through systemd-logind and does not enforce a limit of 1: it logs "Maxlogin limit needs to be 2 or higher" and lets every session in; set 2 or more (or 0 to refuse every login)`,
    });
    return;
  }
  const nrOpen = ctx.options.nrOpen === undefined ? DEFAULT_NR_OPEN : ctx.options.nrOpen;
  const halves = halvesOf(req.type, info);
  const accounts = ctx.options.accounts;
  const resolveOpts = {
    profile: ctx.profile, nrOpen, events: 'matched' as const,
    ...(ctx.options.pid1Limits !== undefined ? { pid1Limits: ctx.options.pid1Limits } : {}),
    ...(ctx.options.capSysResource !== undefined ? { capSysResource: ctx.options.capSysResource } : {}),
  };
  const wantedText = displayBytes(req.value);
  const shownDomain = displayBytes(req.domain);
  const items = outcomeItems(info, ctx.options.capSysResource);
  const check = (id: Identity, everyone: boolean) => {
    // the lines of the items read here that this account's resolution can reach (reach.ts): the
    // same values, result and `-` stop as on the whole tree
    const res = resolveLimits(reachTree(ctx.work, id, ctx.profile, items, true), id, resolveOpts);
    if (res.applied && res.result !== 'PAM_SUCCESS') {
      const who = id.name.startsWith('\u0000') ? `accounts matching ${shownDomain}` : displayBytes(id.name);
      const why = res.logins.check === 'deny' && res.logins.source ? `maxlogins 0 at ${at(res.logins.source)}` : 'setrlimit would fail';
      ctx.warnings.push(`${who}: pam_limits denies the session (${res.result}: ${why}), so no limit applies until that is fixed`);
    }
    if (res.applied && info.rlimit !== null && res.rlimits[info.name as RlimitItem].eperm) {
      // nofile hard above fs.nr_open: setrlimit(2) fails with EPERM, so the line never takes
      // effect (pam_limits 1.5.2 Debian keeps the previous limits; upstream denies the session).
      const account = id.name.startsWith('\u0000') ? `any account matching ${shownDomain}` : displayBytes(id.name);
      const traits = PROFILE_TRAITS[ctx.profile];
      const consequence = traits.epermNotFatal ? 'pam_limits keeps the previous limits' : 'pam_limits denies the session (PAM_PERM_DENIED)';
      const infinity = res.rlimits[info.name as RlimitItem].applied?.hard === RLIM_INFINITY && traits.nofileUnlimited === 'infinity';
      const hardAsked = res.rlimits[info.name as RlimitItem].applied?.hard ?? null;
      const overNrOpen = info.name === 'nofile' && hardAsked !== null && nrOpen !== null && hardAsked > nrOpen;
      const because = !infinity && !overNrOpen && ctx.options.capSysResource === false
        ? `the process opening the session lacks CAP_SYS_RESOURCE (a container's default capabilities), so the kernel refuses a hard ${info.name} above the one it starts with (setrlimit fails with EPERM) and ${consequence}; keep the hard limit at most the starting one, or give the container CAP_SYS_RESOURCE`
        : infinity
        ? `on ${profileInfo(ctx.profile).title} pam_limits asks the kernel for RLIM_INFINITY (fs.nr_open replaces unlimited only from Linux-PAM 1.5.2), which setrlimit refuses with EPERM, and ${consequence}; write ${info.name} ${nrOpen ?? DEFAULT_NR_OPEN} instead`
        : nrOpen === null
          ? `the kernel refuses ${info.name} above its fs.nr_open (setrlimit fails with EPERM; fs.nr_open could not be read, the kernel default is ${DEFAULT_NR_OPEN}) and ${consequence}; set at most fs.nr_open`
          : `the kernel refuses ${info.name} above fs.nr_open ${nrOpen}${ctx.options.nrOpenSource ? ` (set at ${ctx.options.nrOpenSource})` : ''} (setrlimit fails with EPERM) and ${consequence}; raise fs.nr_open first, or set at most ${nrOpen}`;
      blockers.push({ account, item: info.name, half: 'hard', wanted: wantedText, got: 'refused by the kernel', because, source: null, everyone, ...(traits.epermNotFatal ? {} : { denies: true }) });
      return;
    }
    if ((info.name === 'maxlogins' || info.name === 'maxsyslogins') && res.applied && (parsed.number ?? 0n) >= 0n
      && (id.uid === 0 || (id.name === 'root' && !accounts?.users.some((u) => u.name === 'root')))) {
      // pam_limits.c setup_limits (Linux-PAM 1.5.2 and 1.7.2; Debian's patches keep it): the
      // login count is skipped when the uid is 0, so no line limits root's logins — not even one
      // for the user root. (An account named root outside etc/passwd is taken as uid 0.)
      blockers.push({
        account: id.name.startsWith('\u0000') ? `any account matching ${shownDomain}` : displayBytes(id.name), item: info.name, half: 'soft',
        wanted: wantedText, got: 'unlimited', source: null, everyone,
        because: 'pam_limits never checks maxlogins or maxsyslogins for uid 0 (setup_limits skips the login count when the uid is 0), so no line can limit the logins of root',
      });
      return;
    }
    for (const half of halves) {
      const got = displayValue(info, res, half);
      const mapNrOpen = unlimitedNofileAs(ctx.profile, nrOpen);
      let want = meaning(info, parsed, mapNrOpen);
      if (info.name === 'maxlogins' || info.name === 'maxsyslogins') want = `n:${parsed.number}`;
      if (got.meaning === want) continue;
      if (req.mode === 'at-least' || req.mode === 'at-most') {
        // only raise / only lower: any value on the right side of the request is what was asked
        const have = effectiveKey(info, res, half);
        if (have !== null && satisfies(req.mode, have, orderKey(info, parsed, mapNrOpen))) continue;
      }
      let because: string;
      const rootRule = PROFILE_TRAITS[ctx.profile].rootExempt && id.uid === 0 && (req.domain === '*' || /^[@%][^:]*$/.test(req.domain));
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
      const rootExempt = PROFILE_TRAITS[ctx.profile].rootExempt && id.uid === 0;
      const m = matchEntryDomain(spec, id, ctx.profile);
      if (!m && !(rootExempt && (spec.kind === 'wildcard' || spec.kind === 'group' || spec.kind === 'gid'))) continue;
      if (!m && rootExempt && spec.kind === 'group' && !id.groups.some((g) => g.name === spec.group)) continue;
      check(id, false);
    }
  }
}

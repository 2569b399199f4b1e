/** The shared check behind policy-minimum and policy-maximum. Pure. */
import { type AccountCase, describeWho, domainMatches, itemKeyOf, sourceKey } from './analysis.js';
import { show } from './helpers.js';
import type { Source } from '../resolve.js';
import { RLIM_INFINITY, type ItemInfo } from '../schema.js';
import { kernelToConf } from '../values.js';
import type { PolicyEntry } from './policy.js';
import type { RuleContext } from './types.js';

const INF = RLIM_INFINITY;

/** A comparable number: kernel units for rlimits (unlimited = INF), the plain number otherwise. */
function policyValue(e: PolicyEntry, nrOpen: bigint): bigint {
  const v = e.value!;
  if (e.item.rlimit !== null) {
    const k = v.kernel!;
    return e.item.name === 'nofile' && k === INF ? nrOpen : k;
  }
  return v.number === -1n && e.item.grammar === 'int-or-unlimited' ? INF : v.number!;
}

function effective(info: ItemInfo, v: bigint | null): bigint | null {
  if (v === null) return null;
  if (info.rlimit === null && info.grammar === 'int-or-unlimited') return v < 0n ? (v === -2n ? null : INF) : v;
  return v;
}

function show2(info: ItemInfo, v: bigint): string {
  if (v === INF) return 'unlimited';
  return info.rlimit === null ? String(v) : String(kernelToConf(info, v));
}

export function checkPolicyRange(ctx: RuleContext, kind: 'min' | 'max'): void {
  if (ctx.tree.failure) return;
  const first = ctx.tree.files[0];
  for (const e of ctx.policy.entries) {
    if (e.kind !== kind || !e.value) continue;
    const limit = policyValue(e, ctx.nrOpen);
    const ia = ctx.analysis.item(itemKeyOf(e.item));
    const halves: Array<'soft' | 'hard'> = e.type === '-' ? ['soft', 'hard'] : [e.type];
    const bad = new Map<string, { source: Source; value: bigint; half: string; accounts: AccountCase[] }>();
    const unset = new Map<string, AccountCase[]>();
    const witnesses = new Set(ctx.analysis.witnesses(ia.accounts));
    for (const o of ia.outcomes) {
      if (!witnesses.has(o.account) || !o.applied || !domainMatches(e.domain, o.account, ctx.profile)) continue;
      for (const half of halves) {
        const hv = o[half];
        const v = effective(e.item, hv.value);
        const label = e.item.rlimit === null ? e.item.name : `${half} ${e.item.name}`;
        if (!hv.source || v === null) {
          const list = unset.get(label);
          if (list) list.push(o.account); else unset.set(label, [o.account]);
          continue;
        }
        if (kind === 'min' ? v >= limit : v <= limit) continue;
        const k = `${sourceKey(hv.source)}\u0001${label}`;
        const x = bad.get(k);
        if (x) x.accounts.push(o.account); else bad.set(k, { source: hv.source, value: v, half: label, accounts: [o.account] });
      }
    }
    const word = kind === 'min' ? 'below the minimum' : 'above the maximum';
    for (const b of bad.values()) {
      const ref = ctx.analysis.refOf(b.source);
      if (!ref) continue;
      ctx.report({
        file: ref.file,
        span: ref.reading.value,
        message: `${b.half} for ${describeWho(ia, e.domain, b.accounts, ctx.profile)} is ${show2(e.item, b.value)}, set by this line ('${show(ref.reading.domain.raw)}'): ${word} ${show2(e.item, limit)} that the policy '${kind}[] = ${e.text}' (${e.origin}) sets for '${e.domain.text}'`,
      });
    }
    if (first) {
      for (const [label, accounts] of unset) {
        ctx.report({
          file: first,
          message: `no line sets ${label} for ${describeWho(ia, e.domain, accounts, ctx.profile)}: the policy '${kind}[] = ${e.text}' (${e.origin}) wants it ${kind === 'min' ? 'at least' : 'at most'} ${show2(e.item, limit)} for '${e.domain.text}'; add a line that sets it`,
        });
      }
    }
  }
}

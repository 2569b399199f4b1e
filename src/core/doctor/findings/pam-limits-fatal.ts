import type { Resolution } from '../../resolve.js';
import { type Profile, profileInfo } from '../../schema.js';
import { LOGIN_PATHS, onServiceErr } from '../pam.js';
import type { Finding, Fix } from '../report.js';
import type { FindingDefinition } from '../types.js';

type Failure = NonNullable<Resolution['failure']>;

/** How to repair the file pam_limits cannot read, from the reason tree loading gave. */
function repair(failure: Failure, conf: boolean): Fix {
  const file = `/${failure.file.replace(/^\/+/, '')}`;
  if (/missing|dangling/.test(failure.reason)) {
    return conf
      ? { description: `Create ${file} (an empty file is enough), or point conf= at a file that exists`, command: `install -m 644 /dev/null ${file}` }
      : { description: `Create ${file} again (an empty file is enough; pam_limits then reads limits.d as before)`, command: `install -m 644 /dev/null ${file}` };
  }
  if (/not a regular file/.test(failure.reason)) return { description: `Replace ${file} with a regular file (pam_limits blocks or fails on a FIFO, device or socket)` };
  return { description: `Make ${file} readable by root again (pam_limits runs as root)`, command: `ls -l ${file}; chmod 644 ${file}` };
}

/**
 * A limits file pam_limits must read is missing or unreadable: pam_limits returns
 * PAM_SERVICE_ERR and applies nothing, and every session through a login path whose control
 * fails on that (`required`, `requisite`, a bracket with bad/die/ok/done: pam.ts onServiceErr)
 * is refused — for every account. Which files: limits.conf when the release treats a missing one
 * as fatal (Linux-PAM before 1.5.3: PROFILE_TRAITS missingFileFatal), a file named with `conf=`
 * (fatal in every version), any limits file that cannot be opened, a drop-in that vanished
 * (src/io/tree.ts loadTree decides, Resolution.failure says why). With `optional`/`sufficient`
 * the session continues without pam_limits' limits: a notice. With no pam.d in the root the
 * controls are unknown and the usual `required` is assumed.
 */
export const pamLimitsFatal: FindingDefinition = {
  id: 'pam-limits-fatal',
  severities: ['critical', 'notice'],
  when: 'a limits file pam_limits must read is missing or unreadable: sessions fail (PAM_SERVICE_ERR) where its control is `required`/`requisite`, continue where `optional`',
  check(ctx) {
    const { facts } = ctx;
    const failing: Array<{ service: string; where: string; control: string; outcome: 'fails' | 'continues'; failure: Failure; conf: string | null; profile: Profile }> = [];
    const failureFor = (conf: string | null): { failure: Failure; profile: Profile } | null => {
      const res = conf === null ? facts.resolution : facts.confResolutions.find((c) => c.conf === conf)?.resolution ?? null;
      return res?.failure ? { failure: res.failure, profile: res.profile } : null;
    };
    const loginPaths = facts.pam.services.filter((s) => LOGIN_PATHS.includes(s.service));
    for (const s of loginPaths) {
      for (const h of s.hits) {
        const f = failureFor(h.conf);
        if (!f) continue;
        failing.push({
          service: s.service, where: `${h.file}:${h.line} ${h.dash ? '-' : ''}session ${h.control} pam_limits.so${h.args.length ? ` ${h.args.join(' ')}` : ''}`,
          control: h.control, outcome: onServiceErr(h.control), failure: f.failure, conf: h.conf, profile: f.profile,
        });
      }
    }
    // no PAM stacks in the root (a configuration repository): the controls are unknown
    const assumed = loginPaths.length === 0 && facts.pam.services.length === 0 ? failureFor(null) : null;
    if (failing.length === 0 && !assumed) return [];

    const consequence = (failure: Failure, conf: string | null, profile: Profile) => {
      const title = profileInfo(profile).title;
      return conf !== null ? `${failure.reason} — in every Linux-PAM version, ${title} included` : failure.reason.includes(title) ? failure.reason : `${failure.reason} (${title})`;
    };
    const out: Finding[] = [];
    const fails = failing.filter((x) => x.outcome === 'fails');
    const continues = failing.filter((x) => x.outcome === 'continues');
    const files = (xs: typeof failing) => [...new Set(xs.map((x) => x.failure.file))].join(', ');
    const fixesOf = (xs: ReadonlyArray<{ failure: Failure; conf: string | null }>): Fix[] => {
      const seen = new Set<string>();
      const fixes: Fix[] = [];
      for (const x of xs) {
        if (seen.has(x.failure.file)) continue;
        seen.add(x.failure.file);
        fixes.push(repair(x.failure, x.conf !== null));
      }
      return fixes;
    };
    if (fails.length > 0 || assumed) {
      const paths = [...new Set(fails.map((x) => x.service))];
      const details = fails.map((x) => `${x.service}: ${x.where} → ${consequence(x.failure, x.conf, x.profile)}; '${x.control}' makes the session fail: every session through ${x.service} is refused`);
      if (assumed) details.push(`No PAM stacks under the root: with the usual 'session required pam_limits.so', ${consequence(assumed.failure, null, assumed.profile)}; every such session fails`);
      out.push({
        id: 'pam-limits-fatal', severity: 'critical',
        title: `Every session through ${paths.length ? paths.join(', ') : "a login path with 'session required pam_limits.so'"} fails: pam_limits cannot read ${files(fails) || assumed!.failure.file} and returns PAM_SERVICE_ERR`,
        details, usage: null,
        fixes: fixesOf(fails.length ? fails : [{ failure: assumed!.failure, conf: null }]),
      });
    }
    if (continues.length > 0) {
      out.push({
        id: 'pam-limits-fatal', severity: 'notice',
        title: `pam_limits fails in ${[...new Set(continues.map((x) => x.service))].join(', ')} (cannot read ${files(continues)}); its control lets the session continue without any limit from pam_limits`,
        details: continues.map((x) => `${x.service}: ${x.where} → ${consequence(x.failure, x.conf, x.profile)}; '${x.control}' ignores the error: the session starts with the limits of the process that starts it`),
        usage: null, fixes: fixesOf(continues),
      });
    }
    return out;
  },
};

import { profileInfo, RLIMIT_ITEMS } from '../../schema.js';
import { itemValue } from '../item.js';
import type { FindingDefinition } from '../types.js';

/**
 * Without CAP_SYS_RESOURCE (a container with Docker's default capabilities: /proc/1/status CapEff
 * lacks bit 24) no process may raise its hard limit (setrlimit(2): EPERM). A configured hard
 * limit above the one the session starts from therefore fails: upstream pam_limits returns
 * PAM_PERM_DENIED and the session is refused (sudo: "pam_open_session: Permission denied");
 * Debian's pam_limits (patch: EPERM not fatal) ignores the error and keeps the previous limits.
 * The resolver (resolveLimits' capSysResource) marks those values `eperm`.
 */
export const capSysResource: FindingDefinition = {
  id: 'cap-sys-resource',
  severities: ['critical', 'warning'],
  when: 'no CAP_SYS_RESOURCE (/proc/1/status) and a configured hard limit above the starting one: the session is denied (upstream) or the value ignored (Debian)',
  check(ctx) {
    const { facts } = ctx;
    const res = facts.resolution;
    if (facts.capSysResource !== false || !res || !res.applied) return [];
    const over: string[] = [];
    for (const item of RLIMIT_ITEMS) {
      const r = res.rlimits[item];
      const start = facts.startHard?.[item];
      const h = r.applied?.hard ?? null;
      if (!r.eperm || h === null || start === undefined || h <= start) continue;
      const src = r.hard.source ? ` (${r.hard.source.file}:${r.hard.source.line} ${r.hard.source.domain})` : '';
      over.push(`${item} hard ${itemValue(item, h)}${src} is above the starting hard limit ${itemValue(item, start)}`);
    }
    if (over.length === 0) return [];
    const p = profileInfo(res.profile);
    const denied = !p.traits.epermNotFatal;
    const name = facts.identity.name;
    return [{
      id: 'cap-sys-resource', severity: denied ? 'critical' : 'warning',
      title: denied
        ? `${name}'s sessions are denied: a hard limit above the starting one needs CAP_SYS_RESOURCE, which this system (a container?) lacks — setrlimit fails with EPERM and pam_limits refuses the session`
        : `${name}'s raised hard limits are ignored: without CAP_SYS_RESOURCE setrlimit fails with EPERM and ${p.title}'s pam_limits keeps the previous limits`,
      details: [
        ...over,
        `PID 1 lacks CAP_SYS_RESOURCE (CapEff of /proc/1/status); sessions start under it (sshd, login, sudo) and cannot raise a hard limit (setrlimit(2)).`,
        denied ? `${p.title}: pam_limits returns PAM_PERM_DENIED when setrlimit fails (sudo: "pam_open_session: Permission denied").` : `${p.title}: pam_limits ignores EPERM from setrlimit (Debian patch) and the session keeps the starting limits.`,
      ],
      usage: null,
      fixes: [
        { description: 'Give the container the capability (docker run --cap-add SYS_RESOURCE, or securityContext.capabilities.add: ["SYS_RESOURCE"] in Kubernetes)' },
        { description: 'or start the container with hard limits at least as high (docker run --ulimit ITEM=SOFT:HARD; containerd/Kubernetes: the runtime\'s default rlimits)' },
      ],
    }];
  },
};

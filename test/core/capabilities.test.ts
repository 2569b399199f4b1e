/**
 * Without CAP_SYS_RESOURCE (Docker's default capabilities) setrlimit(2) refuses to raise a hard
 * limit above the process's current one (EPERM). Upstream pam_limits then denies the session
 * (setup_limits: status |= res → PAM_PERM_DENIED, every release); Debian's 032 patch ignores EPERM.
 */
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/accounts.js';
import { hasCapSysResource, parseCapabilities } from '../../src/core/caps.js';
import { planEdits } from '../../src/core/edit/plan.js';
import { resolveLimits } from '../../src/core/resolve.js';
import { treeOf } from './tree-of.js';

const root: Identity = { name: 'root', uid: 0, gid: 0, groups: [{ name: 'root', gid: 0 }] };
const start = { nproc: { soft: 1000n, hard: 2000n }, nofile: { soft: 1024n, hard: 4096n } };

describe('a session without CAP_SYS_RESOURCE', () => {
  it('a raised hard limit is refused: denied upstream (rhel-9), kept on Debian 12', () => {
    const up = resolveLimits(treeOf('rhel-9', 'root - nproc unlimited\n'), root, { processLimits: start, capSysResource: false });
    expect(up.result).toBe('PAM_PERM_DENIED');
    expect(up.rlimits.nproc.eperm).toBe(true);
    expect(up.warnings.join('\n')).toMatch(/lacks CAP_SYS_RESOURCE.*PAM_PERM_DENIED/);
    const deb = resolveLimits(treeOf('debian-12', 'root - nproc unlimited\n'), root, { pid1Limits: start, capSysResource: false });
    expect(deb.result).toBe('PAM_SUCCESS');
    expect(deb.rlimits.nproc.eperm).toBe(true);
  });

  it('lowering or keeping the hard limit is fine, and with the capability (or unknown) raising is too', () => {
    expect(resolveLimits(treeOf('rhel-9', 'root - nproc 2000\n'), root, { processLimits: start, capSysResource: false }).result).toBe('PAM_SUCCESS');
    expect(resolveLimits(treeOf('rhel-9', 'root hard nproc 500\n'), root, { processLimits: start, capSysResource: false }).result).toBe('PAM_SUCCESS');
    expect(resolveLimits(treeOf('rhel-9', 'root - nproc unlimited\n'), root, { processLimits: start, capSysResource: true }).result).toBe('PAM_SUCCESS');
    expect(resolveLimits(treeOf('rhel-9', 'root - nproc unlimited\n'), root, { processLimits: start }).result).toBe('PAM_SUCCESS');
  });

  it('set refuses the raise, naming the capability', () => {
    const plan = planEdits(treeOf('rhel-9', ''), [{ op: 'set', domain: 'root', item: 'nproc', value: 'unlimited' }], { pid1Limits: start, capSysResource: false });
    expect(plan.blockers.map((b) => b.because).join('\n')).toMatch(/lacks CAP_SYS_RESOURCE/);
    expect(planEdits(treeOf('rhel-9', ''), [{ op: 'set', domain: 'root', item: 'nproc', value: '1500' }], { pid1Limits: start, capSysResource: false }).blockers).toEqual([]);
  });
});

describe('/proc/PID/status capabilities (proc(5), capabilities(7))', () => {
  it("Docker's default set lacks CAP_SYS_RESOURCE (bit 24); a full root set has it; no lines: unknown", () => {
    const docker = 'Name:\tbash\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n';
    expect(hasCapSysResource(parseCapabilities(docker))).toBe(false);
    expect(hasCapSysResource(parseCapabilities('CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n'))).toBe(true);
    expect(hasCapSysResource(parseCapabilities('Name:\tx\n'))).toBeNull();
    expect(hasCapSysResource(parseCapabilities('CapEff:\tzz\n'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { type Identity } from '../../src/core/accounts.js';
import type { ConfigTree } from '../../src/core/model.js';
import { treeOf } from './tree-of.js';
import { parseProcLimits, type ProcLimits, resolveLimits } from '../../src/core/resolve.js';
import { type Profile, RLIM_INFINITY } from '../../src/core/schema.js';

const alice: Identity = { name: 'alice', uid: 1000, gid: 1000, groups: [{ name: 'alice', gid: 1000 }, { name: 'wheel', gid: 10 }] };
const carol: Identity = { name: 'carol', uid: 1002, gid: 2000, groups: [{ name: 'devs', gid: 2000 }] };
const root: Identity = { name: 'root', uid: 0, gid: 0, groups: [{ name: 'root', gid: 0 }] };
const pid1: ProcLimits = { nofile: { soft: 1048576n, hard: 1048576n }, nproc: { soft: 63445n, hard: 63445n }, core: { soft: 0n, hard: RLIM_INFINITY } };

const run = (id: Identity, profile: Profile, ...files: string[]) => resolveLimits(treeOf(profile, ...files), id, { pid1Limits: pid1 });
const pair = (r: ReturnType<typeof run>, item: 'nofile' | 'nproc' | 'core' | 'stack' | 'data' | 'nice') => r.rlimits[item].applied;

describe('resolver: ranks and the update rule (docs/pam_limits-semantics.md, Precedence)', () => {
  it('user beats group beats *, whatever the file order; same rank: the last line read wins', () => {
    expect(pair(run(alice, 'debian-12', '* soft nofile 300\n@wheel soft nofile 200\nalice soft nofile 100\n'), 'nofile')?.soft).toBe(100n);
    expect(pair(run(alice, 'debian-12', 'alice soft nofile 100\n', '@wheel soft nofile 200\n* soft nofile 300\n'), 'nofile')?.soft).toBe(100n);
    expect(pair(run(alice, 'debian-12', '* soft nproc 4096\n', '* soft nproc 1024\n'), 'nproc')?.soft).toBe(1024n);
    // uid ranges have user rank: the later of user/uid-range lines wins
    expect(pair(run(alice, 'debian-12', 'alice soft nofile 10\n1000: soft nofile 20\n'), 'nofile')?.soft).toBe(20n);
  });

  it('the "-" short-circuit: an outranked soft half means the hard half is never considered', () => {
    const r = run(alice, 'linux-pam-1.5.2', 'alice soft nofile 100\n* - nofile 300\n');
    expect(r.rlimits.nofile.soft.value).toBe(100n);
    expect(r.rlimits.nofile.hard.origin).not.toBe('line');
    const r2 = run(alice, 'linux-pam-1.5.2', 'alice hard nofile 100\n* - nofile 50\n');
    expect(pair(r2, 'nofile')).toEqual({ soft: 50n, hard: 100n });
  });

  it('soft above hard is lowered to hard at setup time; nofile unlimited becomes nr_open', () => {
    const r = run(alice, 'debian-12', 'alice soft nproc 500\nalice hard nproc 100\n');
    expect(pair(r, 'nproc')).toEqual({ soft: 100n, hard: 100n });
    expect(r.rlimits.nproc.clamped).toBe(true);
    expect(pair(run(alice, 'debian-12', 'alice - nofile unlimited\n'), 'nofile')).toEqual({ soft: 1048576n, hard: 1048576n });
  });

  it('@min:max matches the primary gid only; @:gid and @name use membership', () => {
    expect(pair(run(alice, 'debian-12', '@2000: soft core 5\n'), 'core')?.soft).toBe(0n);
    expect(pair(run(carol, 'debian-12', '@2000: soft core 5\n'), 'core')?.soft).toBe(5n * 1024n);
    expect(pair(run(alice, 'debian-12', '@:10 soft core 7\n'), 'core')?.soft).toBe(7n * 1024n);
    expect(pair(run(alice, 'debian-12', '1000 soft core 7\n'), 'core')?.soft).toBe(0n); // a bare number is a user name
  });

  it('% domains only for maxlogins; maxlogins 0 denies the login, not for root', () => {
    expect(pair(run(alice, 'debian-12', '%wheel soft nofile 10\n'), 'nofile')?.soft).toBe(1024n);
    expect(run(alice, 'debian-12', '%wheel - maxlogins 0\n').result).toBe('PAM_PERM_DENIED');
    expect(run(root, 'linux-pam-1.5.2', '* - maxlogins 0\n').result).toBe('PAM_SUCCESS');
    expect(run(alice, 'debian-12', 'alice - maxlogins 0\n* - maxlogins 5\n').result).toBe('PAM_PERM_DENIED');
  });
});

describe("Debian's root rule (docs/pam_limits-semantics.md, Profiles: root)", () => {
  it('root ignores *, @group and % lines but not its own name or uid ranges', () => {
    const r = run(root, 'debian-12', '* hard nofile 100\n@root soft nproc 27\n@:0 soft stack 21\n%0: soft data 23\n');
    expect(pair(r, 'nofile')?.hard).toBe(1048576n);
    expect(pair(r, 'nproc')?.soft).toBe(63445n);
    expect(r.rlimits.stack.soft.value).toBe(21n * 1024n);
    expect(r.rlimits.data.soft.value).toBe(23n * 1024n);
    expect(pair(run(root, 'linux-pam-1.5.2', '* hard nofile 100\n'), 'nofile')?.hard).toBe(100n);
  });
  it('root soft nofile 30 then @0: soft nofile 31 → 31 on Debian (same rank), 30 upstream', () => {
    expect(run(root, 'debian-12', 'root soft nofile 30\n@0: soft nofile 31\n').rlimits.nofile.soft.value).toBe(31n);
    expect(run(root, 'linux-pam-1.5.2', 'root soft nofile 30\n@0: soft nofile 31\n').rlimits.nofile.soft.value).toBe(30n);
  });
});

describe('no-limit lines and failures (docs/pam_limits-semantics.md, Precedence; Profiles: missing limits.conf)', () => {
  it('a matching "<domain> -" applies nothing at all, even lines read before it', () => {
    const r = run(alice, 'debian-12', 'alice - maxlogins 0\nalice soft nofile 5\n', '@wheel -\n');
    expect(r.applied).toBe(false);
    expect(r.result).toBe('PAM_SUCCESS');
    expect(r.calls.setrlimit).toEqual([]);
  });
  it('"* -" and "%grp -" never match; uid forms compare with the uid', () => {
    expect(run(alice, 'debian-12', '* -\n%wheel -\n').applied).toBe(true);
    expect(run(alice, 'debian-12', '%:1000 -\n').applied).toBe(false);
  });
  it('a fatal file (1.5.2 dangling drop-in) fails the session unless a no-limit line stops reading first', () => {
    const t = treeOf('debian-12', 'alice soft nofile 5\n');
    const broken: ConfigTree = { ...t, files: [...t.files, { path: 'etc/security/limits.d/x.conf', role: 'dropin', status: 'dangling-symlink', doc: null, fatal: 'dangling' }] };
    expect(resolveLimits(broken, alice).result).toBe('PAM_SERVICE_ERR');
    expect(resolveLimits(broken, alice).applied).toBe(false);
    const stopped = treeOf('debian-12', 'alice -\n');
    expect(resolveLimits({ ...stopped, files: [...stopped.files, broken.files[1]!] }, alice).result).toBe('PAM_SUCCESS');
  });
});

describe('Debian baseline (docs/pam_limits-semantics.md, Profiles: start values; Debian pam_limits.c 1.5.2 init_limits)', () => {
  it('starts from PID 1 with nofile soft capped at 1024; fallbacks at default rank when PID 1 has no row', () => {
    const r = resolveLimits(treeOf('debian-12', ''), alice, { pid1Limits: pid1 });
    expect(pair(r, 'nofile')).toEqual({ soft: 1024n, hard: 1048576n });
    expect(pair(r, 'stack')).toEqual({ soft: 8388608n, hard: RLIM_INFINITY });
    const r2 = resolveLimits(treeOf('debian-12', '* hard nofile 4000\n* soft nofile 3000\n'), alice, { pid1Limits: {} });
    expect(pair(r2, 'nofile')).toEqual({ soft: 3000n, hard: 4000n });
  });
  it('upstream leaves untouched resources alone (no setrlimit call)', () => {
    const r = resolveLimits(treeOf('linux-pam-1.5.2', 'alice soft nofile 5\n'), alice, {});
    expect(r.calls.setrlimit.map((c) => c.item)).toEqual(['nofile']);
  });
});

describe('parseProcLimits reads /proc/1/limits as pam_limits does (right to left, header width)', () => {
  const header = 'Limit                     Soft Limit           Hard Limit           Units     \n';
  it('reads the kernel format, including rows without units', () => {
    const text = `${header}Max open files            1024                 524288               files     \nMax nice priority         0                    0                    \n`;
    expect(parseProcLimits(text)).toEqual({ nofile: { soft: 1024n, hard: 524288n }, nice: { soft: 0n, hard: 0n } });
  });
  it('misses a unitless row padded to the header width, like the real module (it logs "Did not find kernel RLIMIT")', () => {
    const text = `${header}Max nice priority         0                    0                              \nMax processes             unlimited            unlimited            processes \n`;
    expect(parseProcLimits(text)).toEqual({ nproc: { soft: RLIM_INFINITY, hard: RLIM_INFINITY } });
  });
});

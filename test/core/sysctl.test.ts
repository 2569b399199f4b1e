/**
 * fs.nr_open from sysctl configuration (core/sysctl.ts): sysctl.d(5) (systemd 252) key syntax and
 * directory precedence, sysctl(8)/sysctl.conf(5) (procps-ng 4.0.2) for etc/sysctl.conf read last.
 */
import { describe, expect, it } from 'vitest';
import { nrOpenFromSysctl, parseSysctlConf, sysctlKeyPath, sysctlReadOrder } from '../../src/core/sysctl.js';

describe('sysctl keys and lines', () => {
  it('dots and slashes: the first separator decides (sysctl.d(5))', () => {
    expect(sysctlKeyPath('fs.nr_open')).toBe('fs/nr_open');
    expect(sysctlKeyPath('fs/nr_open')).toBe('fs/nr_open');
    expect(sysctlKeyPath('net.ipv4.conf.enp3s0/200.forwarding')).toBe('net/ipv4/conf/enp3s0.200/forwarding');
    expect(sysctlKeyPath('net/ipv4/conf/enp3s0.200/forwarding')).toBe('net/ipv4/conf/enp3s0.200/forwarding');
  });

  it('comments, blank lines, a leading -, whitespace around =, lines without =', () => {
    const text = '# c\n; c\n\n  fs.nr_open   =   2000000  \n-fs/nr_open=3000000\r\n-fs.file-max\nnot an assignment\n = 5\n';
    expect(parseSysctlConf(text, 'etc/sysctl.conf')).toEqual([
      { key: 'fs/nr_open', value: '2000000', file: 'etc/sysctl.conf', line: 4, ignoreErrors: false },
      { key: 'fs/nr_open', value: '3000000', file: 'etc/sysctl.conf', line: 5, ignoreErrors: true },
    ]);
  });
});

describe('sysctl read order', () => {
  it('an earlier directory masks the same name; sorted by name across directories; sysctl.conf last', () => {
    const order = sysctlReadOrder([
      { dir: 'etc/sysctl.d', names: ['50-a.conf', 'README', '.hidden.conf'] },
      { dir: 'run/sysctl.d', names: ['10-run.conf'] },
      { dir: 'usr/local/lib/sysctl.d', names: [] },
      { dir: 'usr/lib/sysctl.d', names: ['50-a.conf', '99-vendor.conf', '20-b.conf'] },
    ], true);
    expect(order).toEqual(['run/sysctl.d/10-run.conf', 'usr/lib/sysctl.d/20-b.conf', 'etc/sysctl.d/50-a.conf', 'usr/lib/sysctl.d/99-vendor.conf', 'etc/sysctl.conf']);
    expect(sysctlReadOrder([], false)).toEqual([]);
  });

  it('byte order, not locale order', () => {
    expect(sysctlReadOrder([{ dir: 'etc/sysctl.d', names: ['b.conf', 'B.conf', 'a.conf'] }], false))
      .toEqual(['etc/sysctl.d/B.conf', 'etc/sysctl.d/a.conf', 'etc/sysctl.d/b.conf']);
  });
});

describe('nrOpenFromSysctl', () => {
  it('the last assignment the kernel accepts wins, with its file and line', () => {
    expect(nrOpenFromSysctl([
      { file: 'usr/lib/sysctl.d/10-v.conf', text: 'fs.nr_open = 2000000\n' },
      { file: 'etc/sysctl.d/99-tune.conf', text: '# tune\nfs.nr_open=1000000\n' },
    ])).toEqual({ value: 1000000n, file: 'etc/sysctl.d/99-tune.conf', line: 2 });
  });

  it('values the kernel refuses leave the earlier one (not a number, below 64, above 2147483584)', () => {
    const earlier = { file: 'etc/sysctl.d/10.conf', text: 'fs/nr_open = 500000\n' };
    for (const bad of ['lots', '10', '2147483585', '1000000 # comment', '-5']) {
      expect(nrOpenFromSysctl([earlier, { file: 'etc/sysctl.conf', text: `fs.nr_open = ${bad}\n` }]), bad)
        .toEqual({ value: 500000n, file: 'etc/sysctl.d/10.conf', line: 1 });
    }
    expect(nrOpenFromSysctl([{ file: 'x', text: 'fs.file-max = 9\nfs.nr_openx = 100000\n' }])).toBeNull();
  });
});

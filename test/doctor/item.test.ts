/**
 * `doctor --item ITEM` (with --user, --pid, --unit) and the container case, on the generated
 * fixtures: the source that wins is named, the fixes do not lower, and the CLI's target options.
 * In-process (io + core) and through main() (the CLI without a build).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/doctor.js';
import { runMain } from '../cli/helpers.js';
import { doctorFacts, doctorItemOn, FIX, scenario } from './helpers.js';

const trees: Record<string, { root: string; cleanup: () => void }> = {};
beforeAll(() => {
  for (const n of ['service-nofile', 'old-session-nofile', 'unit-stopped', 'no-cap']) trees[n] = scenario(n);
});
afterAll(() => { for (const t of Object.values(trees)) t.cleanup(); });

const text = (f: { title: string; details: readonly string[]; fixes: ReadonlyArray<{ description: string; command?: string; file?: { path: string; content: string } }> }) =>
  [f.title, ...f.details, ...f.fixes.map((x) => `${x.description} ${x.command ?? ''} ${x.file ? `${x.file.path} ${x.file.content}` : ''}`)].join('\n');

describe('a systemd service: systemd wins, limits.conf does not apply', () => {
  it('--unit elasticsearch: the built-in DefaultLimitNOFILE, the limits.conf line that has no effect, set --unit', () => {
    const r = doctorItemOn(trees['service-nofile']!.root, { item: 'nofile', unit: 'elasticsearch' });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['item-from-systemd', 'notice']]);
    const f = r.findings[0]!;
    expect(f.title).toBe("nofile 1024:524288 for pid 812 (elasticsearch.service, user elasticsearch): from systemd's DefaultLimitNOFILE (built-in default), not limits.conf — services never read limits.conf");
    expect(r.verdict).toBe(f.title);
    expect(text(f)).toContain('etc/security/limits.d/90-elasticsearch.conf:1 elasticsearch');
    // the unit's hard 524288 is kept: soft only, and the drop-in writes SOFT:HARD
    expect(f.fixes[0]!.command).toBe('limitsctl set nofile 65536 --unit elasticsearch --type soft --dry-run');
    expect(f.fixes[1]!.file).toEqual({ path: '/etc/systemd/system/elasticsearch.service.d/60-nofile.conf', content: '[Service]\nLimitNOFILE=65536:524288\n' });
    expect(r.exitCode).toBe(0);
  });

  it('--pid 812 finds the same; nproc set by the unit file (LimitNPROC=) is named with its file and line', () => {
    expect(doctorItemOn(trees['service-nofile']!.root, { item: 'nofile', pid: 812 }).findings[0]!.title).toContain('not limits.conf');
    const n = doctorItemOn(trees['service-nofile']!.root, { item: 'nproc', unit: 'elasticsearch.service' });
    expect(n.findings.map((f) => [f.id, f.severity])).toEqual([['item-from-systemd', 'info']]);
    expect(n.findings[0]!.title).toContain('from LimitNPROC= (usr/lib/systemd/system/elasticsearch.service:9)');
    expect(n.findings[0]!.fixes).toEqual([]);
  });

  it('with fs.nr_open 262144 the built-in DefaultLimitNOFILE hard is 262144 (min with nr_open), and the running 524288 is said to differ', () => {
    const root = trees['service-nofile']!.root;
    const nr = path.join(root, 'proc/sys/fs/nr_open');
    const before = readFileSync(nr, 'utf8');
    writeFileSync(nr, '262144\n');
    try {
      const f = doctorItemOn(root, { item: 'nofile', unit: 'elasticsearch' }).findings[0]!;
      expect(f.details[0]).toMatch(/^systemd gives elasticsearch\.service 1024:262144: /);
      expect(text(f)).toMatch(/not the unit's 1024:262144/);
      expect(f.fixes[1]!.file!.content).toBe('[Service]\nLimitNOFILE=65536:262144\n');
    } finally {
      writeFileSync(nr, before);
    }
  });

  it('a drop-in that raises LimitNOFILE and a service not restarted since: the running value is not the unit\'s', () => {
    const root = trees['service-nofile']!.root;
    const dir = path.join(root, 'etc/systemd/system/elasticsearch.service.d');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'limits.conf'), '[Service]\nLimitNOFILE=65536\n');
    try {
      const f = doctorItemOn(root, { item: 'nofile', unit: 'elasticsearch' }).findings[0]!;
      expect(f.title).toContain('from LimitNOFILE= (etc/systemd/system/elasticsearch.service.d/limits.conf:2)');
      expect(text(f)).toMatch(/not the unit's 65536:65536: the service started before the configuration changed \(systemctl daemon-reload && systemctl restart elasticsearch\.service\)/);
      // the unit already gives 65536: no set that would only repeat (or lower) it
      expect(f.fixes.some((x) => x.command?.startsWith('limitsctl set'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('a login session', () => {
  it('an old session at 1024 with 1,000 files open: nofile-usage (97 %), then "start a new session or prlimit --pid", never set', () => {
    const r = doctorItemOn(trees['old-session-nofile']!.root, { item: 'nofile', user: 'admin' });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['nofile-usage', 'warning'], ['item-old-session', 'warning']]);
    expect(r.status).toBe('near-limit');
    expect(r.exitCode).toBe(1);
    const u = r.findings[0]!;
    expect(u.usage).toMatchObject({ used: 1000, limit: 1024, unit: 'files' });
    expect(u.title).toBe('pid 1220 (python3, session-7.scope) has 1,000 files open of its soft nofile 1,024 (97 %)');
    const all = r.findings.flatMap((f) => f.fixes);
    expect(all.some((x) => x.command?.startsWith('limitsctl set'))).toBe(false);
    expect(all.map((x) => x.command)).toContain('prlimit --pid 1220 --nofile=65536:');
    expect(r.findings[1]!.title).toMatch(/a new session gets 65536:65536 — start a new session or prlimit --pid$/);
  });

  it('without a configured raise, the usage fix is set --user with --at-least (and --type soft under a higher hard)', () => {
    const root = trees['old-session-nofile']!.root;
    const conf = path.join(root, 'etc/security/limits.d/95-admin-nofile.conf');
    writeFileSync(conf, '# admin hard nofile only\nadmin hard nofile 200000\n');
    try {
      const r = doctorItemOn(root, { item: 'nofile', user: 'admin' });
      const cmds = r.findings.flatMap((f) => f.fixes).map((x) => x.command).filter(Boolean);
      expect(cmds).toContain('limitsctl set nofile 65536 --user admin --type soft --at-least --dry-run');
    } finally {
      writeFileSync(conf, 'admin - nofile 65536\n');
    }
  });
});

describe('--unit with nothing running', () => {
  it('says so, with what the unit would start with and from which drop-in', () => {
    const r = doctorItemOn(trees['unit-stopped']!.root, { item: 'nofile', unit: 'nginx' });
    expect(r.findings.map((f) => f.id)).toEqual(['unit-not-running']);
    expect(r.findings[0]!.title).toBe('No process of nginx.service is running: nothing to compare; it would start with nofile 8192:16384');
    expect(r.findings[0]!.details[0]).toContain('LimitNOFILE= (etc/systemd/system/nginx.service.d/limits.conf:2)');
  });
});

describe('no CAP_SYS_RESOURCE', () => {
  it('Debian 12 ignores the EPERM: a warning naming the line and the starting hard limit', () => {
    const r = diagnose(doctorFacts(trees['no-cap']!.root, 'admin'));
    const f = r.findings.find((x) => x.id === 'cap-sys-resource')!;
    expect(f.severity).toBe('warning');
    expect(f.details[0]).toBe('nproc hard 100000 (etc/security/limits.d/95-admin-nproc.conf:1 admin) is above the starting hard limit 63445');
    expect(f.title).toContain("Debian 12's pam_limits keeps the previous limits");
  });

  it('upstream Linux-PAM denies the session: critical, status sessions-fail', () => {
    const facts = doctorFacts(trees['no-cap']!.root, 'admin');
    const root = trees['no-cap']!.root;
    writeFileSync(path.join(root, 'etc/os-release'), 'NAME="Fedora Linux"\nVERSION_ID=44\nID=fedora\n');
    try {
      const r = diagnose(doctorFacts(root, 'admin'));
      const f = r.findings.find((x) => x.id === 'cap-sys-resource')!;
      expect(f.severity).toBe('critical');
      expect(f.title).toMatch(/sessions are denied/);
      expect(r.status).toBe('sessions-fail');
    } finally {
      writeFileSync(path.join(root, 'etc/os-release'), readFileSync(path.join(FIX, 'healthy/etc/os-release'), 'utf8'));
    }
    expect(facts.capSysResource).toBe(false);
  });

  it('with the capability (the healthy tree\'s PID 1 has no Cap lines: unknown), nothing is reported', () => {
    const facts = doctorFacts(trees['no-cap']!.root, 'admin');
    expect(diagnose({ ...facts, capSysResource: true }).findings.some((f) => f.id === 'cap-sys-resource')).toBe(false);
    expect(diagnose({ ...facts, capSysResource: null }).findings.some((f) => f.id === 'cap-sys-resource')).toBe(false);
  });
});

describe('the CLI options', () => {
  it('doctor --item nofile --unit elasticsearch --json: exit 0, the finding', async () => {
    const r = await runMain(['doctor', '--root', trees['service-nofile']!.root, '--item', 'nofile', '--unit', 'elasticsearch', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.user.name).toBe('elasticsearch');
    expect(j.findings.map((f: { id: string }) => f.id)).toEqual(['item-from-systemd']);
    expect(j.findings[0].fixes[0].command).toBe(`limitsctl set nofile 65536 --unit elasticsearch --type soft --root ${trees['service-nofile']!.root} --dry-run`);
  });

  it('text: the item section replaces the nproc sections; --json adds item with each group\'s source', async () => {
    const root = trees['old-session-nofile']!.root;
    const t = await runMain(['doctor', '--root', root, '--item', 'nofile', '--user', 'admin']);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/^nofile of admin$/m);
    expect(t.stdout).toMatch(/^ {2}session-7\.scope \(admin\) +1024:524288 +4 proc +1,000 open {2}≠ 65536:65536 from pam_limits: etc\/security\/limits\.d\/95-admin-nofile\.conf:1 admin$/m);
    expect(t.stdout).not.toMatch(/^nproc of admin$/m);
    const j = JSON.parse((await runMain(['doctor', '--root', root, '--item', 'nofile', '--user', 'admin', '--json'])).stdout);
    expect(j.item.target).toEqual({ kind: 'user' });
    expect(j.item.groups[0]).toMatchObject({ kind: 'session', unit: 'session-7.scope', user: 'admin', soft: 1024, hard: 524288, source: 'pam', configured: { soft: 65536, hard: 65536 }, maxOpenFiles: 1000 });
    // without --item the envelope has no item key
    expect('item' in JSON.parse((await runMain(['doctor', '--root', root, '--user', 'admin', '--json'])).stdout)).toBe(false);
  });

  it('usage errors: --unit without --item, --user with --pid, a non-rlimit item, a missing pid', async () => {
    const root = trees['service-nofile']!.root;
    for (const [argv, msg] of [
      [['--unit', 'x'], /--pid and --unit go with --item/],
      [['--item', 'nofile', '--user', 'admin', '--pid', '812'], /--user and --pid contradict/],
      [['--item', 'maxlogins'], /resource limits only/],
      [['--item', 'nofile', '--pid', '99999'], /no process 99999/],
    ] as const) {
      const r = await runMain(['doctor', '--root', root, ...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});

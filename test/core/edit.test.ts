import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd, type AccountDb } from '../../src/core/accounts.js';
import { type EditRequest, EditInputError, planEdits, type PlanOptions } from '../../src/core/edit.js';
import type { ConfigTree } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { resolveLimits } from '../../src/core/resolve.js';
import type { Profile } from '../../src/core/schema.js';

type Files = Record<string, string>;
function tree(files: Files, profile: Profile = 'debian-12'): ConfigTree {
  const paths = Object.keys(files).sort((a, b) => (a === 'etc/security/limits.conf' ? -1 : b === 'etc/security/limits.conf' ? 1 : a < b ? -1 : 1));
  return {
    profile, ignored: [], failure: null,
    files: paths.map((p) => ({ path: p, role: p.endsWith('limits.conf') ? 'main' : 'dropin', status: 'ok', doc: parseLimits(Buffer.from(files[p]!, 'latin1'), { profile, file: p }) })),
  };
}
const accounts: AccountDb = {
  users: parsePasswd('root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\nalice:x:1002:1002::/h:/bin/sh\n'),
  groups: parseGroup('root:x:0:\nadmin:x:1000:\nbob:x:1001:\nalice:x:1002:\ndevs:x:2000:alice,bob\n'),
};
const MAIN = 'etc/security/limits.conf';
const plan = (files: Files, reqs: EditRequest[], opts: PlanOptions = {}, profile: Profile = 'debian-12') =>
  planEdits(tree(files, profile), reqs, { accounts, ...opts });
const after = (files: Files, reqs: EditRequest[], opts: PlanOptions = {}) => {
  const p = plan(files, reqs, opts);
  const out: Files = { ...files };
  for (const c of p.changes) out[c.path] = c.after;
  return { plan: p, files: out };
};
const set = (domain: string, item: string, value: string, type: 'soft' | 'hard' | 'both' = 'both', extra: Partial<EditRequest> = {}): EditRequest =>
  ({ op: 'set', domain, item, value, type, ...extra } as EditRequest);

describe('the bugs of Ansible\'s community.general.pam_limits module cannot happen', () => {
  it('A1: a file without a final newline is not corrupted', () => {
    const { files } = after({ [MAIN]: 'bob soft nofile 1024' }, [set('admin', 'nproc', '2048', 'soft')]);
    const lines = files[MAIN]!.split('\n');
    expect(lines[0]).toBe('bob soft nofile 1024');
    expect(lines[1]).toMatch(/^admin\s+soft\s+nproc\s+2048$/);
  });

  it('A2: an edited line keeps its inline comment, alignment and CRLF, and grows no blank lines', () => {
    const src = 'admin   soft    nproc   1024    # raised for build jobs\r\n* hard core 0\r\n';
    const once = after({ [MAIN]: src }, [set('admin', 'nproc', '2048', 'soft')]).files[MAIN]!;
    expect(once).toBe('admin   soft    nproc   2048    # raised for build jobs\r\n* hard core 0\r\n');
    const twice = after({ [MAIN]: once }, [set('admin', 'nproc', '65536', 'soft')]).files[MAIN]!;
    expect(twice).toBe('admin   soft    nproc   65536   # raised for build jobs\r\n* hard core 0\r\n');
  });

  it("A3: a new line never picks up another line's comment", () => {
    const { files } = after({ [MAIN]: 'other soft nofile 100 # note about other user\n' }, [set('admin', 'nproc', '2048', 'soft')]);
    expect(files[MAIN]!.split('\n')[1]).toMatch(/^admin\s+soft\s+nproc\s+2048$/);
  });

  it('A4: duplicates: only the line that wins is edited, and comments do not stack', () => {
    const src = 'admin soft nproc 1\n* soft nproc 5\nadmin soft nproc 2\nadmin soft nproc 3 # c\n';
    const { files } = after({ [MAIN]: src }, [set('admin', 'nproc', '2048', 'soft', { comment: 'ticket-42' })]);
    expect(files[MAIN]).toBe('admin soft nproc 1\n* soft nproc 5\nadmin soft nproc 2\nadmin soft nproc 2048 # ticket-42\n');
    const again = plan(files, [set('admin', 'nproc', '2048', 'soft', { comment: 'ticket-42' })]);
    expect(again.changes).toEqual([]);
  });

  it('A5: a "-" line and a soft line are one family: soft only splits the "-" line — and refuses a soft above hard', () => {
    const { files, plan: p } = after({ [MAIN]: 'admin - nproc 1024\n' }, [set('admin', 'nproc', '512', 'soft')]);
    expect(files[MAIN]).toBe('admin hard nproc 1024\nadmin soft nproc 512\n');
    expect(p.blockers).toEqual([]);
    const up = plan({ [MAIN]: 'admin - nproc 1024\n' }, [set('admin', 'nproc', '2048', 'soft')]);
    expect(up.blockers[0]).toMatchObject({ account: 'admin', half: 'soft', got: '1024', everyone: true });
    expect(up.blockers[0]!.because).toMatch(/lowered to the hard limit 1024/);
    // both halves: the "-" line is edited in place
    expect(after({ [MAIN]: 'admin - nproc 1024\n' }, [set('admin', 'nproc', '2048')]).files[MAIN]).toBe('admin - nproc 2048\n');
  });

  it('A6: equal meanings are equal: unlimited/infinity/-1/-, 01024/1024, SOFT/soft, a "-" line vs a soft+hard pair', () => {
    for (const v of ['infinity', '-1', '-', 'unlimited']) expect(plan({ [MAIN]: 'admin - nofile unlimited\n' }, [set('admin', 'nofile', v)]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin soft nproc 01024\n' }, [set('admin', 'nproc', '1024', 'soft')]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin SOFT NPROC 1024\n' }, [set('admin', 'nproc', '1024', 'soft')]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin soft nproc 7\nadmin hard nproc 7\n' }, [set('admin', 'nproc', '7')]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin - nproc 7\n' }, [set('admin', 'nproc', '7', 'soft')]).changes).toEqual([]);
    // nofile unlimited means nr_open, so 1048576 is the same value
    expect(plan({ [MAIN]: 'admin - nofile unlimited\n' }, [set('admin', 'nofile', '1048576')]).changes).toEqual([]);
  });

  it('A7: --at-least / --at-most are right for nice and priority (smaller numbers mean more)', () => {
    // nice -1 allows more than nice 5: at-least 5 keeps -1
    expect(plan({ [MAIN]: 'admin soft nice -1\n' }, [set('admin', 'nice', '5', 'soft', { mode: 'at-least' })]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin soft nice 5\n' }, [set('admin', 'nice', '-1', 'soft', { mode: 'at-least' })]).changes).toHaveLength(1);
    // priority -1 is more than 5: at-least 5 keeps -1, at-most 5 raises the number to 5
    expect(plan({ [MAIN]: 'admin - priority -1\n' }, [set('admin', 'priority', '5', 'both', { mode: 'at-least' })]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin - priority 5\n' }, [set('admin', 'priority', '-1', 'both', { mode: 'at-most' })]).changes).toEqual([]);
    // nproc: at-least never lowers, at-most never raises; unlimited is the most
    expect(plan({ [MAIN]: 'admin - nproc unlimited\n' }, [set('admin', 'nproc', '4096', 'both', { mode: 'at-least' })]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin - nproc 100\n' }, [set('admin', 'nproc', '4096', 'both', { mode: 'at-most' })]).changes).toEqual([]);
    expect(plan({ [MAIN]: 'admin - nproc 100\n' }, [set('admin', 'nproc', '4096', 'both', { mode: 'at-least' })]).changes).toHaveLength(1);
  });

  it('A8: lines pam_limits accepts (or skips) elsewhere in the file never abort the edit', () => {
    const src = 'ftp - chroot /ftp\nbob hard nproc -\nbob hard nproc UNLIMITED\nbob soft nofile 10k\nadmin soft nonewprivs yes\nbogus line\n';
    const { files } = after({ [MAIN]: src }, [set('admin', 'nproc', '2048')]);
    // every line is kept; the new line joins admin's other line
    expect(files[MAIN]).toBe(src.replace('admin soft nonewprivs yes\n', 'admin soft nonewprivs yes\nadmin - nproc 2048\n'));
    // and chroot itself can be set on Debian
    expect(after({ [MAIN]: src }, [set('ftp', 'chroot', '/srv/ftp')]).files[MAIN]).toContain('ftp - chroot /srv/ftp\n');
  });

  it('A9: domains, values and comments that would inject a line are refused', () => {
    for (const d of ['bad user', '', 'a#b', 'x\ny', 'a\tb', 'abc:']) expect(() => plan({ [MAIN]: '' }, [set(d, 'nproc', '1')])).toThrow(EditInputError);
    for (const v of ['1 2', '1\nroot - nproc 0', '5#', '']) expect(() => plan({ [MAIN]: '' }, [set('admin', 'nproc', v)])).toThrow(EditInputError);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'nproc', '5', 'both', { comment: 'x\n* - nproc 0' })])).toThrow(EditInputError);
  });

  it('A10: a line written in upper case is edited, not duplicated', () => {
    expect(after({ [MAIN]: 'admin SOFT NPROC 1024\n' }, [set('admin', 'nproc', '2048', 'soft')]).files[MAIN]).toBe('admin SOFT NPROC 2048\n');
  });

  it('A11: an "<domain> -" line, a lower hard limit, impossible values and unknown items are reported', () => {
    const nl = plan({ [MAIN]: 'admin -\n' }, [set('admin', 'nproc', '2048')]);
    expect(nl.blockers[0]?.because).toMatch(/'admin -' at etc\/security\/limits.conf:1 switches off all limits/);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'rtprio', '500')])).toThrow(/between 0 and 99/);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'nice', '40')])).toThrow(EditInputError);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'nproc', 'abc')])).toThrow(EditInputError);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'rttime', '5')])).toThrow(/'rttime' is not an item Debian 12's pam_limits \(libpam-modules 1\.5\.2-6\+deb12u1, profile debian-12\) knows \(rttime arrived in Linux-PAM 1\.7\.1\)/);
    expect(plan({ [MAIN]: '' }, [set('admin', 'rttime', '5')], {}, 'linux-pam-1.7.2').changes).toHaveLength(1);
    expect(plan({ [MAIN]: '' }, [set('admin', 'nonewprivs', '1')]).changes[0]!.after).toMatch(/admin\s+-\s+nonewprivs\s+1\n/);
  });

  it('A12: new lines go before "# End of file"; a drop-in that would override a limits.conf line is edited instead', () => {
    const { files } = after({ [MAIN]: '* hard core 0\n\n# End of file\n' }, [set('admin', 'nproc', '2048')]);
    expect(files[MAIN]).toMatch(/^\* hard core 0\nadmin\s+-\s+nproc\s+2048\n\n# End of file\n$/);
    const rhel = { [MAIN]: '* soft nproc 4096\n', 'etc/security/limits.d/90-nproc.conf': '* soft nproc 1024\nroot soft nproc unlimited\n' };
    const p = after(rhel, [set('*', 'nproc', '8192', 'soft')]);
    expect(p.files[MAIN]).toBe('* soft nproc 4096\n');
    expect(p.files['etc/security/limits.d/90-nproc.conf']).toBe('* soft nproc 8192\nroot soft nproc unlimited\n');
    // the users whose own lines keep them on another value are listed
    expect(p.plan.blockers.filter((b) => !b.everyone).map((b) => b.account)).toContain('root');
  });
});

describe('regressions', () => {
  it('editing a soft and a hard line of one file with values of another length keeps every line intact', () => {
    const src = '@developers     soft    nofile          8192\n@developers     hard    nofile          16384\npostgres        -       nofile          65536\n';
    for (const [value, extra] of [['5', { mode: 'at-most' }], ['32768', {}], ['7', {}]] as const) {
      const { files, plan: p } = after({ [MAIN]: src }, [set('@developers', 'nofile', value, 'both', extra as Partial<EditRequest>)]);
      expect(files[MAIN]).toBe(src.replace(/8192|16384/g, value));
      expect(p.blockers.filter((b) => b.everyone)).toEqual([]);
    }
  });

  it('--at-least without a line of its own compares with what the account already gets', () => {
    const files = { [MAIN]: '@devs soft stack 16384\n' };
    expect(plan(files, [set('bob', 'stack', '8192', 'soft', { mode: 'at-least' })]).changes).toEqual([]);
    expect(plan(files, [set('bob', 'stack', '32768', 'soft', { mode: 'at-least' })]).changes).toHaveLength(1);
    expect(plan(files, [set('bob', 'stack', '32768', 'soft', { mode: 'at-most' })]).changes).toEqual([]);
  });
});

describe('effective-aware placement', () => {
  it('refuses when a later same-rank line would beat the new line, naming it', () => {
    const files = { [MAIN]: '', 'etc/security/limits.d/50-range.conf': '1000:1999 soft nproc 10\n' };
    const p = plan(files, [set('admin', 'nproc', '2048', 'soft')]);
    expect(p.blockers[0]).toMatchObject({ account: 'admin', everyone: true, got: '10' });
    expect(p.blockers[0]!.because).toMatch(/limits.d\/50-range.conf:1 \(1000:1999 soft 10\) wins/);
    // --file into a later drop-in makes it win
    const ok = plan(files, [set('admin', 'nproc', '2048', 'soft')], { file: 'etc/security/limits.d/60-admin.conf' });
    expect(ok.blockers).toEqual([]);
    expect(ok.changes[0]).toMatchObject({ path: 'etc/security/limits.d/60-admin.conf', before: null });
  });

  it('for --group, lists members whose own lines keep another value', () => {
    const p = plan({ [MAIN]: 'alice soft nofile 100\n' }, [set('@devs', 'nofile', '4096', 'soft')]);
    expect(p.blockers.filter((b) => !b.everyone).map((b) => b.account)).toEqual(['alice']);
  });

  it('--file must be a file pam_limits reads', () => {
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'nproc', '1')], { file: 'etc/security/limits.d/x.cfg' })).toThrow(/would never read/);
    expect(() => plan({ [MAIN]: '' }, [set('admin', 'nproc', '1')], { file: 'etc/security/limits.d/.x.conf' })).toThrow(/would never read/);
  });
});

describe('unset', () => {
  it('removes every duplicate across files, keeping the other half of a "-" line', () => {
    const files = { [MAIN]: 'admin soft nproc 1\nbob soft nproc 2\nadmin - nproc 3\n', 'etc/security/limits.d/a.conf': 'admin hard nproc 9 # x\n' };
    const soft = after(files, [{ op: 'unset', domain: 'admin', item: 'nproc', type: 'soft' }]).files;
    expect(soft[MAIN]).toBe('bob soft nproc 2\nadmin hard nproc 3\n');
    expect(soft['etc/security/limits.d/a.conf']).toBe('admin hard nproc 9 # x\n');
    const all = after(files, [{ op: 'unset', domain: 'admin', item: 'nproc' }]).files;
    expect(all[MAIN]).toBe('bob soft nproc 2\n');
    expect(all['etc/security/limits.d/a.conf']).toBe('');
    expect(plan(all, [{ op: 'unset', domain: 'admin', item: 'nproc' }]).changes).toEqual([]);
  });
});

describe('property: random trees and random set/unset sequences', () => {
  it('untouched lines are byte-identical, the value takes effect, a repeat changes nothing', () => {
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 16) % n; };
    const pick = <T>(a: readonly T[]) => a[rnd(a.length)]!;
    const domains = ['admin', 'bob', 'alice', '@devs', '*'];
    const items = ['nproc', 'nofile', 'core', 'cpu'];
    const values = ['1', '100', '4096', 'unlimited', '65536', '0'];
    let checked = 0;
    for (let t = 0; t < 300; t++) {
      let files: Files = { [MAIN]: '', 'etc/security/limits.d/20-x.conf': '' };
      for (const f of Object.keys(files)) {
        const n = rnd(10);
        const lines: string[] = [];
        for (let i = 0; i < n; i++) lines.push(rnd(4) === 0 ? `# comment ${i}` : `${pick(domains)}\t${pick(['soft', 'hard', '-'])}\t${pick(items)}\t${pick(values)}`);
        files[f] = lines.join(rnd(3) === 0 ? '\r\n' : '\n') + (rnd(3) === 0 ? '' : '\n');
      }
      for (let step = 0; step < 4; step++) {
        const domain = pick(domains);
        const item = pick(items);
        const req: EditRequest = rnd(4) === 0
          ? { op: 'unset', domain, item, type: pick(['soft', 'hard', 'both'] as const) }
          : set(domain, item, pick(values), pick(['soft', 'hard', 'both'] as const));
        const p = plan(files, [req]);
        // (a) untouched lines keep their bytes: every line that disappeared is the request's family
        for (const c of p.changes) {
          const remaining = c.after.split('\n');
          for (const l of (c.before ?? '').split('\n')) {
            const i = remaining.indexOf(l);
            if (i >= 0) { remaining.splice(i, 1); continue; }
            if (l === '' || l === '\r') continue;
            // the last line of a file without a final newline gains its line ending
            const j = remaining.indexOf(`${l}\r`);
            if (j >= 0 && !(c.before ?? '').endsWith('\n')) { remaining.splice(j, 1); continue; }
            const [d, , it] = l.trim().split(/\s+/);
            expect(`${d} ${it}`, `${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`).toBe(`${domain} ${item}`);
          }
        }
        if (p.blockers.some((b) => b.everyone)) continue; // refused: another line decides
        for (const c of p.changes) files = { ...files, [c.path]: c.after };
        // (b) after set, a matching account gets the value
        if (req.op === 'set' && (domain === 'admin' || domain === 'bob')) {
          const pw = accounts.users.find((u) => u.name === domain)!;
          const res = resolveLimits(tree(files), { name: pw.name, uid: pw.uid, gid: pw.gid, groups: pw.name === 'bob' ? [{ name: 'devs', gid: 2000 }] : [] }, { pid1Limits: {} });
          const want = req.value === 'unlimited' ? (item === 'nofile' ? 1048576n : 2n ** 64n - 1n) : BigInt(req.value) * (['core', 'stack', 'memlock'].includes(item) ? 1024n : item === 'cpu' ? 60n : 1n);
          for (const half of req.type === 'both' ? ['soft', 'hard'] as const : [req.type!] as const) {
            expect(res.rlimits[item as 'nproc'][half].value, `${JSON.stringify(files)} ${JSON.stringify(req)}`).toBe(want);
          }
          checked++;
        }
        // (c) repeating the command changes nothing
        expect(plan(files, [req]).changes, JSON.stringify({ files, req })).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('apply --prune', () => {
  it('removes the domain\'s other entries once each, halves where they exist', () => {
    const files = { [MAIN]: 'admin - maxlogins 3\nadmin - nproc 100\nadmin soft nofile 5\nbob - nproc 1\n' };
    const p = plan(files, [set('admin', 'nproc', '100', 'soft')], { prune: ['admin'] });
    expect(p.changes[0]!.after).toBe('admin soft nproc 100\nbob - nproc 1\n');
    expect(p.notes.filter((n) => n.status === 'unchanged').map((n) => n.detail)).toEqual(['admin soft nproc is already 100']);
  });
});

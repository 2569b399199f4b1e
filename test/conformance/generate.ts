/**
 * Seeded random configuration trees for the conformance test.
 *
 * generateTree(seed) always returns the same tree for the same seed. A tree is a fake root:
 * etc/security/limits.conf and limits.d, etc/passwd and etc/group, proc/1/limits and
 * proc/sys/fs/nr_open, plus the users to open sessions for. The mix leans on the corners of
 * docs/pam_limits-semantics.md: every domain form and bad range, odd types and values, unit
 * overflow edges, whitespace and comments, malformed and over-long lines, files limits.d does
 * and does not read, uid-0 accounts and group membership by primary gid, gr_mem and both.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type DropIn =
  | { readonly kind: 'file'; readonly name: string; readonly bytes: Uint8Array }
  /** a directory in limits.d: `x.conf/` reads as empty; a plain subdirectory is never searched */
  | { readonly kind: 'dir'; readonly name: string; readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }> }
  | { readonly kind: 'symlink'; readonly name: string; readonly target: string };

export interface GeneratedTree {
  readonly seed: number;
  /** etc/security/limits.conf; null = missing (PAM_SERVICE_ERR in 1.5.2) */
  readonly limitsConf: Uint8Array | null;
  /** etc/security/limits.d entries; null = no limits.d directory */
  readonly dropins: readonly DropIn[] | null;
  readonly passwd: string;
  readonly group: string;
  /** proc/1/limits (kernel format); null = missing */
  readonly pid1Limits: string | null;
  /** proc/sys/fs/nr_open; null = missing */
  readonly nrOpen: string | null;
  /** the accounts to open a session for (an unknown name now and then) */
  readonly users: readonly string[];
}

/** mulberry32: small, fast and good enough to pick test cases reproducibly. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: [[weight, value], ...]. Values may be thunks, called on pick. */
  weighted<T>(table: ReadonlyArray<readonly [number, T | (() => T)]>): T {
    const total = table.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of table) {
      x -= w;
      if (x < 0) return typeof v === 'function' ? (v as () => T)() : v;
    }
    const last = table[table.length - 1]![1];
    return typeof last === 'function' ? (last as () => T)() : last;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

interface Group {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

interface Accounts {
  readonly users: readonly Account[];
  readonly groups: readonly Group[];
}

/**
 * A small account set whose uids and gids move from tree to tree, so that uid and gid ranges
 * sometimes catch a user and sometimes do not.
 */
function makeAccounts(rng: Rng): Accounts {
  const devGid = rng.pick([2000, 2000, 1500, 3000]);
  const users: Account[] = [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'alice', uid: rng.pick([1000, 1000, 1001, 1500]), gid: 1000 },
    { name: 'bob', uid: rng.between(1001, 1999), gid: 1001 },
    { name: 'carol', uid: rng.between(1002, 2500), gid: devGid },
    { name: 'dave', uid: rng.pick([2500, 4000, 65534, 70000, 4294967294]), gid: 100 },
  ];
  if (rng.chance(0.5)) users.push({ name: 'toor', uid: 0, gid: 0 }); // a second uid-0 account
  if (rng.chance(0.3)) users.push({ name: 'Zed', uid: rng.between(3000, 3999), gid: 100 });
  if (rng.chance(0.15)) users.push({ name: '1000', uid: 3001, gid: 1000 }); // a user *named* 1000
  const groups: Group[] = [
    { name: 'root', gid: 0, members: [] },
    { name: 'adm', gid: 4, members: rng.chance(0.5) ? ['root', 'alice'] : ['alice'] },
    { name: 'wheel', gid: 10, members: rng.chance(0.5) ? ['bob', 'root'] : ['bob'] },
    { name: 'users', gid: 100, members: [] },
    { name: 'alice', gid: 1000, members: [] },
    { name: 'bob', gid: 1001, members: [] },
    { name: 'dev', gid: devGid, members: rng.chance(0.5) ? ['bob'] : ['bob', 'dave'] },
    { name: 'ops', gid: devGid + 1, members: ['dave', 'carol'] },
    { name: '1000', gid: 3000, members: ['alice'] }, // `@1000` is this group, not gid 1000
    { name: 'empty', gid: 4000, members: [] },
  ];
  return { users, groups };
}

function passwdText(a: Accounts): string {
  return a.users.map((u) => `${u.name}:x:${u.uid}:${u.gid}::/home/${u.name}:/bin/sh\n`).join('');
}

function groupText(a: Accounts): string {
  return a.groups.map((g) => `${g.name}:x:${g.gid}:${g.members.join(',')}\n`).join('');
}

// ---------------------------------------------------------------------------------------------
// Lines

function pickDomain(rng: Rng, a: Accounts): string {
  const user = () => rng.pick(a.users);
  const group = () => rng.pick(a.groups);
  const near = (n: number) => Math.max(0, n + rng.between(-600, 600));
  return rng.weighted<string>([
    [7, () => user().name],
    [4, '*'],
    [2, () => `:${user().uid}`],
    [2, () => { const u = user().uid; return `${near(u)}:${u + rng.between(0, 900)}`; }],
    [2, () => `${near(user().uid)}:`],
    [3, () => `@${group().name}`],
    [2, () => `@:${group().gid}`],
    [1, () => { const g = group().gid; return `@${near(g)}:${g + rng.between(0, 900)}`; }],
    [1, () => `@${near(group().gid)}:`],
    [1, '%'],
    [1, () => `%${group().name}`],
    [1, () => `%:${group().gid}`],
    [0.3, () => `%${group().gid}:`],
    [1, () => rng.pick(['abc:', '1000:2000:3000', ':', '@:', '%:', ':abc', '0x10:', '*:', '99999999999999999999:'])],
    [1.5, () => rng.pick([
      'ALICE', 'nosuchuser', '@nosuchgroup', '1000', '4294967296:', '-1:', '1000:-1', '2000:1000', '@1000',
      '+1000:', '0:0', ':0', '@0:', '%0:', '@:0', '%:0', '@:5', '%%', '**', '@root', '%root', 'ali#ce',
    ])],
  ]);
}

function pickType(rng: Rng): string {
  return rng.weighted<string>([
    [4, 'soft'], [4, 'hard'], [4, '-'],
    [0.3, 'SOFT'], [0.3, 'Hard'],
    [0.4, () => rng.pick(['both', '--', 's', '-x', 'whatever'])],
  ]);
}

function pickItem(rng: Rng): string {
  const item = rng.weighted<string>([
    [4, 'nofile'], [2, 'nproc'], [2, 'core'], [1, 'cpu'], [1, 'fsize'], [1, 'data'], [1.5, 'stack'],
    [0.5, 'rss'], [1, 'memlock'], [1, 'as'], [0.5, 'locks'], [0.5, 'sigpending'], [0.5, 'msgqueue'],
    [1.5, 'nice'], [1, 'rtprio'], [0.5, 'rttime'], [1, 'maxlogins'], [0.5, 'maxsyslogins'],
    [1, 'priority'], [0.7, 'nonewprivs'], [0.4, 'chroot'],
    [0.3, () => rng.pick(['nofiles', 'foo', 'max-logins'])],
  ]);
  return rng.chance(0.05) ? item.toUpperCase() : item;
}

const UNLIMITED = ['unlimited', 'infinity', '-1', '-', 'UNLIMITED', 'Infinity', '-01'];

/** Values for rlimit items: plain numbers, keywords, strtoull quirks and overflow edges. */
function rlimitValue(rng: Rng, item: string): string {
  const edges: Record<string, readonly string[]> = {
    cpu: ['307445734561825859', '307445734561825860'],
    nofile: ['1048576', '1048577', '2000000', '65536', '524288'],
  };
  const kib = ['18014398509481982', '18014398509481983'];
  return rng.weighted<string>([
    [6, () => String(rng.pick([0, 1, 5, 64, 100, 1024, 4096, 8192, 65535, 100000]))],
    [2, () => String(rng.between(1, 2_000_000))],
    [3, () => rng.pick(UNLIMITED)],
    [1, () => rng.pick(edges[item] ?? kib)],
    [1.5, () => rng.pick(['10k', '0x10', '+5', '-5', 'abc', '5abc', '99999999999999999999999', '18446744073709551615', '18446744073709551616', '007'])],
  ]);
}

/** Values for nice and priority: strtol, no keywords, clamping. */
function niceValue(rng: Rng): string {
  return rng.weighted<string>([
    [5, () => String(rng.between(-20, 19))],
    [2, () => rng.pick(['-100', '30', '100', '-21', '20', '99999999999', '-99999999999'])],
    [1.5, () => rng.pick(['-1', 'unlimited', '-', 'abc', '+5', '5abc', '0x7', '-0'])],
  ]);
}

function valueFor(rng: Rng, item: string): string {
  switch (item.toLowerCase()) {
    case 'nice':
    case 'priority':
      return niceValue(rng);
    case 'maxlogins':
    case 'maxsyslogins':
      // the shim gives an empty utmp, so every value has one answer: only 0 denies
      return rng.pick(['0', '1', '2', '10', '-1', '-5', 'unlimited', 'abc', '0x7', '3junk']);
    case 'nonewprivs':
      return rng.pick(['0', '1', '1', 'yes', '2', '01', 'unlimited']);
    case 'chroot':
      return rng.pick(['/srv/jail', '/SRV/Jail', '/tmp/x', 'relative/dir', 'unlimited', '-']);
    default:
      return rlimitValue(rng, item.toLowerCase());
  }
}

const SEPARATORS = [' ', ' ', ' ', '\t', '  ', ' \t ', '\v', '\f', '\r'];

function sep(rng: Rng): string {
  return rng.chance(0.8) ? ' ' : rng.pick(SEPARATORS);
}

function indent(rng: Rng): string {
  return rng.chance(0.85) ? '' : rng.pick([' ', '\t', '  \t', '\f', '\v']);
}

function trailer(rng: Rng): string {
  return rng.weighted<string>([
    [20, ''],
    [1, ' '],
    [1, '\t'],
    [1, ' # a comment'],
    [1, '#x'], // glued to the value: still cut there
    [0.6, () => ` ${rng.pick(['200', 'junk', 'unlimited'])}`], // a 5th field: ignored in 1.5.2
    [0.2, '\0junk'], // C string ends at NUL
  ]);
}

function entryLine(rng: Rng, a: Accounts): string {
  const item = pickItem(rng);
  const fields = [pickDomain(rng, a), pickType(rng), item, valueFor(rng, item)];
  return indent(rng) + fields.map((f, i) => (i === 0 ? f : sep(rng) + f)).join('') + trailer(rng);
}

/** Lines over fgets' 1023 bytes, which 1.5.2 reads in separate chunks. */
function longLine(rng: Rng, a: Accounts): string {
  const entry = () => entryLine(rng, a).trimStart();
  return rng.weighted<string>([
    [1, () => `#${'x'.repeat(1022)}${entry()}`], // the second chunk is a real line
    [1, () => `${' '.repeat(1100)}${entry()}`], // chunk 1 is blank
    [1, () => { const [d, t, i, v] = entry().split(/\s+/); return `${d} ${t} ${i}${' '.repeat(1030)}${v ?? '1'}`; }],
    [0.5, () => `# ${'y'.repeat(2100)}`],
  ]);
}

function noLimitLine(rng: Rng, a: Accounts): string {
  return `${pickDomain(rng, a)}${sep(rng)}${rng.pick(['-', '-', '--', '-x'])}`;
}

function malformedLine(rng: Rng, a: Accounts): string {
  const d = pickDomain(rng, a);
  return rng.pick([
    d,
    `${d} ${pickType(rng)}`,
    `${d} - ${pickItem(rng)}`,
    `${d} soft nofile`,
  ]);
}

function fileLine(rng: Rng, a: Accounts): string {
  return rng.weighted<string>([
    [12, () => entryLine(rng, a)],
    [1, () => `# ${rng.pick(['comment', '<domain> <type> <item> <value>', 'End of file'])}`],
    [0.6, () => `#${entryLine(rng, a)}`],
    [1, () => rng.pick(['', ' ', '\t'])],
    [0.7, () => malformedLine(rng, a)],
    [0.15, () => noLimitLine(rng, a)],
    [0.05, () => longLine(rng, a)],
  ]);
}

function fileBytes(rng: Rng, a: Accounts, maxLines: number): Uint8Array {
  const eol = rng.chance(0.15) ? '\r\n' : '\n';
  const lines = Array.from({ length: rng.between(0, maxLines) }, () => fileLine(rng, a));
  let text = lines.map((l) => l + eol).join('');
  if (text !== '' && rng.chance(0.15)) text = text.slice(0, -eol.length); // no final newline
  return Buffer.from(text, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// limits.d

/** Names that test C byte order: - < . < digits < upper case < _ < lower case. */
const READ_NAMES = ['10-a.conf', '9-b.conf', 'A.conf', 'a.conf', 'B.conf', 'a-b.conf', 'a_b.conf', '90-nproc.conf', 'zz.conf'];
/** Names glob("*.conf") never returns: they must have no effect. */
const IGNORED_NAMES = ['x.CONF', 'x.conf.bak', 'x.conf~', 'noext', '.h.conf', '.conf', 'README'];

function makeDropins(rng: Rng, a: Accounts): DropIn[] | null {
  if (rng.chance(0.3)) return null;
  const names = rng.shuffle([...READ_NAMES, ...IGNORED_NAMES]).slice(0, rng.between(0, 5));
  const out: DropIn[] = names.map((name) => ({ kind: 'file', name, bytes: fileBytes(rng, a, 6) }));
  if (rng.chance(0.08)) out.push({ kind: 'dir', name: 'zz-dir.conf', files: [] }); // reads as an empty file
  if (rng.chance(0.08)) out.push({ kind: 'dir', name: 'sub', files: [{ name: 'a.conf', bytes: fileBytes(rng, a, 3) }] });
  const target = out.find((d) => d.kind === 'file');
  // both relative and absolute targets: an absolute one means the tree's own path, as pam_limits
  // sees it with the tree mounted as its /etc/security
  if (target && rng.chance(0.08)) {
    out.push({ kind: 'symlink', name: '50-link.conf', target: rng.chance(0.5) ? target.name : `/etc/security/limits.d/${target.name}` });
  }
  if (rng.chance(0.02)) out.push({ kind: 'symlink', name: '60-gone.conf', target: rng.chance(0.5) ? 'no-such-file' : '/etc/security/limits.d/no-such-file' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// /proc

/** Row titles and units of /proc/PID/limits, in RLIMIT order (fs/proc/base.c). */
const PROC_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['Max cpu time', 'seconds'], ['Max file size', 'bytes'], ['Max data size', 'bytes'],
  ['Max stack size', 'bytes'], ['Max core file size', 'bytes'], ['Max resident set', 'bytes'],
  ['Max processes', 'processes'], ['Max open files', 'files'], ['Max locked memory', 'bytes'],
  ['Max address space', 'bytes'], ['Max file locks', 'locks'], ['Max pending signals', 'signals'],
  ['Max msgqueue size', 'bytes'], ['Max nice priority', ''], ['Max realtime priority', ''],
  ['Max realtime timeout', 'us'],
];

/** /proc/PID/limits exactly as the kernel prints it (proc_pid_limits in fs/proc/base.c). */
export function formatProcLimits(rows: ReadonlyArray<{ soft: bigint; hard: bigint } | null>): string {
  const col = (v: bigint) => (v === 0xffff_ffff_ffff_ffffn ? 'unlimited' : String(v)).padEnd(20);
  let out = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  rows.forEach((r, i) => {
    if (!r) return;
    const [title, unit] = PROC_ROWS[i]!;
    out += `${title.padEnd(25)} ${col(r.soft)} ${col(r.hard)} ${unit ? unit.padEnd(10) : ''}\n`;
  });
  return out;
}

function pid1Value(rng: Rng, resource: number): bigint {
  const INF = 0xffff_ffff_ffff_ffffn;
  const typical: Record<number, readonly bigint[]> = {
    3: [8388608n, INF], 4: [0n, INF], 6: [96551n, 63444n, INF], 7: [1024n, 4096n, 524288n, 1048576n, 1048576n, 2097152n],
    8: [65536n, 8388608n, INF], 11: [96551n, 63444n], 12: [819200n], 13: [0n, 20n], 14: [0n, 99n],
  };
  // a nofile hard limit above nr_open makes the kernel refuse the whole nofile call: now and then
  return rng.chance(0.8) ? rng.pick(typical[resource] ?? [INF]) : BigInt(rng.between(0, resource === 7 ? 1_100_000 : 2_000_000));
}

function makePid1Limits(rng: Rng): string | null {
  return rng.weighted<string | null>([
    [85, () => formatProcLimits(PROC_ROWS.map((_, i) => {
      if (rng.chance(0.05)) return null; // a row the module does not find: Debian's fallback
      const a = pid1Value(rng, i);
      const b = pid1Value(rng, i);
      return a <= b ? { soft: a, hard: b } : { soft: b, hard: a };
    }))],
    [5, ''],
    [5, null],
  ]);
}

function makeNrOpen(rng: Rng): string | null {
  return rng.weighted<string | null>([
    [80, '1048576\n'],
    [10, () => rng.pick(['65536\n', '2097152\n', '1048576junk\n', '4096'])],
    [5, null],
    [5, () => rng.pick(['abc\n', '', '\n'])],
  ]);
}

// ---------------------------------------------------------------------------------------------

/** The tree for `seed`; the same seed always gives the same tree. */
export function generateTree(seed: number): GeneratedTree {
  const rng = new Rng(seed);
  const accounts = makeAccounts(rng);
  const limitsConf = rng.chance(0.04) ? null : fileBytes(rng, accounts, 14);
  const dropins = makeDropins(rng, accounts);
  const others = rng.shuffle(accounts.users.filter((u) => u.name !== 'root')).slice(0, rng.between(3, 5));
  const users = ['root', ...others.map((u) => u.name)];
  if (rng.chance(0.1)) users.push('ghost'); // PAM_USER_UNKNOWN
  return {
    seed,
    limitsConf,
    dropins,
    passwd: passwdText(accounts),
    group: groupText(accounts),
    pid1Limits: makePid1Limits(rng),
    nrOpen: makeNrOpen(rng),
    users,
  };
}

async function put(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** Writes the tree under `dir` (which should be empty or missing). */
export async function writeTree(dir: string, tree: GeneratedTree): Promise<void> {
  const security = join(dir, 'etc/security');
  await mkdir(security, { recursive: true });
  if (tree.limitsConf) await put(join(security, 'limits.conf'), tree.limitsConf);
  if (tree.dropins) {
    const d = join(security, 'limits.d');
    await mkdir(d, { recursive: true });
    for (const entry of tree.dropins) {
      if (entry.kind === 'file') await put(join(d, entry.name), entry.bytes);
      else if (entry.kind === 'symlink') await symlink(entry.target, join(d, entry.name));
      else {
        await mkdir(join(d, entry.name), { recursive: true });
        for (const f of entry.files) await put(join(d, entry.name, f.name), f.bytes);
      }
    }
  }
  await put(join(dir, 'etc/passwd'), tree.passwd);
  await put(join(dir, 'etc/group'), tree.group);
  if (tree.pid1Limits !== null) await put(join(dir, 'proc/1/limits'), tree.pid1Limits);
  if (tree.nrOpen !== null) await put(join(dir, 'proc/sys/fs/nr_open'), tree.nrOpen);
}

/** Text with control characters visible and long runs shortened, for failure reports. */
export function visible(text: string): string {
  return text
    .replace(/(.)\1{15,}/g, (run, c: string) => `⟨${visible(c)}×${run.length}⟩`)
    .replace(/[\0-\x09\x0b-\x1f\x7f-\xff]/g, (c) => {
      const named: Record<string, string> = { '\0': '\\0', '\t': '\\t', '\v': '\\v', '\f': '\\f', '\r': '\\r' };
      return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
}

function showFile(path: string, bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines.push('⟨no final newline⟩');
  return `--- ${path}\n${lines.map((l, i) => `${String(i + 1).padStart(3)}| ${visible(l)}`).join('\n')}`;
}

/** The whole tree as readable text (what a failure report prints). */
export function formatTree(tree: GeneratedTree): string {
  const parts = [`seed ${tree.seed}; users: ${tree.users.join(', ')}`];
  parts.push(tree.limitsConf ? showFile('etc/security/limits.conf', tree.limitsConf) : '--- etc/security/limits.conf: missing');
  if (tree.dropins === null) parts.push('--- etc/security/limits.d: missing');
  for (const d of tree.dropins ?? []) {
    const path = `etc/security/limits.d/${d.name}`;
    if (d.kind === 'file') parts.push(showFile(path, d.bytes));
    else if (d.kind === 'symlink') parts.push(`--- ${path} -> ${d.target}`);
    else parts.push(`--- ${path}/ (directory${d.files.map((f) => `; ${showFile(`${path}/${f.name}`, f.bytes)}`).join('')})`);
  }
  parts.push(`--- etc/passwd\n${tree.passwd.trimEnd()}`, `--- etc/group\n${tree.group.trimEnd()}`);
  parts.push(tree.pid1Limits === null ? '--- proc/1/limits: missing' : `--- proc/1/limits\n${tree.pid1Limits.trimEnd()}`);
  parts.push(tree.nrOpen === null ? '--- proc/sys/fs/nr_open: missing' : `--- proc/sys/fs/nr_open: ${visible(tree.nrOpen)}`);
  return parts.join('\n');
}

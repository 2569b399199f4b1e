/**
 * The two shell programs the controller-side Ansible action (ansible/collections/…/limitsctl/pam)
 * runs on a managed host, and the readers of what they print. The host needs only a POSIX `sh`
 * and coreutils-level tools: `od` (POSIX), `ls -lnd` (POSIX), `readlink`, `cmp`, `cp`, `mv`,
 * `tail`, `head -c` (or `dd`), `wc`,
 * `ln`, `mkdir`, `rm` (coreutils, busybox); no Python, no Node.
 *
 * - {@link readScript}: one command that prints a snapshot of everything planning needs — the
 *   limits files pam_limits reads (limits.conf, limits.d/*.conf, the 1.7 vendor directory), the
 *   symlinks on their way, os-release, etc/passwd and etc/group, proc/sys/fs/nr_open,
 *   proc/1/limits, proc/1/status and (without a /proc snapshot) the sysctl configuration.
 *   Bytes travel as `od -An -v -tx1` hex; {@link parseSnapshot} reads it back.
 * - {@link writeScript}: one command that writes the changed files with a compare-and-swap
 *   against the exact bytes the plan was made from (sent once, on the command's stdin where the
 *   connection allows it), a same-directory temporary file carrying the
 *   old file's mode, owner, group, ACLs and xattrs (SELinux label), an atomic rename, and a
 *   backup only of a file that changes. {@link parseWriteOutput} reads its report.
 *
 * Pure: strings in, strings out. Text is binary strings (one char per byte, latin1), as in core/model.ts.
 */

/** The format version printed first by the read script. */
export const SNAPSHOT_MAGIC = 'LIMITSCTL-SNAPSHOT 1';

/** Files read when they exist (relative to the root), besides the limits files. */
export const SNAPSHOT_FILES = [
  'etc/os-release', 'usr/lib/os-release', 'etc/passwd', 'etc/group',
  'proc/sys/fs/nr_open', 'proc/1/limits', 'proc/1/status',
] as const;

/** pam_limits' files: the main file, its drop-in directory, and Linux-PAM 1.7's vendor pair. */
export const LIMITS_MAIN = ['etc/security/limits.conf', 'usr/share/pam/security/limits.conf'] as const;
export const LIMITS_DIRS = ['etc/security/limits.d', 'usr/share/pam/security/limits.d'] as const;
/** read only when the root has no proc/sys/fs/nr_open (core/sysctl.ts SYSCTL_DIRS, SYSCTL_CONF) */
export const SYSCTL_FILES = ['etc/sysctl.conf'] as const;
export const SYSCTL_DIRS_READ = ['etc/sysctl.d', 'run/sysctl.d', 'usr/local/lib/sysctl.d', 'usr/lib/sysctl.d', 'lib/sysctl.d'] as const;

/** `'…'` for sh: any byte string, single-quoted ('\'' for a quote). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The root as the scripts use it: no trailing slash, '' for '/'. */
function rootVar(root: string): string {
  const r = root.replace(/\/+$/, '');
  return r;
}

/**
 * The read command for a tree at `root` on the host (an absolute path, '/' for the live system).
 * Prints {@link SNAPSHOT_MAGIC}, then one record per line:
 *   `L <rel> <target>`         a symlink met on the way (both hex-or-raw, see {@link decodeName})
 *   `D <rel>`                  a directory
 *   `N <dir> <kind> <name>`    an entry of a listed directory (kind d, f, l or o)
 *   `F <rel> <ls -lnd fields>` a regular file, followed by its bytes as od hex lines, then `.`
 *   `S <rel> <kind>`           a FIFO (p), character (c) or block (b) device, or socket (s)
 *   `U <rel> <message>`        a file that exists but could not be read
 *   `E`                        the end (a snapshot without it was cut short)
 * `NOROOT` alone when the root is not a directory.
 */
export function readScript(root: string): string {
  const R = rootVar(root);
  return `R=${shQuote(R)}
LC_ALL=C; export LC_ALL
if [ ! -d "$R/" ]; then echo NOROOT; exit 0; fi
echo ${shQuote(SNAPSHOT_MAGIC)}
enc() { case $1 in *[!A-Za-z0-9._+@,:=/-]*|'') E="x:$(printf %s "$1" | od -An -v -tx1 | tr -d ' \\n')";; *) E="r:$1";; esac; }
res() {
  pend=$1; dn=; hops=0
  while [ -n "$pend" ]; do
    case $pend in */*) part=\${pend%%/*}; pend=\${pend#*/};; *) part=$pend; pend=;; esac
    case $part in ''|.) continue;; ..) case $dn in */*) dn=\${dn%/*};; *) dn=;; esac; continue;; esac
    c=\${dn:+$dn/}$part
    if [ -L "$R/$c" ]; then
      hops=$((hops+1)); if [ $hops -gt 40 ]; then RES=; return 1; fi
      t=$(readlink -- "$R/$c") || { RES=; return 1; }
      enc "$c"; L=$E; enc "$t"; echo "L $L $E"
      case $t in /*) dn=; if [ -n "$R" ]; then case $t in "$R"|"$R"/*) t=\${t#"$R"};; esac; fi; t=\${t#/};; esac
      pend=$t\${pend:+/$pend}
    else
      dn=$c
    fi
  done
  RES=$dn
}
one() {
  res "$1" || return 0
  [ -n "$RES" ] || return 0
  p="$R/$RES"
  if [ -L "$p" ]; then return 0; fi
  enc "$RES"
  if [ -d "$p" ]; then echo "D $E"
  elif [ -f "$p" ]; then
    if [ -r "$p" ] && h=$(od -An -v -tx1 < "$p" 2>/dev/null); then
      # the link count only where a write may go (a file with other hard links is refused)
      case $RES in etc/security/*|usr/share/pam/*) l=$(ls -lnd -- "$p" 2>/dev/null); set -f; set -- $l; set +f;; *) set -- - 1 - -;; esac
      echo "F $E \${1:-?} \${2:-1} \${3:-?} \${4:-?}"; [ -n "$h" ] && printf '%s\\n' "$h"; echo .
    else echo "U $E cannot read (permission denied or I/O error)"; fi
  elif [ -p "$p" ]; then echo "S $E p"
  elif [ -c "$p" ]; then echo "S $E c"
  elif [ -b "$p" ]; then echo "S $E b"
  elif [ -S "$p" ]; then echo "S $E s"
  fi
}
lst() {
  res "$1" || return 0
  [ -n "$RES" ] && [ -d "$R/$RES" ] && [ ! -L "$R/$RES" ] || return 0
  d=$RES; enc "$d"; D=$E; echo "D $D"
  for e in "$R/$d"/* "$R/$d"/.[!.]* "$R/$d"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=\${e##*/}
    if [ -L "$e" ]; then k=l; elif [ -d "$e" ]; then k=d; elif [ -f "$e" ]; then k=f; else k=o; fi
    enc "$n"; echo "N $D $k $E"
    case $n in .*) ;; *.conf) one "$1/$n";; esac
  done
}
${LIMITS_MAIN.map((f) => `one ${shQuote(f)}`).join('; ')}
${LIMITS_DIRS.map((d) => `lst ${shQuote(d)}`).join('; ')}
${SNAPSHOT_FILES.map((f) => `one ${shQuote(f)}`).join('; ')}
if [ ! -f "$R/proc/sys/fs/nr_open" ]; then
${SYSCTL_FILES.map((f) => `one ${shQuote(f)}`).join('; ')}; ${SYSCTL_DIRS_READ.map((d) => `lst ${shQuote(d)}`).join('; ')}
fi
echo E`;
}

/** A name as the scripts print it: `r:<raw>` or `x:<hex>`. */
export function decodeName(s: string): string {
  if (s.startsWith('r:')) return s.slice(2);
  if (s.startsWith('x:')) return hexToBinary(s.slice(2));
  throw new SnapshotError(`not an encoded name: ${JSON.stringify(s.slice(0, 40))}`);
}

function hexToBinary(hex: string): string {
  const h = hex.replace(/\s+/g, '');
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new SnapshotError('bad hex in the snapshot');
  let out = '';
  for (let i = 0; i < h.length; i += 2) out += String.fromCharCode(parseInt(h.slice(i, i + 2), 16));
  return out;
}

/** The read script's output could not be understood (a host without `od`, a cut connection, …). */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

export type SnapshotEntry =
  | { readonly kind: 'file'; readonly bytes: string; readonly mode: string; readonly nlink: number; readonly uid: string; readonly gid: string }
  | { readonly kind: 'dir' }
  | { readonly kind: 'link'; readonly target: string }
  | { readonly kind: 'special'; readonly type: 'p' | 'c' | 'b' | 's' }
  | { readonly kind: 'unreadable'; readonly message: string };

/** What the read script saw: every path relative to the root (binary strings). */
export interface Snapshot {
  readonly entries: ReadonlyMap<string, SnapshotEntry>;
  /** directory → its entries (name, kind: d directory, f file, l symlink, o other) */
  readonly listings: ReadonlyMap<string, ReadonlyArray<{ readonly name: string; readonly kind: 'd' | 'f' | 'l' | 'o' }>>;
}

/**
 * A name the snapshot may carry: relative to the root, components neither empty nor `.` nor
 * `..`, no NUL. Everything a host prints is untrusted: the controller lays it out on its own disk.
 */
function safeRel(rel: string, what: string): string {
  if (rel === '' || rel.startsWith('/') || rel.includes('\0') || rel.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new SnapshotError(`the host's snapshot names ${what} ${JSON.stringify(rel.slice(0, 120))}, which is not a plain path inside the root: refused, nothing planned or written`);
  }
  return rel;
}

/** A listed name: one component. */
function safeName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new SnapshotError(`the host's snapshot lists the name ${JSON.stringify(name.slice(0, 120))} in a directory, which is not a single file name: refused, nothing planned or written`);
  }
  return name;
}

/**
 * The paths the read script may report, found from the snapshot's own symlink records exactly as
 * the script's `res` walks them: every name it asks for (the limits files, the listed directories
 * and their `*.conf` entries, {@link SNAPSHOT_FILES}, the sysctl files) resolved through the `L`
 * records, with every directory and link met on the way.
 */
function reachable(links: ReadonlyMap<string, string>, listings: ReadonlyMap<string, ReadonlyArray<{ name: string }>>, R: string): { paths: Set<string>; dirs: Set<string> } {
  const paths = new Set<string>();
  const dirs = new Set<string>();
  const res = (name: string): string | null => {
    let pend = name.split('/');
    let dn: string[] = [];
    let hops = 0;
    while (pend.length > 0) {
      const part = pend.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') { dn.pop(); continue; }
      const c = [...dn, part].join('/');
      let t = links.get(c);
      if (t !== undefined) {
        paths.add(c);
        if (++hops > 40) return null;
        if (t.startsWith('/')) {
          dn = [];
          // a target naming a path under the host's root is taken chroot-style, as the script does
          if (R !== '' && (t === R || t.startsWith(`${R}/`))) t = t.slice(R.length);
        }
        pend = [...t.split('/'), ...pend];
      } else {
        if (dn.length > 0) dirs.add(dn.join('/'));
        dn = [...dn, part];
      }
    }
    return dn.length > 0 ? dn.join('/') : null;
  };
  const one = (name: string) => { const r = res(name); if (r !== null) paths.add(r); };
  for (const f of [...LIMITS_MAIN, ...SNAPSHOT_FILES, ...SYSCTL_FILES]) one(f);
  for (const d of [...LIMITS_DIRS, ...SYSCTL_DIRS_READ]) {
    const r = res(d);
    if (r === null) continue;
    paths.add(r);
    dirs.add(r);
    for (const e of listings.get(r) ?? []) if (!e.name.startsWith('.') && e.name.endsWith('.conf')) one(`${d}/${e.name}`);
  }
  return { paths, dirs };
}

/**
 * Read the read script's output. null when the host said NOROOT (the root is not a directory).
 * The output is untrusted (a compromised host prints what it likes): every line must be a record
 * of the exact form {@link readScript} prints, every name a plain path inside the root
 * ({@link safeRel}), listed names single components, each name reported once, and every path one
 * the script would report (a name it asks for, resolved through the snapshot's own symlinks, or a
 * directory on the way); nothing may follow the end marker.
 * @param root the root the read command was made for (its absolute symlink targets under it are read chroot-style)
 * @throws SnapshotError when the output is not a complete, well-formed snapshot (no magic line, no `E`, bad hex,
 *   an unexpected record or name)
 */
export function parseSnapshot(text: string, root = '/'): Snapshot | null {
  const lines = text.split('\n');
  let i = lines.findIndex((l) => l === SNAPSHOT_MAGIC || l === 'NOROOT');
  if (i < 0) throw new SnapshotError(`the host's answer is not a limitsctl snapshot (starts ${JSON.stringify(text.slice(0, 80))})`);
  if (lines[i] === 'NOROOT') {
    if (lines.slice(i + 1).some((l) => l !== '')) throw new SnapshotError('the host\'s answer has lines after NOROOT');
    return null;
  }
  const entries = new Map<string, SnapshotEntry>();
  const listings = new Map<string, Array<{ name: string; kind: 'd' | 'f' | 'l' | 'o' }>>();
  const bad = (line: string) => new SnapshotError(`unexpected line in the host's snapshot: ${JSON.stringify(line.slice(0, 80))}`);
  // a path is reported again when two names lead to it (the last report wins)
  const put = (rel: string, e: SnapshotEntry) => { entries.set(safeRel(rel, 'the path'), e); };
  let ended = false;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (ended) {
      if (line !== '') throw new SnapshotError(`the host's snapshot goes on after its end marker: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (line === '') continue;
    const f = line.split(' ');
    const n = (k: number) => { if (f.length !== k) throw bad(line); };
    switch (f[0]) {
      case 'E':
        n(1);
        ended = true;
        break;
      case 'L': {
        n(3);
        const target = decodeName(f[2]!);
        if (target === '' || target.includes('\0')) throw bad(line);
        put(decodeName(f[1]!), { kind: 'link', target });
        break;
      }
      case 'D':
        n(2);
        put(decodeName(f[1]!), { kind: 'dir' });
        break;
      case 'N': {
        n(4);
        const dir = safeRel(decodeName(f[1]!), 'the directory');
        if (!['d', 'f', 'l', 'o'].includes(f[2]!)) throw bad(line);
        const list = listings.get(dir) ?? [];
        const name = safeName(decodeName(f[3]!));
        if (!list.some((e) => e.name === name)) list.push({ name, kind: (f[2] as 'd' | 'f' | 'l' | 'o') });
        listings.set(dir, list);
        break;
      }
      case 'S':
        n(3);
        if (!['p', 'c', 'b', 's'].includes(f[2]!)) throw bad(line);
        put(decodeName(f[1]!), { kind: 'special', type: f[2] as 'p' | 'c' | 'b' | 's' });
        break;
      case 'U':
        if (f.length < 3) throw bad(line);
        put(decodeName(f[1]!), { kind: 'unreadable', message: f.slice(2).join(' ') });
        break;
      case 'F': {
        n(6);
        if (!/^[-a-zA-Z?][-a-zA-Z.+@]*$/.test(f[2]!) || !/^\d{1,9}$/.test(f[3]!) || !/^(\d{1,10}|\?)$/.test(f[4]!) || !/^(\d{1,10}|\?)$/.test(f[5]!)) {
          if (!(f[2] === '-' && f[3] === '1' && f[4] === '-' && f[5] === '-')) throw bad(line);
        }
        const rel = decodeName(f[1]!);
        let hex = '';
        for (i++; i < lines.length && lines[i] !== '.'; i++) hex += lines[i];
        if (i >= lines.length) throw new SnapshotError(`the snapshot of ${safeRel(rel, 'the path')} is cut short`);
        put(rel, { kind: 'file', bytes: hexToBinary(hex), mode: f[2]!, nlink: Number(f[3]) || 1, uid: f[4]!, gid: f[5]! });
        break;
      }
      default:
        throw bad(line);
    }
  }
  if (!ended) throw new SnapshotError('the host\'s snapshot is cut short (no end marker): the read command failed part way');
  // only what the read script reports: the names it asks for, through the host's own symlinks
  const links = new Map<string, string>();
  for (const [rel, e] of entries) if (e.kind === 'link') links.set(rel, e.target);
  const { paths, dirs } = reachable(links, listings, rootVar(root));
  for (const [rel, e] of entries) {
    if (!paths.has(rel) && !(e.kind === 'dir' && dirs.has(rel))) {
      throw new SnapshotError(`the host's snapshot reports ${JSON.stringify(rel.slice(0, 120))}, which the read command does not read: refused, nothing planned or written`);
    }
  }
  for (const d of listings.keys()) {
    if (!dirs.has(d) || entries.get(d)?.kind !== 'dir') throw new SnapshotError(`the host's snapshot lists ${JSON.stringify(d.slice(0, 120))}, which the read command does not list: refused, nothing planned or written`);
  }
  return { entries, listings };
}

/**
 * `printf` format text that prints exactly `bytes` (a binary string): printable ASCII, newline
 * and tab as they are, `'`, `\`, `%` and every other byte as an octal escape.
 */
export function printfFormat(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c && c !== 0x25) || c === 0x0a || c === 0x09) out += bytes[i];
    else out += `\\${c.toString(8).padStart(3, '0')}`;
  }
  return `'${out}'`;
}

let crcTable: Uint32Array | null = null;
/**
 * POSIX `cksum`'s CRC of a binary string (IEEE Std 1003.1 cksum: polynomial 0x04C11DB7, most
 * significant bit first, the length appended least significant byte first, complemented).
 */
export function posixCksum(bytes: string): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i << 24;
      for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0;
  const add = (b: number) => { crc = ((crc << 8) ^ crcTable![((crc >>> 24) ^ b) & 0xff]!) >>> 0; };
  for (let i = 0; i < bytes.length; i++) add(bytes.charCodeAt(i));
  for (let n = bytes.length; n > 0; n = Math.floor(n / 256)) add(n & 0xff);
  return (~crc) >>> 0;
}

/** One file to write on the host. */
export interface RemoteWrite {
  /** absolute host path of the real file (symlinks already resolved inside the tree) */
  readonly path: string;
  /** the bytes planned from (binary string); null: the file must not exist */
  readonly before: string | null;
  readonly after: string;
}

export interface WriteScriptOptions {
  /** keep the old bytes as `<path>.<YYYYMMDDTHHMMSSZ>.bak` (only for a file that changes) */
  readonly backup: boolean;
  /** the backup time stamp, `20261130T120000Z` (src/io/write.ts backupFileName's form) */
  readonly stamp: string;
  /** hex digits for the temporary file names (`.<name>.limitsctl-<pid>-<nonce>.tmp`, src/io/write.ts' pattern) */
  readonly nonce: string;
  /**
   * true: the bytes travel on the command's standard input (the connection takes input data),
   * and the command can carry files of any size up to {@link MAX_WRITE_STDIN}; false: they travel
   * inside the command as printf text, which one argument bounds ({@link MAX_WRITE_SCRIPT})
   */
  readonly stdin: boolean;
}

/** The largest write command sent as one argument (Linux MAX_ARG_STRLEN is 128 KiB). */
export const MAX_WRITE_SCRIPT = 120 * 1024;
/** The most bytes the write command takes on its standard input (every old and new file of one task). */
export const MAX_WRITE_STDIN = 64 * 1024 * 1024;

/** A write command, and the bytes to give it on its standard input (null: none). */
export interface WriteCommand {
  readonly script: string;
  /** binary string (one char per byte), or null when the bytes are inside the script */
  readonly stdin: string | null;
}

/**
 * The write command. The old bytes each file was planned from and the new bytes travel as one
 * block (on stdin, or as printf text in the command) that the command first keeps in a staging
 * file `.limitsctl-<pid>-<nonce>.in` beside the first file, so each byte is sent once.
 *
 * The compare-and-swap checks run before anything is created: a file whose `cksum` is not the
 * planned bytes' (or a file that exists where `before` is null) prints `CONFLICT <path>` and
 * nothing is made or written; then, with the staging file, every old file is compared byte for
 * byte with the bytes planned from (`CONFLICT` again, and the staging file removed). Then, per file: a temporary file in the same directory, made with the old
 * file's attributes (`cp --attributes-only --preserve=mode,ownership,xattr`, as src/io/write.ts
 * copies them: mode with ACLs, owner, group, SELinux label; `cp -p` where that option is
 * missing), filled with the new bytes; the backup (a copy of the file as it is now); then the
 * last check and, right after it, the rename (a new file is linked in place with `ln`, which
 * never replaces one). Between the last check and the rename runs nothing but the `mv`: a
 * change another writer makes in that window (the time `cmp` takes to read the file plus one
 * `mv` process start, about a millisecond for a small file) is lost, as with any rename-based
 * writer; a change before it makes the command stop with `CONFLICT` and remove its backup.
 * Temporary, staging and unfinished backup files are removed on every exit the shell sees (a
 * trap on EXIT, HUP, INT, TERM, PIPE); only SIGKILL of the shell leaves them.
 * Prints `WROTE <path> [backup]` per file and `DONE`, or `FAIL <path> <step>` and stops.
 * Host tools: sh, cat, cmp (or od), cp, mv, ln, mkdir, rm, chmod, tail and head -c (or dd), wc.
 */
export function writeScript(writes: readonly RemoteWrite[], o: WriteScriptOptions): WriteCommand {
  // the block: each file's old bytes, then its new bytes
  let block = '';
  const at: Array<{ before: [number, number] | null; after: [number, number] }> = [];
  for (const w of writes) {
    let before: [number, number] | null = null;
    if (w.before !== null) { before = [block.length, w.before.length]; block += w.before; }
    const after: [number, number] = [block.length, w.after.length];
    block += w.after;
    at.push({ before, after });
  }
  const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
  const home = writes.find((w) => w.before !== null) ?? writes[0]!;
  const first = shQuote(home.path);
  const piece = (r: [number, number]) => `piece ${r[0]} ${r[1]}`;
  const parts: string[] = [
    'LC_ALL=C; export LC_ALL; umask 022',
    'S=; T=; BK=',
    // whatever way the shell ends (but SIGKILL), it removes what it made and did not finish
    'cleanup() { [ -n "$T" ] && rm -f -- "$T"; [ -n "$BK" ] && rm -f -- "$BK"; [ -n "$S" ] && rm -f -- "$S"; }',
    "trap cleanup EXIT; trap 'exit 1' HUP INT TERM PIPE",
    `same() { if command -v cmp >/dev/null 2>&1; then cmp -s - "$1"; else [ "$(od -An -v -tx1)" = "$(od -An -v -tx1 < "$1")" ]; fi; }`,
    'fail() { echo "FAIL $(enc "$1") $2"; exit 0; }',
    'conflict() { echo "CONFLICT $(enc "$1")"; exit 0; }',
    `enc() { printf 'x:'; printf %s "$1" | od -An -v -tx1 | tr -d ' \\n'; }`,
    // bytes [offset, offset+length) of the staging file
    'if head -c 0 </dev/null >/dev/null 2>&1; then piece() { tail -c +$(($1+1)) "$S" | head -c "$2"; }; else piece() { dd if="$S" bs=1 skip="$1" count="$2" 2>/dev/null; }; fi',
  ];
  // 1. the compare-and-swap checks before anything is made: new files absent; existing files
  //    with the POSIX cksum (CRC and size) of the planned bytes — the exact check follows in 3.
  parts.push('if command -v cksum >/dev/null 2>&1; then sum() { cksum < "$1"; }; else sum() { echo "$2"; }; fi');
  writes.forEach((w) => {
    const f = shQuote(w.path);
    if (w.before === null) parts.push(`if [ -e ${f} ] || [ -L ${f} ]; then conflict ${f}; fi`);
    else {
      const sum = `${posixCksum(w.before)} ${w.before.length}`;
      parts.push(`if [ -L ${f} ] || [ ! -f ${f} ] || [ "$(sum ${f} '${sum}')" != '${sum}' ]; then conflict ${f}; fi`);
    }
  });
  // 2. the staging file, beside the first existing file (or in the first new file's directory)
  const hd = dirOf(home.path);
  if (home.before === null) parts.push(`mkdir -p -- ${shQuote(hd)} || fail ${first} mkdir`);
  parts.push(`S=${shQuote(`${hd === '/' ? '' : hd}/.limitsctl-`)}$$${shQuote(`-${o.nonce}.in`)}`);
  parts.push(o.stdin
    ? `(set -C; cat > "$S") || { S=; fail ${first} stage; }`
    : `(set -C; printf ${printfFormat(block)} > "$S") || { S=; fail ${first} stage; }`);
  parts.push(`[ "$(($(wc -c < "$S")))" -eq ${block.length} ] || fail ${first} stage`);
  // 3. the compare-and-swap checks of existing files
  writes.forEach((w, n) => {
    if (w.before !== null) parts.push(`${piece(at[n]!.before!)} | same ${shQuote(w.path)} || conflict ${shQuote(w.path)}`);
  });
  // 4. each file
  writes.forEach((w, n) => {
    const f = shQuote(w.path);
    const dir = dirOf(w.path);
    const name = w.path.slice(w.path.lastIndexOf('/') + 1);
    parts.push(`T=${shQuote(`${dir === '/' ? '' : dir}/.${name.slice(0, 200)}.limitsctl-`)}$$${shQuote(`-${o.nonce}${n.toString(16)}.tmp`)}`);
    if (w.before === null) {
      parts.push(`mkdir -p -- ${shQuote(dir)} || fail ${f} mkdir`);
      parts.push(`(set -C; : > "$T") || { T=; fail ${f} create; }`);
      parts.push(`${piece(at[n]!.after)} > "$T" || fail ${f} write`);
      parts.push(`chmod 0644 "$T" || fail ${f} chmod`);
      parts.push(`ln -- "$T" ${f} 2>/dev/null || conflict ${f}`);
      parts.push(`rm -f -- "$T"; T=`);
      parts.push(`echo "WROTE $(enc ${f})"`);
    } else {
      parts.push(`(set -C; : > "$T") || { T=; fail ${f} create; }`);
      parts.push(`cp --attributes-only --preserve=mode,ownership,xattr -- ${f} "$T" 2>/dev/null || cp -p -- ${f} "$T" || fail ${f} attributes`);
      parts.push(`${piece(at[n]!.after)} > "$T" || fail ${f} write`);
      let backup = '';
      if (o.backup) {
        // the backup before the last check: nothing but the check stands between it and the rename
        const b = `${w.path}.${o.stamp}`;
        parts.push(`B=${shQuote(`${b}.bak`)}; i=0; while [ -e "$B" ] || [ -L "$B" ]; do i=$((i+1)); B=${shQuote(b)}.$i.bak; done`);
        parts.push(`BK=$B; cp -p -- ${f} "$B" || fail ${f} backup`);
        backup = ' $(enc "$B")';
      }
      // the last check, then the rename at once: a writer since the first check keeps its change
      parts.push(`${piece(at[n]!.before!)} | same ${f} || conflict ${f}`);
      parts.push(`mv -f -- "$T" ${f} || fail ${f} rename`);
      parts.push(`T=; BK=; echo "WROTE $(enc ${f})${backup}"`);
    }
  });
  parts.push('echo DONE');
  // no final newline: Ansible appends `&& sleep 0` to the command
  return { script: parts.join('\n'), stdin: o.stdin ? block : null };
}

export interface WriteOutcome {
  /** files written, with their backup */
  readonly wrote: ReadonlyArray<{ readonly path: string; readonly backup: string | null }>;
  /** set when a compare-and-swap check failed: the file another writer changed (nothing of it was written) */
  readonly conflict: string | null;
  /** set when a step failed: the file and the step (mkdir, create, attributes, write, backup, rename) */
  readonly failed: { readonly path: string; readonly step: string } | null;
  /** true when the script ran to its end */
  readonly done: boolean;
}

/** Read the write script's report. */
export function parseWriteOutput(text: string): WriteOutcome {
  const wrote: Array<{ path: string; backup: string | null }> = [];
  let conflict: string | null = null;
  let failed: { path: string; step: string } | null = null;
  let done = false;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'WROTE' && f[1]) wrote.push({ path: decodeName(f[1]), backup: f[2] ? decodeName(f[2]) : null });
    else if (f[0] === 'CONFLICT' && f[1]) conflict = decodeName(f[1]);
    else if (f[0] === 'FAIL' && f[1]) failed = { path: decodeName(f[1]), step: f[2] ?? '?' };
    else if (f[0] === 'DONE') done = true;
  }
  return { wrote, conflict, failed, done };
}

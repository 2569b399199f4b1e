/**
 * Kernel parameters as the boot configuration of a tree sets them: the sysctl.d(5) directories and
 * /etc/sysctl.conf, read in the order procps-ng's `sysctl --system` reads them (sysctl(8), procps-ng
 * 4.0.2 "SYSTEM FILE PRECEDENCE") and systemd-sysctl reads the directories (sysctl.d(5), systemd
 * 252 "CONFIGURATION DIRECTORIES AND PRECEDENCE"):
 *
 * - the `*.conf` files of SYSCTL_DIRS; a file name in an earlier directory masks the same name in
 *   a later one (an `etc/sysctl.d/x.conf -> /dev/null` switches a vendor's x.conf off);
 * - all of them sorted by file name (byte order), whatever their directory;
 * - then etc/sysctl.conf (procps reads it after the directories; systemd-sysctl reads it only
 *   through the `99-sysctl.conf -> ../sysctl.conf` link Debian's procps and systemd's packaging
 *   install in etc/sysctl.d);
 * - a later assignment of a key replaces an earlier one (systemd-sysctl: "Overwriting earlier
 *   assignment"; procps writes every assignment in turn, so the last write stays).
 *
 * Pure: the io ring lists the directories and reads the files (src/io/system.ts sysctlNrOpen).
 * Used for fs.nr_open when a tree has no /proc snapshot (a configuration repository).
 */

/** The sysctl.d directories, relative to the root, in precedence order (procps-ng 4.0.2 also reads lib/sysctl.d). */
export const SYSCTL_DIRS = ['etc/sysctl.d', 'run/sysctl.d', 'usr/local/lib/sysctl.d', 'usr/lib/sysctl.d', 'lib/sysctl.d'] as const;
/** procps' DEFAULT_PRELOAD, read after every directory. */
export const SYSCTL_CONF = 'etc/sysctl.conf';

/** One `key = value` line. */
export interface SysctlAssignment {
  /** the key in /proc/sys path form (`fs/nr_open`), whichever separator the line used */
  readonly key: string;
  /** the value with the whitespace around it removed */
  readonly value: string;
  /** the file (relative to the root) and 1-based line */
  readonly file: string;
  readonly line: number;
  /** the line started with `-`: a failure to set it is ignored */
  readonly ignoreErrors: boolean;
}

/**
 * A key in /proc/sys path form, by sysctl.d(5)'s rule: when the first separator is a slash the key
 * is already a path; when it is a dot, dots and slashes are interchanged
 * (`net.ipv4.conf.enp3s0/200.forwarding` is `net/ipv4/conf/enp3s0.200/forwarding`).
 */
export function sysctlKeyPath(key: string): string {
  const first = key.search(/[./]/);
  if (first < 0 || key[first] === '/') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * The assignments of one sysctl.d / sysctl.conf file (`file` is its path relative to the root, for
 * provenance). Lines whose first non-blank character is `#` or `;` and blank lines are skipped;
 * a leading `-` marks an assignment whose failure is ignored; whitespace around the key and the
 * value is removed (sysctl.conf(5)). A line without `=` assigns nothing (systemd: "Line is not an
 * assignment" or, after `-`, a glob exclusion). Never throws.
 */
export function parseSysctlConf(text: string, file: string): SysctlAssignment[] {
  const out: SysctlAssignment[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!.replace(/\r$/, '').trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';')) continue;
    const ignoreErrors = s.startsWith('-');
    if (ignoreErrors) s = s.slice(1);
    const eq = s.indexOf('=');
    if (eq < 0) continue;
    const key = s.slice(0, eq).trim();
    if (key === '') continue;
    out.push({ key: sysctlKeyPath(key), value: s.slice(eq + 1).trim(), file, line: i + 1, ignoreErrors });
  }
  return out;
}

/**
 * The order the files are read in: `dirs` are the `*.conf` names found in each of SYSCTL_DIRS (in
 * that order); a name masks the same name in later directories; the result is sorted by file name
 * (byte order), then `etc/sysctl.conf` when `hasSysctlConf`. Paths are relative to the root.
 */
export function sysctlReadOrder(dirs: ReadonlyArray<{ readonly dir: string; readonly names: readonly string[] }>, hasSysctlConf: boolean): string[] {
  const byName = new Map<string, string>();
  for (const { dir, names } of dirs) {
    for (const name of names) {
      if (!name.endsWith('.conf') || name.startsWith('.')) continue;
      if (!byName.has(name)) byName.set(name, `${dir}/${name}`);
    }
  }
  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = names.map((n) => byName.get(n)!);
  if (hasSysctlConf) out.push(SYSCTL_CONF);
  return out;
}

/** The bounds the kernel accepts for fs.nr_open on 64-bit (fs/file.c: sysctl_nr_open_min = BITS_PER_LONG, sysctl_nr_open_max). */
export const NR_OPEN_MIN = 64n;
export const NR_OPEN_MAX = 2147483584n;

/** A value of fs.nr_open from the configuration, with where it was set. */
export interface SysctlNrOpen {
  readonly value: bigint;
  readonly file: string;
  readonly line: number;
}

/**
 * fs.nr_open as the files (already in sysctlReadOrder) leave it: the last assignment the kernel
 * would accept. A value that is not a whole number from NR_OPEN_MIN to NR_OPEN_MAX is refused by
 * the kernel (EINVAL; proc_dointvec_minmax), so the value before it stays. null when no file sets it.
 */
export function nrOpenFromSysctl(files: ReadonlyArray<{ readonly file: string; readonly text: string }>): SysctlNrOpen | null {
  let found: SysctlNrOpen | null = null;
  for (const { file, text } of files) {
    for (const a of parseSysctlConf(text, file)) {
      if (a.key !== 'fs/nr_open' || !/^\d+$/.test(a.value)) continue;
      const v = BigInt(a.value);
      if (v < NR_OPEN_MIN || v > NR_OPEN_MAX) continue;
      found = { value: v, file: a.file, line: a.line };
    }
  }
  return found;
}

/** `etc/sysctl.d/99-tune.conf:3`: where a value from the configuration was set, for messages. */
export function sysctlSourceText(s: { readonly file: string; readonly line: number }): string {
  return `${s.file}:${s.line}`;
}

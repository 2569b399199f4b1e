/**
 * systemd's own parser, run on a tree without a running manager: `systemd-analyze verify
 * --root=TREE UNIT...` loads the units from the tree's search path (fragment and drop-ins) and,
 * with SYSTEMD_LOG_LEVEL=debug, dumps each loaded unit, including `LimitX:` (hard) and
 * `LimitXSoft:` (soft) for every limit the unit sets. It does not read system.conf (the manager's
 * DefaultLimit*= are applied by PID 1 only), so manager files are checked with
 * `systemd-analyze cat-config --root=TREE systemd/system.conf` (the files and their order) and,
 * for the values, with `systemd --test --system` (see managerDefaults).
 * Observed with systemd 252.38-1~deb12u1 (Debian 12).
 */
import { spawnSync } from 'node:child_process';

export interface AnalyzedUnit {
  fragment: string | null;
  dropins: string[];
  /** setting (LimitNOFILE) → [soft, hard] in kernel units as systemd prints them */
  limits: Map<string, [bigint, bigint]>;
}

/** Why systemd-analyze cannot be used here, or null. */
export function analyzeSkipReason(): string | null {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (r.error) return `systemd-analyze cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install the systemd package`;
  if (!/^systemd 252\b/m.test(r.stdout)) return `systemd-analyze is not systemd 252 (the version the rules were taken from): ${r.stdout.split('\n')[0]}`;
  return null;
}

/** Parse the `-> Unit NAME:` blocks of a debug dump. */
export function parseDump(text: string, root: string): Map<string, AnalyzedUnit> {
  const units = new Map<string, AnalyzedUnit>();
  let cur: AnalyzedUnit | null = null;
  const rel = (p: string) => (p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
  const soft = new Map<string, bigint>();
  const hard = new Map<string, bigint>();
  const flush = () => {
    if (!cur) return;
    for (const [k, h] of hard) cur.limits.set(k, [soft.get(k) ?? h, h]);
    soft.clear();
    hard.clear();
  };
  for (const line of text.split('\n')) {
    const head = /^\t-> Unit (.+):$/.exec(line);
    if (head) {
      flush();
      cur = { fragment: null, dropins: [], limits: new Map() };
      units.set(head[1]!, cur);
      continue;
    }
    if (!cur) continue;
    let m = /^\t\tFragment Path: (.+)$/.exec(line);
    if (m) cur.fragment = rel(m[1]!);
    m = /^\t\tDropIn Path: (.+)$/.exec(line);
    if (m) cur.dropins.push(rel(m[1]!));
    m = /^\t\t(Limit[A-Z]+?)(Soft)?: (\d+)$/.exec(line);
    if (m) (m[2] ? soft : hard).set(m[1]!, BigInt(m[3]!));
  }
  flush();
  return units;
}

/** Load `units` from `root` with systemd-analyze verify and return its dump. */
export function analyzeUnits(root: string, units: readonly string[]): Map<string, AnalyzedUnit> {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...units], {
    encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'debug', SYSTEMD_LOG_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024,
  });
  return parseDump(`${r.stdout}\n${r.stderr}`, root);
}

/** The manager files `systemd-analyze cat-config` reads for system.conf, in its order (relative to root). */
export function catConfigFiles(root: string): string[] {
  const r = spawnSync('systemd-analyze', ['cat-config', `--root=${root}`, '--no-pager', 'systemd/system.conf'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.startsWith(`# ${root}/`)).map((l) => l.slice(root.length + 3));
}

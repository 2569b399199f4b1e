/**
 * Helpers for the tests of the Ansible collection (ansible/collections/…/limitsctl/pam) run by a
 * real ansible-playbook over chroot hosts built by .ci/hosts.sh (debootstrap --variant=minbase of
 * Debian 11, 12 and 13: the real pam_limits, no node, no python).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers.js';

/** Where .ci/hosts.sh keeps its trees: <dir>/<suite> (never written by tests: they copy it). */
export const HOSTS_DIR = process.env.LIMITSCTL_HOSTS_DIR ?? '/var/cache/limitsctl-hosts';
export const SUITES = ['bullseye', 'bookworm', 'trixie'] as const;
export type Suite = (typeof SUITES)[number];
/**
 * ANSIBLE_COLLECTIONS_PATH: this checkout's ansible/collections, or LIMITSCTL_COLLECTIONS_PATH (e.g.
 * the directory `ansible-galaxy collection install <built tarball> -p DIR` filled).
 */
export const COLLECTIONS = process.env.LIMITSCTL_COLLECTIONS_PATH ?? path.join(REPO, 'ansible/collections');
export const COLLECTION = path.join(COLLECTIONS, 'ansible_collections/limitsctl/pam');
/** The test-only connection plugin (community.general.chroot + command log + concurrent writer). */
export const CONNECTION_PLUGINS = path.join(REPO, 'fixtures/ansible/connection_plugins');
export const PLAYBOOKS = path.join(REPO, 'fixtures/ansible/collection');
/** `chroot-proc DIR CMD…`: chroot with the kernel's /proc mounted inside, in a private mount namespace. */
export const CHROOT = path.join(REPO, 'fixtures/ansible/chroot-proc');
/** The largest hard nofile the playbook sets: the test process must be able to give it (see chrootSkipReason). */
const MAX_HARD_NOFILE = 16384;

/** Whether this process may raise a hard limit (CAP_SYS_RESOURCE, bit 24 of CapEff), and its hard nofile. */
function rlimitRoom(): { capSysResource: boolean; hardNofile: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '0';
  return { capSysResource: (capEff & (1n << 24n)) !== 0n, hardNofile: hard === 'unlimited' ? Infinity : Number(hard) };
}

/**
 * Why the chroot-host tests cannot run here, or null when they can: not root (chroot), no
 * ansible-playbook or community.general.chroot, no hosts from .ci/hosts.sh, no collection, no dist/.
 * Printed as "`what` skipped: …"; with LIMITSCTL_REQUIRE_ANSIBLE=1 (CI) a reason throws instead.
 */
export function chrootSkipReason(what: string): string | null {
  let reason: string | null = null;
  const v = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (process.getuid?.() !== 0) reason = 'the chroot connection needs root';
  else if (v.error || v.status !== 0) reason = 'ansible-playbook is not installed or broken (apt-get install ansible)';
  else if (spawnSync('ansible-doc', ['-t', 'connection', '-j', 'community.general.chroot'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_HOME: '/nonexistent' } }).status !== 0) {
    reason = 'the community.general.chroot connection is not installed (Debian: apt-get install ansible)';
  } else if (!SUITES.every((s) => existsSync(path.join(HOSTS_DIR, s, 'bin/sh'))) || !existsSync(path.join(HOSTS_DIR, 'COMPLETE'))) {
    reason = `no chroot hosts in ${HOSTS_DIR} (run .ci/hosts.sh as root: apt-get install debootstrap first)`;
  } else if (!['galaxy.yml', 'MANIFEST.json'].some((f) => existsSync(path.join(COLLECTION, f)))) {
    reason = `the collection is missing (no galaxy.yml or MANIFEST.json in ${COLLECTION})`;
  }
  else if (!existsSync(path.join(REPO, 'dist/index.js'))) reason = 'dist/ is not built (npm run build)';
  else if (spawnSync('unshare', ['-m', 'true']).status !== 0) reason = 'unshare -m fails here (fixtures/ansible/chroot-proc mounts /proc in a private mount namespace)';
  else {
    const room = rlimitRoom();
    if (!room.capSysResource && room.hardNofile < MAX_HARD_NOFILE) reason = `this process has hard nofile ${room.hardNofile} and no CAP_SYS_RESOURCE: pam_limits could not give the playbook's ${MAX_HARD_NOFILE}`;
  }
  if (reason && process.env.LIMITSCTL_REQUIRE_ANSIBLE === '1') throw new Error(`LIMITSCTL_REQUIRE_ANSIBLE=1, but ${what} cannot run: ${reason}`);
  if (reason) console.warn(`${what} skipped: ${reason}`);
  return reason;
}

/** A private copy of the cached `suite` tree at `dest` (reflinked where the filesystem can). */
export function copyHost(suite: Suite, dest: string): void {
  const r = spawnSync('cp', ['-a', '--reflink=auto', path.join(HOSTS_DIR, suite), dest], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${suite} ${dest}: ${r.stderr}`);
}

/** Runs `script` with /bin/sh inside the chroot `root`; throws with its stderr when it fails. */
export function inChroot(root: string, script: string): string {
  const r = spawnSync(CHROOT, [root, '/bin/sh', '-c', script], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
  if (r.status !== 0) throw new Error(`chroot ${root} sh -c '${script}' exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The bash `ulimit` flag of each limit the tests read. */
export const ULIMITS = { nofileSoft: '-Sn', nofileHard: '-Hn', nprocSoft: '-Su', nprocHard: '-Hu', coreHard: '-Hc' } as const;
export type Ulimits = Record<keyof typeof ULIMITS, string>;

/**
 * The limits a new login session of `user` gets from the REAL pam_limits of the chroot `root`:
 * `chroot ROOT runuser -l USER -c 'ulimit …'` (through CHROOT, with /proc mounted) (Debian's /etc/pam.d/runuser-l includes runuser,
 * whose session stack calls pam_limits.so). Values as the shell prints them ("unlimited" or a number).
 */
export function sessionLimits(root: string, user: string): Ulimits {
  const keys = Object.keys(ULIMITS) as (keyof typeof ULIMITS)[];
  const script = keys.map((k) => `ulimit ${ULIMITS[k]}`).join('; ');
  const r = spawnSync(CHROOT, [root, 'runuser', '-l', user, '-c', script], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
  if (r.status !== 0) throw new Error(`chroot ${root} runuser -l ${user} exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== keys.length) throw new Error(`runuser -l ${user} printed ${JSON.stringify(r.stdout)}`);
  return Object.fromEntries(keys.map((k, i) => [k, lines[i]!.trim()])) as Ulimits;
}

export interface Entry { type: string; mode: number; uid: number; gid: number; mtimeNs: bigint; size: bigint; ino: bigint; content?: string }

/**
 * Every path under `root` (not below proc, sys, dev): type, mode, owner, mtime (ns), size, inode,
 * and for files and links under `contentDirs` (relative) their bytes (base64) or target.
 */
export function snapshotTree(root: string, contentDirs: readonly string[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const skip = new Set(['proc', 'sys', 'dev']);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      if (skip.has(rel)) continue;
      const st = lstatSync(full, { bigint: true });
      const e: Entry = { type: st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other', mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs, size: st.size, ino: st.ino };
      const wantContent = contentDirs.some((d) => rel === d || rel.startsWith(`${d}/`));
      if (e.type === 'link') e.content = readlinkSync(full);
      else if (e.type === 'file' && wantContent) e.content = readFileSync(full).toString('base64');
      out.set(rel, e);
      if (e.type === 'dir') walk(full);
    }
  };
  walk(root);
  return out;
}

/** The paths whose entry differs between two snapshots (added, removed or changed), sorted. */
export function changedPaths(a: Map<string, Entry>, b: Map<string, Entry>): string[] {
  const out = new Set<string>();
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || JSON.stringify(v, big) !== JSON.stringify(w, big)) out.add(k);
  }
  for (const k of b.keys()) if (!a.has(k)) out.add(k);
  return [...out].sort();
}
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

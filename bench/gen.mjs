// Deterministic generators for benchmark trees.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 0x100000000; };
}

const DOMAINS = ['*', 'admin', 'deploy', '@developers', '@ops', 'postgres', '1000:1999', '@:2000', 'www-data', 'alice'];
const ITEMS = ['nproc', 'nofile', 'core', 'stack', 'memlock', 'as', 'cpu', 'rtprio', 'nice', 'maxlogins', 'msgqueue', 'sigpending'];
const TYPES = ['soft', 'hard', '-'];
const VALUES = ['1024', '4096', '65536', 'unlimited', '0', '8192', '-1', '100', '10'];

/** One realistic line: entries, comments, blank lines, the odd inline comment. */
export function line(r) {
  const x = r();
  if (x < 0.15) return `# comment ${Math.floor(r() * 1e6)} about limits and why they were set`;
  if (x < 0.2) return '';
  const pick = (a) => a[Math.floor(r() * a.length)];
  const entry = `${pick(DOMAINS).padEnd(16)}${pick(TYPES).padEnd(8)}${pick(ITEMS).padEnd(16)}${pick(VALUES)}`;
  return x < 0.25 ? `${entry}    # ticket OPS-${Math.floor(r() * 9999)}` : entry;
}

/** A tree of `lines` lines: limits.conf plus `files - 1` drop-ins. Returns total bytes. */
export function writeTree(root, lines, files, seed = 1) {
  const r = rng(seed);
  const sec = path.join(root, 'etc/security');
  mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
  let bytes = 0;
  const per = Math.ceil(lines / files);
  for (let f = 0; f < files; f++) {
    const out = [];
    for (let i = 0; i < per && f * per + i < lines; i++) out.push(line(r));
    const text = `${out.join('\n')}\n`;
    bytes += Buffer.byteLength(text);
    const name = f === 0 ? path.join(sec, 'limits.conf') : path.join(sec, 'limits.d', `${String(f).padStart(4, '0')}-bench.conf`);
    writeFileSync(name, text);
  }
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nadmin:x:1000:\ndevelopers:x:2000:admin\n');
  return bytes;
}

/**
 * A config repository: `hosts` trees hosts/hostNNNN/etc/security, each a limits.conf and
 * `filesPerHost - 1` drop-ins of `linesPerFile` lines. Returns total bytes.
 */
export function writeRepo(dir, hosts, filesPerHost, linesPerFile, seed) {
  const r = rng(seed);
  let bytes = 0;
  for (let h = 0; h < hosts; h++) {
    const sec = path.join(dir, 'hosts', `host${String(h).padStart(4, '0')}`, 'etc/security');
    mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
    for (let f = 0; f < filesPerHost; f++) {
      const out = [];
      for (let i = 0; i < linesPerFile; i++) out.push(line(r));
      const text = `${out.join('\n')}\n`;
      bytes += Buffer.byteLength(text);
      const name = f === 0 ? path.join(sec, 'limits.conf') : path.join(sec, 'limits.d', `${10 + f}-x.conf`);
      writeFileSync(name, text);
    }
  }
  return bytes;
}

/**
 * A tree of `lines` entry lines in `files` files (limits.conf and drop-ins, each well under
 * limitsctl's 16 MiB cap on a limits file) `stretch` times as long as at stretch 1 (about
 * 53 bytes): every part of the line — user name, the blanks between fields, the trailing comment —
 * grows by the same factor, so 1 and 4 compare the same lines at one and four times the length.
 * Users come from a pool of 40 (in etc/passwd), so the (item, domain) groups do not change with
 * the length. Returns total bytes.
 */
export function writeStretchedTree(root, lines, stretch, seed, files = 10) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const sec = path.join(root, 'etc/security');
  mkdirSync(path.join(sec, 'limits.d'), { recursive: true });
  const user = (i) => `u${i}`.padEnd(8 * stretch, 'x');
  const gap = ' '.repeat(3 * stretch);
  // the comment also absorbs the fixed part (type, item, value, "# ": about 17 bytes), so that the
  // whole line, not only its variable parts, is `stretch` times as long
  const clen = 16 * stretch + 17 * (stretch - 1);
  const out = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(r() * 1e9).toString(36);
    out.push(`${user(Math.floor(r() * 40))}${gap}${pick(TYPES)}${gap}${pick(ITEMS)}${gap}${pick(VALUES)}${gap}# ${n.repeat(Math.ceil(clen / n.length)).slice(0, clen)}`);
  }
  let bytes = 0;
  const per = Math.ceil(lines / files);
  for (let f = 0; f < files; f++) {
    const text = `${out.slice(f * per, (f + 1) * per).join('\n')}\n`;
    bytes += Buffer.byteLength(text);
    writeFileSync(f === 0 ? path.join(sec, 'limits.conf') : path.join(sec, 'limits.d', `${String(f).padStart(4, '0')}-bench.conf`), text);
  }
  const passwd = Array.from({ length: 40 }, (_, i) => `${user(i)}:x:${1000 + i}:1000::/home/u${i}:/bin/sh`);
  writeFileSync(path.join(root, 'etc/passwd'), `root:x:0:0::/root:/bin/sh\n${passwd.join('\n')}\n`);
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nusers:x:1000:\n');
  return bytes;
}

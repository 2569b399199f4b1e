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

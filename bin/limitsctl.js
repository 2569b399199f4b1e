#!/usr/bin/env node
// The installed command. A CommonJS file (bin/package.json says so): an ES-module entry point
// costs Node its module loader at every start.
//
// Ctrl-C or a kill (SIGINT, SIGTERM, SIGHUP): no handler is installed here, so the signal's
// default action ends the process at once, with the signal as its status (130, 143, 129 in a
// shell). Only while something must be cleaned up are there handlers (src/io/signal-cleanup.ts):
// the tree lock is removed, or the temporary file of `lint --output-file`, and then the same
// signal ends the process. Each file is replaced atomically; docs/editing.md says what an
// interrupted multi-file write leaves and how a re-run completes it.
'use strict';

// The program is dist/limitsctl.cjs, the whole CLI in one file (scripts/bundle.mjs), compiled
// through V8's code cache: what V8 compiled for the last run of the same command is kept under
// the user's cache directory and handed back to it, so a start compiles almost nothing. The
// commands most often run cold start from a partial bundle instead, the same CLI with only some
// commands, which hands any other command line to the whole one: dist/limitsctl-core.cjs
// (CORE_WORDS), dist/limitsctl-lint.cjs (LINT_WORDS) and dist/limitsctl-edit.cjs (EDIT_WORDS).
// docs/performance.md describes the cache; LIMITSCTL_NO_CODE_CACHE=1 turns it off. Nothing about
// the cache ever fails a command: an unreadable, unwritable, foreign or corrupt cache is not used.
// Without the bundle (a tree built with tsc alone) the ES modules of dist/cli run instead.
const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join(__dirname, '..', 'dist', 'limitsctl.cjs');
/** The commands of the core bundle (CORE_COMMANDS in scripts/bundle.mjs). */
const CORE_WORDS = ['files', 'get', 'effective', 'explain'];
/** The commands of the lint bundle (LINT_COMMANDS in scripts/bundle.mjs). */
const LINT_WORDS = ['lint'];
/** The commands of the edit bundle (EDIT_COMMANDS in scripts/bundle.mjs). */
const EDIT_WORDS = ['set', 'unset'];
/** The partial bundles: tag (which names their cache files), file, command words. */
const PARTS = [
  ['core', path.join(__dirname, '..', 'dist', 'limitsctl-core.cjs'), CORE_WORDS],
  ['lint', path.join(__dirname, '..', 'dist', 'limitsctl-lint.cjs'), LINT_WORDS],
  ['edit', path.join(__dirname, '..', 'dist', 'limitsctl-edit.cjs'), EDIT_WORDS],
];
/** Every tag of a cache file name. */
const TAGS = ['cli', ...PARTS.map(([tag]) => tag)];
const argv = process.argv.slice(2);

/**
 * Cache files: MAGIC, the length n of the V8 data (uint32 LE), four zero bytes, the V8 data
 * (vm.Script cachedData), and the same n bytes again. V8 checks its data's header, not all of it;
 * a file whose two copies differ (torn, damaged) is not used. Comparing two copies (memcmp) costs
 * next to nothing, where a checksum would load node:zlib (and with it the stream modules) or run a
 * loop over every byte before the program starts. The header is 16 bytes so that the data starts
 * 8-byte aligned in the buffer it is read into: V8 copies cached data that is not pointer-aligned
 * before it reads it (hundreds of KiB, each page a fault). Not against an attacker: a cache file is
 * used only when it is the user's own (ownedPrivately).
 */
const MAGIC = Buffer.from('LCTLv8c3');
const HEADER = MAGIC.length + 8;
/**
 * How a bundle's text begins after its '#!' line (scripts/bundle.mjs VM_WRAPPED; the test of the
 * bundle compares them): run by require() or `node`, it calls the function that holds the bundle
 * with CommonJS' arguments; compiled as a script of its own (loadWithCache), it is that function.
 */
const VM_WRAPPED = '((f) => this === globalThis ? f : f.call(this, exports, require, module, __filename, __dirname))(function (exports, require, module, __filename, __dirname) {';
/** A cache file larger than this is not read (the bundle's is a few hundred KiB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The V8 data of the cache file open on `fd` (`size` bytes), or undefined when it is not a whole,
 * undamaged one. The data is read once, into a buffer of its own size (8-byte aligned: a fresh
 * allocation); its second copy is compared a piece at a time through one small buffer, so the
 * second copy costs no memory of its size (each page touched for the first time is a fault).
 */
function readCacheData(fd, size) {
  const head = Buffer.allocUnsafe(HEADER);
  if (size <= HEADER || fs.readSync(fd, head, 0, HEADER, 0) !== HEADER || !head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const n = head.readUInt32LE(MAGIC.length);
  if (n === 0 || head.readUInt32LE(MAGIC.length + 4) !== 0 || size !== HEADER + 2 * n) return undefined;
  const data = Buffer.allocUnsafe(n);
  if (fs.readSync(fd, data, 0, n, HEADER) !== n) return undefined;
  const piece = Buffer.allocUnsafe(Math.min(n, 64 * 1024));
  for (let at = 0; at < n;) {
    const k = fs.readSync(fd, piece, 0, Math.min(piece.length, n - at), HEADER + n + at);
    if (k <= 0 || !piece.subarray(0, k).equals(data.subarray(at, at + k))) return undefined;
    at += k;
  }
  return data;
}

/** The directory for the code cache, or null when there is none (turned off, no HOME). */
function cacheDir(env) {
  const off = env.LIMITSCTL_NO_CODE_CACHE;
  if (off !== undefined && off !== '' && off !== '0') return null;
  if (env.LIMITSCTL_CACHE_DIR) return path.isAbsolute(env.LIMITSCTL_CACHE_DIR) ? env.LIMITSCTL_CACHE_DIR : null;
  const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : null;
  const home = env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, '.cache') : null;
  const base = xdg ?? home;
  return base === null ? null : path.join(base, 'limitsctl');
}

/** Only this user's own files are trusted: V8 runs what a cache file holds. */
function ownedPrivately(st) {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : st.uid;
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/**
 * The command word as the cache names it (a cache per command holds the functions that command
 * compiled): the first word that is not an option or the value of --root/--profile; 'none' for
 * help and version. The word is checked against the commands only after the run (runBundled).
 */
function commandWord() {
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === '--root' || w === '--profile') { i++; continue; }
    if (w.startsWith('-')) continue;
    return /^[a-z]{1,20}$/.test(w) ? w : null;
  }
  return 'none';
}

/**
 * Load a bundle (`file`, `tag`: 'cli' or a partial bundle's, which names its cache files) with V8's code
 * cache; returns its exports and a function that saves the cache.
 */
function loadWithCache(dir, file, st, tag) {
  const vm = require('node:vm');
  const word = commandWord();
  // the bundle as this Node reads it: a new build, a new Node or another architecture is another
  // key; the place it is installed in (siteOf) comes first, so that the caches of two installs
  // sharing a cache directory (a global one and a project's, two clones) are two sets of files
  const site = siteOf(file);
  const build = `${tag}-${site}-${process.versions.v8}-${process.arch}-${st.ino}-${st.size}-${Math.trunc(st.mtimeMs)}`;
  const name = word === null ? null : `limitsctl-${build}-${word}.v8cache`;
  let cached;
  if (name !== null) {
    try {
      const dst = fs.lstatSync(dir);
      if (dst.isDirectory() && ownedPrivately(dst)) {
        // O_NONBLOCK: a FIFO of that name would block the open for ever (it is then no file: not read)
        const fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
        try {
          const fst = fs.fstatSync(fd);
          if (fst.isFile() && ownedPrivately(fst) && fst.size > HEADER && fst.size <= MAX_CACHE_BYTES) cached = readCacheData(fd, fst.size);
        } finally {
          fs.closeSync(fd);
        }
      }
    } catch {
      cached = undefined; // absent, unreadable, not ours: compile from source
    }
  }
  // the bundle is ASCII (esbuild escapes the rest), so latin1 reads it exactly and fastest
  const source = fs.readFileSync(file, 'latin1');
  // A bundle is one function expression already (VM_WRAPPED), so its text is compiled as it is;
  // CommonJS' own wrapper (node:module's wrap) around it would be a second copy of every byte
  // (a bundle from an older build is wrapped so)
  const wrapped = source.startsWith(VM_WRAPPED, source.startsWith('#!') ? source.indexOf('\n') + 1 : 0);
  const text = wrapped ? source : `(function (exports, require, module, __filename, __dirname) { ${source.startsWith('#!') ? `//${source.slice(2)}` : source}\n});`;
  const script = new vm.Script(text, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  const save = () => {
    if (name === null || (cached && !script.cachedDataRejected)) return;
    // the program changed V8's flags while it ran (lint of a large tree or of a repository: its
    // V8_FLAGS_CHANGED): V8 stamps a cache with a hash of its flags, so one made now would be
    // rejected by the next run, which starts with the default flags, and rewritten every time
    if (globalThis[Symbol.for('limitsctl.v8-flags-changed')] === true) return;
    const commands = mod.exports.COMMANDS?.map((c) => c.command.split(' ')[0]) ?? [];
    if (word !== 'none' && !commands.includes(word)) return;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const dst = fs.lstatSync(dir);
      if (!dst.isDirectory() || !ownedPrivately(dst)) return;
      const data = script.createCachedData();
      const length = Buffer.alloc(HEADER - MAGIC.length);
      length.writeUInt32LE(data.length);
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      try {
        const bytes = Buffer.concat([MAGIC, length, data, data]);
        if (fs.writeSync(fd, bytes) !== bytes.length) throw new Error('short write');
        fs.closeSync(fd);
        fs.renameSync(tmp, path.join(dir, name));
      } catch (e) {
        try { fs.closeSync(fd); } catch { /* closed */ }
        fs.rmSync(tmp, { force: true });
        throw e;
      }
      // Never read again: the caches of this bundle's other builds or Node versions in this place,
      // those of older versions of this program (names without a tag, or without a place), and a
      // temporary file whose writer is gone (killed between its open and its rename). The caches
      // of an install elsewhere are its own: removed only once not written for STALE_MS (a bundle
      // deleted or long unused; one still in use writes its cache again at its next run).
      // (each removal on its own: one that fails, a directory of such a name, stops no other)
      const remove = (f) => { try { fs.rmSync(path.join(dir, f), { force: true }); } catch { /* left as it is */ } };
      const now = Date.now();
      for (const f of fs.readdirSync(dir)) {
        const temp = /^\.limitsctl-.*\.v8cache\.(\d+)\.tmp$/.exec(f);
        if (temp !== null) {
          if (Number(temp[1]) !== process.pid && !alive(Number(temp[1]))) remove(f);
          continue;
        }
        if (!/^limitsctl-.*\.v8cache$/.test(f) || f.startsWith(`limitsctl-${build}-`)) continue;
        const other = TAGS.find((t) => f.startsWith(`limitsctl-${t}-`));
        if (other === undefined) { remove(f); continue; }
        const placed = /^-([0-9a-f]{8})-/.exec(f.slice(`limitsctl-${other}`.length));
        if (placed === null) { if (other === tag) remove(f); continue; }
        if (placed[1] === site && other === tag) { remove(f); continue; }
        try {
          if (now - fs.lstatSync(path.join(dir, f)).mtimeMs > STALE_MS) remove(f);
        } catch { /* gone already */ }
      }
    } catch {
      // a read-only or full disk, a directory that is not ours: the next run compiles again
    }
  };
  return { main: mod.exports.main, save };
}

/** How long the cache files of an install elsewhere are kept without being written: 30 days. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * The place a bundle is installed in, for the cache file names: 8 hex digits, the 32-bit FNV-1a
 * hash of the bundle's path (node:crypto would cost a module load at every start; a collision
 * only makes two installs share names, as they all did before).
 */
function siteOf(file) {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Whether a process `pid` exists (one of another user counts: EPERM). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e?.code !== 'ESRCH';
  }
}

/** The partial bundle for the command word, as [tag, file, stat], or null (none, or not there). */
function partFor() {
  const word = commandWord();
  const part = PARTS.find(([, , words]) => words.includes(word));
  if (part === undefined) return null;
  try {
    return [part[0], part[1], fs.statSync(part[1])];
  } catch {
    return null;
  }
}

async function start() {
  let st;
  try {
    st = fs.statSync(BUNDLE);
  } catch {
    // no bundle: the ES modules tsc built
    const { main } = await import('../dist/cli/main.js');
    return main(argv);
  }
  const part = partFor();
  const dir = cacheDir(process.env);
  if (dir !== null) {
    // Node 22.1 and later keep the cache themselves (module.enableCompileCache)
    const Module = Number(process.versions.node.split('.')[0]) >= 22 ? require('node:module') : {};
    if (typeof Module.enableCompileCache === 'function') {
      try { Module.enableCompileCache(dir); } catch { /* no cache */ }
    } else {
      const saves = [];
      const load = (file, fst, tag) => {
        const loaded = loadWithCache(dir, file, fst, tag);
        saves.push(loaded.save);
        return loaded.main;
      };
      // a partial bundle hands other command lines to the whole CLI, loaded (and cached) then
      const code = part === null
        ? await load(BUNDLE, st, 'cli')(argv)
        : await load(part[1], part[2], part[0])(argv, undefined, (a, io) => load(BUNDLE, st, 'cli')(a, io));
      // a usage error or bad input (exit 2) changes nothing anywhere, the cache included
      if (code !== 2) for (const save of saves) save();
      return code;
    }
  }
  return part === null ? require(BUNDLE).main(argv) : require(part[1]).main(argv, undefined, (a, io) => require(BUNDLE).main(a, io));
}

start().then((code) => { process.exitCode = code; });

/**
 * Reads what systemd reads for one unit's resource limits, under a root, with the same
 * chroot-style helpers as every other read (read.ts readFileInRoot / listDirInRoot: symlinks are
 * followed inside the root only, FIFOs and devices are never opened, files are capped).
 * Which files, and in which order, is the pure core's (core/systemd/resolve.ts).
 */
import { posix } from 'node:path';
import {
  dropinNames, MANAGER_CONF, MANAGER_DROPIN_DIRS, normalizeUnitName, orderDropins, resolveUnitLimits, templateOf, UNIT_SEARCH_DIRS,
  type DropinCandidate, type UnitFileText, type UnitInput, type UnitLimits,
} from '../core/systemd/resolve.js';
import { resolveInRoot } from './paths.js';
import { effectiveUid, isDenied, listDirInRoot, MAX_SMALL_FILE_BYTES, readFileInRoot } from './read.js';

export type LoadedUnit =
  | {
    readonly ok: true;
    readonly unit: string;
    /** the unit file (relative to the root), or null when only drop-ins define it */
    readonly fragment: string | null;
    readonly dropins: readonly string[];
    /** drop-ins masked by an equally named one earlier in the search order */
    readonly maskedDropins: readonly { file: string; by: string }[];
    readonly manager: readonly string[];
    readonly limits: UnitLimits;
    /** files that could not be read (each one sentence naming the file) */
    readonly warnings: readonly string[];
  }
  | { readonly ok: false; readonly unit: string; readonly reason: 'invalid' | 'not-found' | 'masked'; readonly message: string };

/**
 * Planned file contents read instead of the disk (relative path → text), to see what systemd
 * would read after an edit (`set --unit`): a planned file is listed in its directory and read as given.
 */
export type UnitOverlay = ReadonlyMap<string, string>;

function readText(root: string, rel: string, warnings: string[], overlay?: UnitOverlay): string | null {
  const o = overlay?.get(rel);
  if (o !== undefined) return o;
  const r = readFileInRoot(root, rel, { maxBytes: MAX_SMALL_FILE_BYTES });
  if (r.ok) return r.bytes.toString('utf8');
  // the shared message speaks of pam_limits; for a systemd file say what it is
  if (r.failure.kind === 'not-regular') warnings.push(`${rel} is not a regular file but a ${r.failure.fileKind}; limitsctl does not read it`);
  else if (r.failure.kind !== 'missing') warnings.push(r.failure.message);
  return null;
}

/** Whether `rel` is (a link to) /dev/null inside the root, or an empty file: the unit is masked (systemd.unit(5)). */
function isMask(root: string, rel: string, text: string): boolean {
  if (text === '') return true;
  try {
    return resolveInRoot(root, rel).rel === 'dev/null';
  } catch {
    return false;
  }
}

/** A warning, once: the same directory may be looked in for several names. */
function warnOnce(warnings: string[], w: string): void {
  if (!warnings.includes(w)) warnings.push(w);
}

function exists(root: string, rel: string, warnings: string[]): boolean {
  try {
    const r = resolveInRoot(root, rel);
    return !r.missing || r.rel === 'dev/null';
  } catch (e) {
    // a directory on the way this uid may not search: whether the file is there is unknown
    // (systemd, as root, sees it), so it is said — never taken for "not found" in silence
    if (isDenied(e)) warnOnce(warnings, `${rel}: permission denied (${(e as NodeJS.ErrnoException).code}) reading as uid ${effectiveUid() ?? '?'}`);
    return false;
  }
}

function listConf(root: string, dir: string, overlay?: UnitOverlay, warnings?: string[]): string[] {
  const l = listDirInRoot(root, dir);
  // a drop-in directory this uid may not list (or reach): its drop-ins are unknown, and said
  if (!l.ok && l.failure.kind === 'denied' && warnings) warnOnce(warnings, `${l.failure.message}; its drop-ins were not read`);
  const names = new Set(l.ok ? l.entries.map((e) => e.name) : []);
  for (const rel of overlay?.keys() ?? []) if (posix.dirname(rel) === dir) names.add(posix.basename(rel));
  return [...names].filter((n) => n.endsWith('.conf')).sort();
}

/**
 * Load the limits of the system unit `name` (`nginx` means `nginx.service`) from the tree at
 * `root`. Not found: no unit file and no drop-in directory of its own in any search directory.
 * With `overlay`, those drop-ins are read as given instead of from disk (and listed if new).
 */
export function loadUnitLimits(root: string, name: string, overlay?: UnitOverlay): LoadedUnit {
  const n = normalizeUnitName(name);
  if (!n.ok) return { ok: false, unit: name, reason: 'invalid', message: n.message };
  const unit = n.name;
  const warnings: string[] = [];
  // the unit file: first found wins; then the template for an instance
  let fragment: UnitFileText | null = null;
  let aliasOf: string | null = null;
  const template = templateOf(unit);
  for (const candidate of template ? [unit, template] : [unit]) {
    for (const dir of UNIT_SEARCH_DIRS) {
      const rel = posix.join(dir, candidate);
      if (!exists(root, rel, warnings)) continue;
      if (resolveInRoot(root, rel).rel === 'dev/null') {
        return { ok: false, unit, reason: 'masked', message: `${unit} is masked: ${rel} is a symlink to /dev/null (systemd.unit(5)); it cannot be started and has no limits` };
      }
      const text = readText(root, rel, warnings);
      if (text === null) continue;
      if (isMask(root, rel, text)) {
        return { ok: false, unit, reason: 'masked', message: `${unit} is masked: ${rel} is empty (systemd.unit(5)); it cannot be started and has no limits` };
      }
      fragment = { file: rel, text };
      // an alias (name.service -> other.service): systemd loads the drop-ins of every name of the unit
      const real = posix.basename(resolveInRoot(root, rel).rel);
      if (real !== candidate && real.endsWith(unit.slice(unit.lastIndexOf('.')))) aliasOf = real;
      break;
    }
    if (fragment) break;
  }
  // drop-ins: every search directory, most specific name first; then masked by name, sorted
  const found: DropinCandidate[] = [];
  let ownDropinDir = false;
  const dirNames = [...new Set([...dropinNames(unit), ...(aliasOf ? dropinNames(aliasOf) : [])])];
  for (const dir of UNIT_SEARCH_DIRS) {
    for (const d of dirNames) {
      const names = listConf(root, posix.join(dir, d), overlay, warnings);
      if (d === `${unit}.d` && names.length > 0) ownDropinDir = true;
      for (const base of names) found.push({ file: posix.join(dir, d, base), base });
    }
  }
  if (!fragment && !ownDropinDir) {
    return { ok: false, unit, reason: 'not-found', message: warnings.length > 0
      ? `unit ${unit} could not be read: ${warnings.join('; ')}`
      : `unit ${unit} not found: no ${unit}${template ? ` or ${template}` : ''} in ${UNIT_SEARCH_DIRS.map((d) => `${d}/`).join(', ')} under the root` };
  }
  const { applied, masked } = orderDropins(found);
  const dropins: UnitFileText[] = [];
  for (const c of applied) {
    const text = readText(root, c.file, warnings, overlay);
    if (text !== null && !isMask(root, c.file, text)) dropins.push({ file: c.file, text });
  }
  // the manager: system.conf, then system.conf.d/*.conf across its directories (same masking and order)
  const manager: UnitFileText[] = [];
  const main = readText(root, MANAGER_CONF, warnings);
  if (main !== null) manager.push({ file: MANAGER_CONF, text: main });
  const mfound: DropinCandidate[] = MANAGER_DROPIN_DIRS.flatMap((dir) => listConf(root, dir, undefined, warnings).map((base) => ({ file: posix.join(dir, base), base })));
  for (const c of orderDropins(mfound).applied) {
    const text = readText(root, c.file, warnings);
    if (text !== null && !isMask(root, c.file, text)) manager.push({ file: c.file, text });
  }
  const input: UnitInput = { unit, fragment, dropins, manager };
  return {
    ok: true, unit, fragment: fragment?.file ?? null, dropins: dropins.map((d) => d.file), maskedDropins: masked,
    manager: manager.map((m) => m.file), limits: resolveUnitLimits(input), warnings,
  };
}

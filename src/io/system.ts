/**
 * Facts about the system a tree stands for: which pam_limits variant it runs (os-release) and the
 * limits a session starts from (PID 1's limits, fs.nr_open) — live for root "/", or from a
 * snapshot under <root>/proc.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ProcLimits, parseProcLimits, type ResolveOptions } from '../core/resolve.js';
import type { Dialect } from '../core/schema.js';

/** `auto`: Debian, Ubuntu and derivatives (ID/ID_LIKE in os-release) → debian, else upstream. */
export function detectProfile(root: string): { dialect: Dialect; reason: string } {
  let text: string;
  try {
    text = readFileSync(path.join(root, 'etc/os-release'), 'utf8');
  } catch {
    try {
      text = readFileSync(path.join(root, 'usr/lib/os-release'), 'utf8');
    } catch {
      return { dialect: 'upstream', reason: 'no os-release in the root: assuming upstream Linux-PAM' };
    }
  }
  const field = (k: string) => (text.match(new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm'))?.[1] ?? '').toLowerCase();
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/).filter(Boolean);
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) {
    return { dialect: 'debian', reason: `os-release ID=${field('ID')}${field('ID_LIKE') ? ` ID_LIKE=${field('ID_LIKE')}` : ''}: Debian's patched pam_limits` };
  }
  return { dialect: 'upstream', reason: `os-release ID=${field('ID') || '?'}: upstream Linux-PAM` };
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The starting limits pam_limits would see: PID 1's limits and fs.nr_open from the live system
 * (root "/") or from <root>/proc when the tree carries a snapshot; unknown otherwise.
 */
export function loadBaseline(ctx: { readonly root: string; readonly proc?: string }): Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> {
  const live = ctx.root === '/';
  const procDir = ctx.proc ?? path.join(ctx.root, 'proc');
  const pid1Text = readOptional(path.join(procDir, '1/limits'));
  const nrText = readOptional(path.join(procDir, 'sys/fs/nr_open'));
  const nr = nrText?.match(/^\s*(\d+)/)?.[1];
  const out: Pick<ResolveOptions, 'pid1Limits' | 'processLimits' | 'nrOpen'> = {
    nrOpen: nr ? BigInt(nr) : nrText === null && live ? null : 1048576n,
  };
  if (pid1Text !== null) out.pid1Limits = parseProcLimits(pid1Text);
  else if (live) out.pid1Limits = null;
  if (live) {
    const self = readOptional('/proc/self/limits');
    if (self) out.processLimits = parseProcLimits(self) as ProcLimits;
  }
  return out;
}


/**
 * Capabilities from /proc/PID/status (proc(5): `CapEff:`, `CapBnd:` as 16 hex digits). pam_limits
 * raises hard limits with setrlimit(2), which needs CAP_SYS_RESOURCE to go above the current hard
 * limit (capabilities(7)); containers started with Docker's default capability set lack it. Pure.
 */

/** CAP_SYS_RESOURCE's bit (linux/capability.h). */
export const CAP_SYS_RESOURCE = 24;

/** The capability sets of a process: bit masks, or null when the line is absent or malformed. */
export interface Capabilities {
  readonly effective: bigint | null;
  readonly bounding: bigint | null;
}

function field(text: string, name: string): bigint | null {
  const m = new RegExp(`^${name}:\\s*([0-9a-fA-F]{1,16})\\s*$`, 'm').exec(text);
  return m ? BigInt(`0x${m[1]}`) : null;
}

/** Parses the `CapEff:` and `CapBnd:` lines of a /proc/PID/status text. Never throws. */
export function parseCapabilities(statusText: string): Capabilities {
  return { effective: field(statusText, 'CapEff'), bounding: field(statusText, 'CapBnd') };
}

/**
 * Whether a process with these sets may raise hard limits: CAP_SYS_RESOURCE in the effective set
 * (a root process's effective set is its permitted set, bounded by CapBnd). null when unknown.
 */
export function hasCapSysResource(caps: Capabilities): boolean | null {
  const set = caps.effective ?? caps.bounding;
  if (set === null) return null;
  return ((set >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 1n;
}

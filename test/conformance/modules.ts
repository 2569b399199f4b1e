/**
 * The real pam_limits.so modules the conformance tests run, and how to run each one.
 *
 * Only debian-12 is installed on the CI machine (libpam-modules 1.5.2-6+deb12uN); the others are
 * fetched and built by .ci/pam-modules.sh into LIMITSCTL_PAM_MODULES_DIR (default
 * /var/cache/limitsctl-pam-modules), whose layout this file mirrors:
 *
 * | id              | module                                                           | runs with |
 * |-----------------|------------------------------------------------------------------|-----------|
 * | debian-11       | bullseye libpam-modules 1.4.0-9+deb11u1                          | bullseye libpam0g on this libc (LD_LIBRARY_PATH) |
 * | debian-12       | the installed module, libpam-modules 1.5.2-6+deb12uN             | the host |
 * | debian-13       | trixie libpam-modules 1.7.0-5                                    | trixie's ld-linux-x86-64.so.2, libc6, libpam0g, libsystemd0, … |
 * | linux-pam-1.4.0 | pam_limits.c of pam_1.4.0.orig.tar.xz, no Debian patches         | as debian-11 |
 * | linux-pam-1.5.2 | pam_limits.c of pam_1.5.2.orig.tar.xz, no Debian patches         | the host |
 * | linux-pam-1.7.0 | pam_limits.c of pam_1.7.0.orig.tar.xz, no Debian patches, logind | as debian-13 |
 *
 * The build flags of the upstream modules are recorded in <dir>/<id>/BUILD.
 */
import { join } from 'node:path';
import type { ProfileName } from '../../src/core/schema.js';

export const MODULE_IDS = ['debian-11', 'debian-12', 'debian-13', 'linux-pam-1.4.0', 'linux-pam-1.5.2', 'linux-pam-1.7.0'] as const;
export type ModuleId = (typeof MODULE_IDS)[number];

/** How the harness process is started so that the module finds its own libpam and libc. */
export type ModuleRuntime =
  /** this system's loader and libraries */
  | { readonly kind: 'host' }
  /** this system's loader and libc, with these directories first (LD_LIBRARY_PATH): an older libpam */
  | { readonly kind: 'library-path'; readonly libraryPath: readonly string[] }
  /** another release's dynamic loader, started directly: `<loader> --library-path … --preload <shim> <harness>` */
  | { readonly kind: 'loader'; readonly loader: string; readonly libraryPath: readonly string[] };

export interface ModuleDescriptor {
  readonly id: ModuleId;
  /** what the module is, for test names and messages */
  readonly description: string;
  readonly modulePath: string;
  readonly runtime: ModuleRuntime;
  /** false for the installed module; true when .ci/pam-modules.sh provides it */
  readonly fetched: boolean;
  /** a fetched Debian module: the package version .ci/pam-modules.sh wrote to `file` (<dir>/<id>/VERSION) */
  readonly packageVersion?: { readonly file: string; readonly version: string };
  /** the limitsctl profile whose traits this module must show (src/core/schema.ts) */
  readonly profile: ProfileName;
}

export const DEFAULT_PAM_MODULES_DIR = '/var/cache/limitsctl-pam-modules';

/** Where .ci/pam-modules.sh put the fetched modules. */
export function pamModulesDir(): string {
  return process.env.LIMITSCTL_PAM_MODULES_DIR || DEFAULT_PAM_MODULES_DIR;
}

/** Debian 12's installed module, from libpam-modules. */
export const DEBIAN_12_MODULE = '/lib/x86_64-linux-gnu/security/pam_limits.so';

/** All six modules, in a fixed order (oldest release first, Debian before upstream). */
export function moduleDescriptors(dir: string = pamModulesDir()): readonly ModuleDescriptor[] {
  const bullseye: ModuleRuntime = { kind: 'library-path', libraryPath: [join(dir, 'debian-11/root/lib/x86_64-linux-gnu')] };
  const trixieRoot = join(dir, 'debian-13/root');
  const trixie: ModuleRuntime = {
    kind: 'loader',
    loader: join(trixieRoot, 'usr/lib64/ld-linux-x86-64.so.2'),
    libraryPath: [join(trixieRoot, 'usr/lib/x86_64-linux-gnu')],
  };
  return [
    {
      id: 'debian-11', description: 'Debian 11 (libpam-modules 1.4.0-9+deb11u1)', profile: 'debian-11', fetched: true, packageVersion: { file: join(dir, 'debian-11/VERSION'), version: '1.4.0-9+deb11u1' },
      modulePath: join(dir, 'debian-11/root/lib/x86_64-linux-gnu/security/pam_limits.so'), runtime: bullseye,
    },
    {
      id: 'debian-12', description: 'Debian 12 (libpam-modules 1.5.2-6)', profile: 'debian-12', fetched: false,
      modulePath: DEBIAN_12_MODULE, runtime: { kind: 'host' },
    },
    {
      id: 'debian-13', description: 'Debian 13 (libpam-modules 1.7.0-5)', profile: 'debian-13', fetched: true, packageVersion: { file: join(dir, 'debian-13/VERSION'), version: '1.7.0-5' },
      modulePath: join(trixieRoot, 'usr/lib/x86_64-linux-gnu/security/pam_limits.so'), runtime: trixie,
    },
    {
      id: 'linux-pam-1.4.0', description: 'Linux-PAM 1.4.0, unpatched', profile: 'linux-pam-1.4', fetched: true,
      modulePath: join(dir, 'linux-pam-1.4.0/pam_limits.so'), runtime: bullseye,
    },
    {
      id: 'linux-pam-1.5.2', description: 'Linux-PAM 1.5.2, unpatched', profile: 'linux-pam-1.5.2', fetched: true,
      modulePath: join(dir, 'linux-pam-1.5.2/pam_limits.so'), runtime: { kind: 'host' },
    },
    {
      id: 'linux-pam-1.7.0', description: 'Linux-PAM 1.7.0, unpatched (logind)', profile: 'linux-pam-1.7.0', fetched: true,
      modulePath: join(dir, 'linux-pam-1.7.0/pam_limits.so'), runtime: trixie,
    },
  ];
}

export function moduleDescriptor(id: ModuleId, dir?: string): ModuleDescriptor {
  const found = moduleDescriptors(dir).find((m) => m.id === id);
  if (!found) throw new Error(`unknown module ${id}`);
  return found;
}

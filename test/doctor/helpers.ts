/** Shared by the doctor tests: run the built CLI, build snapshots, and diagnose a tree in-process. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadIdentity } from '../../src/io/accounts.js';
import { detectProfile, loadBaseline } from '../../src/io/system.js';
import { diagnose, type DoctorReport, type DoctorFacts } from '../../src/core/doctor.js';
import { resolveLimits } from '../../src/core/resolve.js';
import { readLiveFacts } from '../../src/io/live.js';
import { sysMissingProblem } from '../../src/core/doctor/text.js';
import { loadTree } from '../../src/io/tree.js';
import { buildScenario } from '../../fixtures/doctor/generate.mjs';

import { BIN, REPO } from '../cli/helpers.js';

export { BIN, REPO };
export const FIX = path.join(REPO, 'fixtures/doctor');

export { cli, type RunResult } from '../cli/helpers.js';

export function tempDir(prefix = 'limitsctl-doctor-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Build a generated scenario (e.g. 'mux') into a temp dir; returns it and a cleanup. */
export function scenario(name: string): { root: string; cleanup: () => void } {
  const dir = tempDir();
  const root = path.join(dir, name);
  buildScenario(name, root);
  return { root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What `limitsctl doctor --root ROOT --user USER` computes, in-process (io + core, no cli). */
export function doctorFacts(root: string, user: string, dirs: { proc?: string; sys?: string } = {}): DoctorFacts {
  const proc = dirs.proc ?? path.join(root, 'proc');
  const sys = dirs.sys ?? path.join(root, 'sys');
  const { profile } = detectProfile(root);
  const identity = loadIdentity(root, user);
  const live = readLiveFacts({ root, proc, sys }, identity.uid);
  const opts = { profile, ...loadBaseline({ root, proc }) };
  const resolution = resolveLimits(loadTree(root, { profile }), identity, opts);
  const confs = [...new Set(live.pam.services.flatMap((s) => s.hits.map((h) => h.conf)).filter((c): c is string => c !== null))];
  const confResolutions = confs.map((conf) => ({
    conf, services: [], resolution: resolveLimits(loadTree(root, { profile, conf }), identity, opts),
  }));
  // as the CLI: a snapshot without sys/ is read as empty, and said
  const problems = dirs.sys === undefined && !existsSync(sys) ? [sysMissingProblem(sys), ...live.problems] : live.problems;
  return { identity, resolution, confResolutions, ...live, problems, sources: { root, proc, sys, live: false } };
}

export function doctorOn(root: string, user: string, dirs: { proc?: string; sys?: string } = {}): DoctorReport {
  return diagnose(doctorFacts(root, user, dirs));
}

export function ids(r: DoctorReport): string[] {
  return r.findings.map((f) => f.id);
}

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
import { readItemFacts } from '../../src/io/doctor-item.js';
import { loadAccountDb } from '../../src/io/accounts.js';
import { isRlimitItem, RLIMIT_ITEMS, type RlimitItem } from '../../src/core/schema.js';
import type { ItemTarget } from '../../src/core/doctor/item.js';

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
/** `doctor --item ITEM` with --user (the user argument), --pid or --unit, as the CLI reads it. */
export interface ItemRun {
  readonly item: string;
  readonly user?: string;
  readonly pid?: number;
  readonly unit?: string;
}

export function doctorFacts(root: string, userArg: string | null, dirs: { proc?: string; sys?: string } = {}, run?: ItemRun): DoctorFacts {
  const proc = dirs.proc ?? path.join(root, 'proc');
  const sys = dirs.sys ?? path.join(root, 'sys');
  const { profile } = detectProfile(root);
  let item: RlimitItem | null = null;
  let target: ItemTarget | null = null;
  let itemRead: ReturnType<typeof readItemFacts> | null = null;
  let user = userArg ?? run?.user ?? 'root';
  if (run) {
    if (!isRlimitItem(run.item)) throw new Error(`not an rlimit item: ${run.item}`);
    item = run.item;
    target = run.pid !== undefined ? { kind: 'pid', pid: run.pid } : run.unit !== undefined ? { kind: 'unit', unit: run.unit } : { kind: 'user' };
    if (target.kind !== 'user') {
      itemRead = readItemFacts({ root, proc, nrOpen: loadBaseline({ root, proc }).nrOpen }, item, target, null);
      const owner = itemRead.processes[0];
      user = owner ? owner.user ?? String(owner.uid) : 'root';
    }
  }
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
  const baseline = loadBaseline({ root, proc });
  const startHard: Partial<Record<RlimitItem, bigint>> = {};
  for (const i of RLIMIT_ITEMS) {
    const h = baseline.pid1Limits?.[i]?.hard;
    if (h !== undefined) startHard[i] = h;
  }
  let itemFacts: DoctorFacts['item'] = null;
  if (item && target) {
    itemRead ??= readItemFacts({ root, proc, nrOpen: baseline.nrOpen }, item, target, identity.uid);
    const resolutions = [...new Set(itemRead.processes.map((p) => p.uid))].flatMap((uid) => {
      if (uid === identity.uid) return [{ uid, resolution }];
      const name = loadAccountDb(root).users.find((u) => u.uid === uid)?.name;
      return name ? [{ uid, resolution: resolveLimits(loadTree(root, { profile }), loadIdentity(root, name), opts) }] : [];
    });
    itemFacts = { item, target, processes: itemRead.processes, units: itemRead.units, resolutions };
  }
  return {
    identity, resolution, confResolutions, ...live, problems, sources: { root, proc, sys, live: false },
    item: itemFacts, capSysResource: baseline.capSysResource ?? null, startHard,
  };
}

export function doctorOn(root: string, user: string, dirs: { proc?: string; sys?: string } = {}): DoctorReport {
  return diagnose(doctorFacts(root, user, dirs));
}

/** `doctor --item …` on a tree, in-process. */
export function doctorItemOn(root: string, run: ItemRun): DoctorReport {
  return diagnose(doctorFacts(root, null, {}, run));
}

/** The flags of an item run, as the CLI takes them: `--item nofile --unit nginx`. */
export function itemFlags(run: ItemRun): string {
  return `--item ${run.item}${run.user !== undefined ? ` --user ${run.user}` : ''}${run.pid !== undefined ? ` --pid ${run.pid}` : ''}${run.unit !== undefined ? ` --unit ${run.unit}` : ''}`;
}

export function ids(r: DoctorReport): string[] {
  return r.findings.map((f) => f.id);
}

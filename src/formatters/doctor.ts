/**
 * doctor's two outputs: the text report for a person and the JSON envelope for monitoring
 * (documented in docs/doctor.md). Pure.
 */
import {
  type CgroupNode, type DoctorReport, type Finding, caveatOf, formatLimit, formatSource, LOGIN_PATHS, type SettingFact,
} from '../core/doctor.js';
import { RLIM_INFINITY } from '../core/schema.js';
import { PLAIN_STYLE as PLAIN, type Style } from './style.js';
import { binaryToDisplay } from '../core/model.js';
import { escapeControls } from './terminal.js';

/**
 * The `version` of the JSON envelope (docs/schemas/doctor.schema.json); bumped on incompatible
 * changes. 2: camelCase keys and the package version in `tool` (0.1.0 wrote
 * `"schema": "limitsctl.doctor/v1"`, snake_case keys and the package version as `version`).
 */
export const DOCTOR_JSON_VERSION = 2;

/** Colour for the text report; the CLI passes its own. */
export type Paint = Pick<Style, 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan'>;

function lim(v: bigint | null): bigint | 'unlimited' | null {
  return v === null ? null : v === RLIM_INFINITY ? 'unlimited' : v;
}

/** A ratio as a percentage with one decimal; null when unknown or infinite (a limit of 0). */
function percent(ratio: number | null): number | null {
  if (ratio === null || !Number.isFinite(ratio)) return null;
  return Math.round(ratio * 1000) / 10;
}

function setting(s: SettingFact | undefined | null) {
  return s ? { value: s.value, file: s.file, line: s.line } : null;
}

/** The documented `doctor --json` object. bigint values are exact integers (see cli/output toJson). */
export function doctorJson(r: DoctorReport, meta: { version: string }) {
  const c = r.nproc.configured;
  return {
    version: DOCTOR_JSON_VERSION,
    tool: { name: 'limitsctl', version: meta.version },
    status: r.status,
    exitCode: r.exitCode,
    verdict: r.verdict,
    user: { ...r.user, name: binaryToDisplay(r.user.name) },
    profile: r.profile,
    sources: r.sources,
    findings: r.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      details: f.details,
      usage: f.usage ? { what: f.usage.what, used: f.usage.used, limit: f.usage.limit, percent: percent(f.usage.ratio), unit: f.usage.unit } : null,
      fixes: f.fixes.map((x) => ({ description: x.description, command: x.command ?? null, file: x.file ?? null })),
    })),
    nproc: {
      tasks: r.nproc.tasks,
      processes: r.nproc.processes,
      configured: c ? {
        soft: lim(c.soft), hard: lim(c.hard), softFrom: c.softFrom, hardFrom: c.hardFrom,
        softOrigin: c.softOrigin, hardOrigin: c.hardOrigin,
      } : null,
      configNote: r.nproc.configNote,
      bindingSoft: r.nproc.binding?.limit ? lim(r.nproc.binding.limit.soft) : null,
      runningLimits: r.nproc.limitGroups.map((g) => ({
        soft: g.limit ? lim(g.limit.soft) : null,
        hard: g.limit ? lim(g.limit.hard) : null,
        processes: g.processes,
        tasks: g.tasks,
        percent: percent(g.ratio),
        matchesConfig: g.matchesConfig,
        units: g.units.map((u) => ({ kind: u.kind, unit: u.unit, processes: u.processes, tasks: u.tasks, spawnedBy: u.spawnedBy })),
        samplePids: g.samplePids,
      })),
      topCommands: r.nproc.top.map((t) => ({
        command: t.command, processes: t.processes, tasks: t.tasks, maxThreads: t.maxThreads, zombies: t.zombies,
        example: t.example, samplePids: t.samplePids, hint: t.hint,
      })),
    },
    system: {
      tasks: r.system.tasks,
      processes: r.system.processes,
      loadavgTasks: r.system.loadavgTasks,
      vanished: r.system.vanished,
      unreadable: r.system.unreadable,
      pidMax: r.system.pidMax,
      threadsMax: r.system.threadsMax,
      memoryKib: {
        total: r.system.memory.memTotal, available: r.system.memory.memAvailable,
        commitLimit: r.system.memory.commitLimit, committedAs: r.system.memory.committedAs,
        swapTotal: r.system.memory.swapTotal, swapFree: r.system.memory.swapFree,
      },
      overcommit: r.system.overcommit,
    },
    cgroups: {
      version: r.cgroups.version,
      nodes: r.cgroups.nodes.map((n) => ({
        path: n.path, kind: n.kind, unit: n.unit, pidsMax: n.pidsMax, pidsCurrent: n.pidsCurrent, percent: percent(n.ratio),
      })),
    },
    systemd: {
      running: r.systemd.running,
      installed: r.systemd.installed,
      system: { DefaultLimitNPROC: setting(r.systemd.system.DefaultLimitNPROC), DefaultTasksMax: setting(r.systemd.system.DefaultTasksMax) },
      user: { DefaultLimitNPROC: setting(r.systemd.user.DefaultLimitNPROC), DefaultTasksMax: setting(r.systemd.user.DefaultTasksMax) },
      logind: { UserTasksMax: setting(r.systemd.logind.UserTasksMax) },
      userSliceTasksMax: r.systemd.userSliceTasksMax ? { ...setting(r.systemd.userSliceTasksMax), tasks: r.systemd.userSliceTasksMaxResolved } : null,
      files: r.systemd.files,
    },
    pam: {
      module: r.pam.module,
      services: r.pam.services.map((s) => ({
        service: s.service,
        loginPath: LOGIN_PATHS.includes(s.service),
        file: s.file,
        viaOther: s.viaOther,
        pamLimits: s.hits.map((h) => ({
          file: h.file, line: h.line, control: h.control, args: h.args, optional: h.dash, via: h.via, conf: h.conf, mayBeSkipped: h.mayBeSkipped,
        })),
        problems: s.problems,
      })),
    },
    sshd: { present: r.sshd.present, usePam: setting(r.sshd.usePam), usePamEffective: r.sshd.usePamEffective },
    problems: r.problems,
    // only with --item: the examined processes by group and the source that configures each
    ...(r.item ? {
      item: {
        item: r.item.item,
        target: r.item.target,
        groups: r.item.rows.map((row) => ({
          kind: row.kind, unit: row.unit, user: row.user === null ? null : binaryToDisplay(row.user), uid: row.uid, pids: row.pids,
          soft: row.running ? lim(row.running.soft) : null, hard: row.running ? lim(row.running.hard) : null,
          source: row.source,
          configured: row.configured ? { soft: lim(row.configured.soft), hard: lim(row.configured.hard), from: row.configured.from } : null,
          maxOpenFiles: row.maxFds,
        })),
      },
    } : {}),
  };
}

// --- text ------------------------------------------------------------------------------------

function n(x: number | bigint | null): string {
  if (x === null) return '?';
  if (typeof x === 'bigint') return x === RLIM_INFINITY ? 'unlimited' : Number(x).toLocaleString('en-US');
  return x.toLocaleString('en-US');
}

function pctText(ratio: number | null): string {
  if (ratio === null) return '';
  if (!Number.isFinite(ratio)) return '∞ %';
  return `${Math.floor(ratio * 100)} %`;
}

function kib(x: number | null): string {
  if (x === null) return '?';
  if (x >= 1048576) return `${(x / 1048576).toFixed(1)} GiB`;
  if (x >= 1024) return `${(x / 1024).toFixed(0)} MiB`;
  return `${x} KiB`;
}

function pad(s: string, w: number, right = false): string {
  // eslint-disable-next-line no-control-regex
  const len = s.replace(/\u001b\[\d+m/g, '').length;
  if (len >= w) return s;
  return right ? ' '.repeat(w - len) + s : s + ' '.repeat(w - len);
}

function at(s: SettingFact): string {
  return `${s.file}${s.line ? `:${s.line}` : ''}`;
}

function severityLabel(f: Finding, p: Paint): string {
  switch (f.severity) {
    case 'critical': return p.red(p.bold('CRITICAL'));
    case 'warning': return p.yellow(p.bold('WARNING '));
    case 'notice': return p.cyan('notice  ');
    default: return p.dim('info    ');
  }
}

function cgroupLine(node: CgroupNode & { ratio: number | null }): string {
  const name = node.unit ?? node.path;
  if (node.pidsMax === null) return `${name} (no pids controller)`;
  return `${name} pids ${n(node.pidsCurrent)} of ${node.pidsMax === 'max' ? 'max' : n(node.pidsMax)}${node.ratio !== null ? ` (${pctText(node.ratio)})` : ''}`;
}

/** The text report. */
export function formatDoctorText(r: DoctorReport, paint: Paint = PLAIN): string {
  const p = paint;
  const out: string[] = [];
  const src = r.sources;
  const where = src.live ? 'live system' : `proc ${src.proc}, sys ${src.sys}, root ${src.root}`;
  out.push(p.bold(`limitsctl doctor — ${binaryToDisplay(r.user.name)} (uid ${r.user.uid})`) + p.dim(`  ${where}${r.profile ? `; profile ${r.profile}` : ''}`));
  const statusWord = r.status === 'sessions-fail' ? p.red(p.bold('SESSIONS FAIL')) : r.status === 'exhausted' ? p.red(p.bold('EXHAUSTED')) : r.status === 'near-limit' ? p.yellow(p.bold('NEAR LIMIT')) : p.green(p.bold('OK'));
  out.push(`${statusWord}  ${r.verdict}`);

  if (r.findings.length > 0) {
    out.push('', p.bold('Findings, most severe first'));
    for (const f of r.findings) {
      out.push(`  ${severityLabel(f, p)} ${f.title}`);
      for (const d of f.details) out.push(`           ${p.dim('·')} ${d}`);
      for (const x of f.fixes) {
        out.push(`           ${p.green('fix:')} ${x.description}`);
        if (x.command) out.push(`                $ ${p.cyan(x.command)}`);
        if (x.file) {
          out.push(`                ${p.dim(`# ${x.file.path}`)}`);
          for (const l of x.file.content.replace(/\n$/, '').split('\n')) out.push(`                ${p.cyan(l)}`);
        }
      }
    }
  }

  // --item: each group of processes, what it runs with, and the source that configures it
  if (r.item) {
    const it = r.item;
    const tgt = it.target.kind === 'pid' ? `pid ${it.target.pid}` : it.target.kind === 'unit' ? it.target.unit : binaryToDisplay(r.user.name);
    out.push('', p.bold(`${it.item} of ${tgt}`));
    if (it.rows.length === 0) out.push(`  ${p.dim('no process')}`);
    const v = (x: bigint | null) => (x === null ? '?' : formatLimit(x));
    for (const row of it.rows) {
      const who = `${row.unit ?? (row.kind === 'root' ? '(no systemd unit)' : row.kind)}${row.user ? ` (${binaryToDisplay(row.user)})` : ''}`;
      const running = row.running ? `${v(row.running.soft)}:${v(row.running.hard)}` : 'unreadable';
      const conf = row.configured ? `${v(row.configured.soft)}:${v(row.configured.hard)}` : null;
      const same = conf !== null && row.running !== null && conf === running;
      const cmp = conf === null ? p.dim(row.source === 'user-manager' ? "user's systemd: user.conf, not compared" : 'not compared')
        : same ? p.dim(`= ${row.configured!.from}`) : p.yellow(`≠ ${conf} from ${row.configured!.from}`);
      const fds = row.maxFds !== null ? `  ${n(row.maxFds)} open` : '';
      out.push(`  ${pad(who, 36)} ${pad(running, 22)} ${pad(row.pids.length === 1 ? `pid ${row.pids[0]}` : `${n(row.pids.length)} proc`, 10)}${fds}  ${cmp}`);
    }
  }
  const nprocMark = out.length;

  // nproc
  const np = r.nproc;
  out.push('', p.bold(`nproc of ${binaryToDisplay(r.user.name)}`));
  out.push(`  tasks now      ${n(np.tasks)} in ${n(np.processes)} process${np.processes === 1 ? '' : 'es'} ${p.dim('(threads count; by real uid)')}`);
  const c = np.configured;
  if (c) {
    const half = (v: bigint | null, from: typeof c.softFrom, origin: string) => `${formatLimit(v)} ${p.dim(`(${from ? formatSource(from) : origin})`)}`;
    const caveat = caveatOf(r.problems);
    out.push(`  configured     soft ${half(c.soft, c.softFrom, c.softOrigin)}, hard ${half(c.hard, c.hardFrom, c.hardOrigin)}${caveat ? p.yellow(`  (${caveat})`) : ''}`);
  } else {
    out.push(`  configured     ${p.yellow(r.nproc.configNote ?? 'unknown')}`);
  }
  if (np.limitGroups.length > 0) {
    np.limitGroups.forEach((g, i) => {
      const label = i === 0 ? '  running with   ' : '                 ';
      const lims = g.limit ? `${formatLimit(g.limit.soft)}:${formatLimit(g.limit.hard)}` : 'unreadable';
      const units = g.units.slice(0, 3).map((u) => u.unit ?? (u.kind === 'root' ? '(no systemd unit)' : u.kind)).join(', ') + (g.units.length > 3 ? `, +${g.units.length - 3}` : '');
      const cmp = g.matchesConfig === null ? '' : g.matchesConfig ? p.dim('= configured') : p.yellow('≠ configured');
      const ratio = g.ratio !== null && g.ratio >= 0.9 ? (g.ratio >= 1 ? p.red(pctText(g.ratio)) : p.yellow(pctText(g.ratio))) : pctText(g.ratio);
      out.push(`${label}${pad(lims, 22)} ${pad(n(g.processes), 6, true)} proc ${pad(n(g.tasks), 7, true)} tasks ${pad(ratio, 6, true)}  ${pad(units, 36)} ${cmp}`);
    });
  }

  if (np.top.length > 0) {
    out.push('', p.bold('Top commands by tasks'));
    // a process names itself (comm, argv): escaped before the columns are measured (terminal.ts)
    const shownCommand = np.top.map((t) => escapeControls(t.command));
    const w = Math.min(40, Math.max(...shownCommand.map((c) => c.length)));
    for (const [i, t] of np.top.entries()) {
      const example = t.example ? escapeControls(t.example) : t.example;
      const hint = t.hint === 'ssh-mux' ? p.yellow('  ← SSH multiplexing masters') : t.hint === 'thread-heavy' ? p.yellow(`  ← PID ${t.maxThreads.pid} has ${n(t.maxThreads.threads)} threads`) : '';
      const z = t.zombies ? p.dim(` (${n(t.zombies)} zombie)`) : '';
      const ex = example && t.example !== t.command ? p.dim(`  e.g. ${example.length > 70 ? `${example.slice(0, 69)}…` : example}`) : '';
      out.push(`  ${pad(n(t.tasks), 7, true)} × ${pad(shownCommand[i]!, w)} ${pad(n(t.processes), 6, true)} proc${z}${hint}${ex}`);
    }
  }
  // with --item other than nproc (or for a process or unit), the nproc sections are another question
  if (r.item && (r.item.item !== 'nproc' || r.item.target.kind !== 'user')) out.splice(nprocMark);

  // system
  const s = r.system;
  out.push('', p.bold('System'));
  const lim2 = (x: number | null) => (x === null ? '?' : n(x));
  const share = (x: number | null) => (x ? ` (${pctText(s.tasks / x)})` : '');
  out.push(`  tasks          ${n(s.tasks)}; pid_max ${lim2(s.pidMax)}${share(s.pidMax)}; threads-max ${lim2(s.threadsMax)}${share(s.threadsMax)}${p.dim(`  [${n(s.processes)} processes read${s.vanished ? `, ${n(s.vanished)} vanished while reading` : ''}${s.unreadable ? `, ${n(s.unreadable)} unreadable` : ''}]`)}`);
  const m = s.memory;
  const mode = s.overcommit.mode === 0 ? '0 (heuristic)' : s.overcommit.mode === 1 ? '1 (always)' : s.overcommit.mode === 2 ? `2 (strict, ratio ${s.overcommit.ratio ?? '?'} %)` : '?';
  out.push(`  memory         MemAvailable ${kib(m.memAvailable)} of ${kib(m.memTotal)}; overcommit ${mode}; Committed_AS ${kib(m.committedAs)} of CommitLimit ${kib(m.commitLimit)}`);
  // the user's slice, then the fullest limited cgroups
  const nodes = [
    ...r.cgroups.nodes.filter((x) => x.kind === 'user-slice'),
    ...r.cgroups.nodes.filter((x) => x.kind !== 'user-slice' && typeof x.pidsMax === 'bigint').sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0)).slice(0, 3),
  ];
  out.push(`  cgroups        ${r.cgroups.version}${nodes.length ? `; ${nodes.map(cgroupLine).join('; ')}` : r.cgroups.version === 'none' ? '' : `; no cgroup for uid ${r.user.uid}`}`);
  const sd = r.systemd;
  const sdParts: string[] = [sd.running ? 'running' : sd.installed ? 'installed, not running as PID 1' : 'not present'];
  if (sd.running || sd.installed) {
    const one = (label: string, v: SettingFact | undefined) => (v ? `${label}=${v.value || '(reset)'} ${p.dim(`(${at(v)})`)}` : `${label} not set`);
    sdParts.push(one('DefaultLimitNPROC', sd.system.DefaultLimitNPROC));
    sdParts.push(one('DefaultTasksMax', sd.system.DefaultTasksMax));
    if (sd.userSliceTasksMax) sdParts.push(`user slice TasksMax=${sd.userSliceTasksMax.value}${sd.userSliceTasksMaxResolved !== null && sd.userSliceTasksMax.value.endsWith('%') ? ` ≈ ${n(sd.userSliceTasksMaxResolved)}` : ''} ${p.dim(`(${at(sd.userSliceTasksMax)})`)}`);
    if (sd.logind.UserTasksMax) sdParts.push(`logind UserTasksMax=${sd.logind.UserTasksMax.value} ${p.dim(`(${at(sd.logind.UserTasksMax)})`)}`);
  }
  out.push(`  systemd        ${sdParts.join('; ')}`);

  // PAM
  out.push('', p.bold('Does pam_limits apply? (session stacks)'));
  const services = r.pam.services.filter((x) => LOGIN_PATHS.includes(x.service));
  if (services.length === 0) out.push(p.dim('  no login service under etc/pam.d'));
  for (const sv of services) {
    const h = sv.hits[0];
    const yes = h ? p.green('yes') : p.red(p.bold('NO '));
    const where = h
      ? `${h.file}:${h.line} ${h.dash ? '-' : ''}session ${h.control} pam_limits.so${h.args.length ? ` ${h.args.join(' ')}` : ''}${h.via.length > 1 ? p.dim(` (via ${h.via.join(' → ')})`) : ''}${h.mayBeSkipped.length ? p.yellow(' (may be skipped)') : ''}`
      : p.dim(sv.file ?? '');
    let extra = '';
    if (sv.service === 'sshd' && r.sshd.present) {
      const u = r.sshd.usePam;
      extra = `; UsePAM ${r.sshd.usePamEffective ? p.green('yes') : p.red('no')}${u ? p.dim(` (${at(u)})`) : p.dim(' (default)')}`;
    }
    out.push(`  ${pad(sv.service, 12)} ${yes}  ${where}${sv.viaOther ? p.yellow(' (no service file: "other")') : ''}${extra}`);
  }
  if (r.pam.module !== 'unknown') out.push(p.dim(`  module: ${r.pam.module ?? 'pam_limits.so NOT FOUND'}`));
  out.push('');
  return out.join('\n');
}

// Shared helpers for the benchmarks: timing, medians, and side-by-side printing.
import { spawnSync } from 'node:child_process';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time of one process run, in ms. */
export function timeProcess(cmd, args, options = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...options });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && !options.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** Alternate a baseline and a subject n times; returns medians and the median of per-pair ratios. */
export function alternate(n, baseline, subject) {
  const b = [];
  const s = [];
  const ratios = [];
  for (let i = 0; i < n; i++) {
    const x = baseline();
    const y = subject();
    b.push(x);
    s.push(y);
    ratios.push(y / x);
  }
  return { baseline: median(b), subject: median(s), ratio: median(ratios) };
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}

export function row(cells, widths = [44, 14, 14, 10]) {
  console.log(cells.map((c, i) => String(c).padEnd(widths[i] ?? 12)).join(''));
}

export function peakRssMb() {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

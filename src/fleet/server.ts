/**
 * The warm planner of the Ansible collection limitsctl.pam: one Node process per controller run,
 * started by the action plugin (plugins/action/limits.py) on first use and shared by every task
 * and fork of that ansible-playbook through a Unix socket.
 *
 *   node dist/fleet/server.js --socket PATH [--parent PID] [--idle SECONDS]
 *
 * It exits when the process `--parent` (the ansible-playbook) is gone, or after `--idle` seconds
 * (default 120, a backstop) without a request, and removes its socket. `--parent` must name a
 * live process other than init (PID 1): a worker whose ansible-playbook is gone has been
 * re-parented to init, and a planner tied to init would never end. Protocol: one JSON object per line
 * each way, any number of requests per connection:
 *
 *   {"op": "prepare", "args": {…task arguments…}}
 *       → {"read": "<sh command>"}                       or {"failed": true, "msg": …}
 *   {"op": "plan", "args": {…}, "snapshot": "<the read command's stdout>", "check": bool, "diff": bool,
 *    "stdin": bool (the connection can give the write command input data)}
 *       → {"result": {…}, "write": "<sh command>"|null, "stdin": "<bytes, one char per byte>"|null}
 *                                                        or {"failed": true, "msg": …}
 *   {"op": "finish", "result": {…the plan's result…}, "stdout": "…", "stderr": "…", "rc": 0}
 *       → {"retry": true, "conflict": PATH}               or {"retry": false, "result": {…}}
 *   {"op": "ping"} → {"pong": true, "version": "…", "node": "v20…"}
 *
 * Integers beyond 2^53 are written as exact JSON numbers (Python's json reads them exactly).
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskInputError, taskIntent, taskWords } from '../core/fleet/params.js';
import { readScript, SnapshotError } from '../core/fleet/remote.js';
import { finishHost, planHost, type TaskResult } from './plan-host.js';

/** The planner's answer to one request (never throws: errors become a failed result with a plain msg). */
export async function handle(req: Record<string, unknown>): Promise<Record<string, unknown>> {
  try {
    switch (req.op) {
      case 'ping':
        return { pong: true, version: version(), node: process.version };
      case 'prepare': {
        const intent = taskIntent(objectArg(req.args));
        return { read: readScript(path.posix.normalize(intent.params.root)) };
      }
      case 'plan': {
        const intent = taskIntent(objectArg(req.args));
        const r = await planHost(intent, String(req.snapshot ?? ''), { check: req.check === true, diff: req.diff === true, stdin: req.stdin === true });
        return { result: r.result, write: r.write, stdin: r.stdin };
      }
      case 'finish':
        return finishHost(objectArg(req.result) as TaskResult, String(req.stdout ?? ''), Number(req.rc ?? 0), String(req.stderr ?? ''));
      default:
        return { failed: true, msg: `unknown planner request ${JSON.stringify(req.op)}` };
    }
  } catch (e) {
    return failure(e);
  }
}

function objectArg(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TaskInputError('the task arguments must be a mapping');
  return v as Record<string, unknown>;
}

/**
 * A failed result: a plain `msg` for the task's input, for every error the library raises on
 * purpose (LimitsError: its code in `error_code`, its hint appended) and for an unreadable
 * snapshot; only an unexpected error (a bug) carries its stack.
 */
export function failure(e: unknown): Record<string, unknown> {
  if (e instanceof TaskInputError) return { failed: true, changed: false, msg: e.message };
  if (e instanceof SnapshotError) return { failed: true, changed: false, msg: `cannot read the host's tree: ${e.message}` };
  const err = e as { name?: string; message?: string; hint?: string; code?: string; kind?: string; stack?: string };
  if (err && typeof err.message === 'string' && typeof err.code === 'string' && (err.kind !== undefined || /^E[A-Z0-9]+$/.test(err.code))) {
    const text = err.hint && (err.name === 'EditInputError' || err.name === 'UsageError' || err.name === 'PolicyError') ? `${err.message}. ${err.hint}` : err.message;
    return { failed: true, changed: false, msg: taskWords(text), error_code: err.code };
  }
  return { failed: true, changed: false, msg: `limitsctl planner error: ${err?.stack ?? String(e)}` };
}

let cachedVersion: string | null = null;
function version(): string {
  if (cachedVersion === null) {
    try {
      const here = path.dirname(fileURLToPath(import.meta.url));
      cachedVersion = String(JSON.parse(readFileSync(path.join(here, '../../package.json'), 'utf8')).version);
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

/** JSON with exact big integers. */
export function toWire(value: unknown): string {
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  let used = false;
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') { used = true; return `@big:${nonce}:${v.toString()}`; }
    return v;
  });
  return used ? text.replace(new RegExp(`"@big:${nonce}:(-?\\d+)"`, 'g'), '$1') : text;
}

/** Serve on a Unix socket until the parent is gone or the server idles out. */
export function serve(socketPath: string, parent: number | null, idleSeconds: number): net.Server {
  let last = Date.now();
  const server = net.createServer((conn) => {
    let buf = '';
    let chain = Promise.resolve();
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        last = Date.now();
        chain = chain.then(async () => {
          let req: Record<string, unknown>;
          try {
            req = JSON.parse(line) as Record<string, unknown>;
          } catch {
            conn.write(`${toWire({ failed: true, msg: 'the planner got a request that is not JSON' })}\n`);
            return;
          }
          const out = await handle(req);
          last = Date.now();
          if (!conn.destroyed) conn.write(`${toWire(out)}\n`);
        });
      }
    });
    conn.on('error', () => { /* the worker went away */ });
  });
  const stop = () => {
    server.close();
    // the socket, the start lock and an empty log of the action plugin (plugins/action/limits.py)
    for (const f of [socketPath, `${socketPath}.lock`]) rmSync(f, { force: true });
    try { if (statSync(`${socketPath}.log`).size === 0) rmSync(`${socketPath}.log`, { force: true }); } catch { /* none */ }
    process.exit(0);
  };
  const timer = setInterval(() => {
    if (parent !== null) {
      try { process.kill(parent, 0); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ESRCH') stop(); }
    }
    if (Date.now() - last > idleSeconds * 1000) stop();
  }, 500);
  timer.unref();
  server.listen(socketPath);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const socketPath = arg('--socket');
  if (!socketPath) {
    process.stderr.write('usage: node dist/fleet/server.js --socket PATH [--parent PID] [--idle SECONDS]\n');
    process.exitCode = 2;
    return;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    process.stderr.write(`limitsctl's planner needs Node.js 20 or later; ${process.execPath} is ${process.version}\n`);
    process.exitCode = 2;
    return;
  }
  const parent = arg('--parent') ? Number(arg('--parent')) : null;
  if (parent !== null && !(Number.isInteger(parent) && parent > 1)) {
    process.stderr.write(`limitsctl planner: --parent must be the ansible-playbook's process id (an integer > 1), not ${arg('--parent')}: its ansible-playbook is gone\n`);
    process.exitCode = 2;
    return;
  }
  if (parent !== null) {
    try { process.kill(parent, 0); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
        process.stderr.write(`limitsctl planner: process ${parent} (its ansible-playbook) is gone\n`);
        process.exitCode = 2;
        return;
      }
    }
  }
  const idle = arg('--idle') ? Number(arg('--idle')) : 120;
  if (existsSync(socketPath)) rmSync(socketPath, { force: true });
  const server = serve(socketPath, parent, idle);
  server.on('listening', () => process.stdout.write('READY\n'));
  server.on('error', (e) => {
    process.stderr.write(`limitsctl planner: cannot listen on ${socketPath}: ${e.message}\n`);
    process.exit(2);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

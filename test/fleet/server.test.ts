/**
 * The warm planner process (dist/fleet/server.js, as the action plugin starts it): it answers
 * several requests on one connection and on parallel connections, turns bad input into a failed
 * result with a plain msg, and ends — removing its socket and start lock — when the process named
 * by --parent is gone. Needs dist/ (npm run build).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const SERVER = path.join(REPO, 'dist/fleet/server.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-planner-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill();
  rmSync(tmp, { recursive: true, force: true });
});

function ask(sock: string, requests: object[]): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    let buf = '';
    const out: Array<Record<string, unknown>> = [];
    c.on('connect', () => { for (const r of requests) c.write(`${JSON.stringify(r)}\n`); });
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        out.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
        if (out.length === requests.length) { c.end(); resolve(out); }
      }
    });
    c.on('error', reject);
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 50) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('the warm planner', () => {
  it('serves requests over its socket and ends with its parent', async () => {
    if (!existsSync(SERVER)) throw new Error('dist/fleet/server.js is missing: run npm run build first');
    const parent = spawn('sleep', ['30']);
    children.push(parent);
    const sock = path.join(tmp, 'p.sock');
    writeFileSync(`${sock}.lock`, '');
    const server = spawn(process.execPath, [SERVER, '--socket', sock, '--parent', String(parent.pid)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    await new Promise<void>((resolve) => server.stdout!.once('data', () => resolve()));
    const [pong, bad, prep] = await ask(sock, [
      { op: 'ping' },
      { op: 'prepare', args: { user: 'a', item: 'nproc', value: 5, state: 'sideways' } },
      { op: 'prepare', args: { user: 'a', item: 'nproc', value: 5, root: '/srv/img' } },
    ]);
    expect(pong).toMatchObject({ pong: true });
    expect(bad).toMatchObject({ failed: true, msg: 'value of state must be one of: present, absent, got: sideways' });
    expect(String(prep!.read)).toContain("R='/srv/img'");
    const parallel = await Promise.all([1, 2, 3].map(() => ask(sock, [{ op: 'ping' }])));
    expect(parallel.flat().every((r) => r.pong === true)).toBe(true);
    parent.kill();
    expect(await waitFor(() => server.exitCode !== null, 10_000)).toBe(true);
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(`${sock}.lock`)).toBe(false);
  }, 30_000);

  it('refuses --parent 1 (a worker whose ansible-playbook is gone) and a parent that is already gone', () => {
    for (const parent of ['1', '0', String(2 ** 22 + 12345)]) {
      const sock = path.join(tmp, `x${parent}.sock`);
      const r = spawnSync(process.execPath, [SERVER, '--socket', sock, '--parent', parent, '--idle', '2'], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `--parent ${parent}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(/ansible-playbook/);
      expect(r.stdout).not.toMatch(/READY/);
      expect(existsSync(sock)).toBe(false);
    }
  }, 60_000);
});


import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const DEMO = path.join(REPO, 'fixtures/demo');
/** the folder ANSIBLE_LIBRARY points at: the limitsctl module */
export const LIBRARY = path.join(REPO, 'ansible/library');

/**
 * Why these tests cannot run here (ansible-playbook missing or broken), printed as "`what` skipped:
 * …", or null when they can. With LIMITSCTL_REQUIRE_ANSIBLE=1 (CI) a reason is an error instead.
 */
export function ansibleSkipReason(what: string): string | null {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  let reason: string | null = null;
  if (r.error) reason = `ansible-playbook is not installed (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); apt-get install ansible`;
  else if (r.status !== 0) reason = `ansible-playbook --version exited with ${r.status}: ${r.stderr.trim()}`;
  if (reason && process.env.LIMITSCTL_REQUIRE_ANSIBLE === '1') throw new Error(`LIMITSCTL_REQUIRE_ANSIBLE=1, but Ansible cannot be run: ${reason}`);
  if (reason) console.warn(`${what} skipped: ${reason}`);
  return reason;
}

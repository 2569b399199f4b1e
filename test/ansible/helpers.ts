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

/**
 * The environment for ansible-playbook in work dir `dir`: the caller's own ANSIBLE_* and
 * LIMITSCTL_PATH dropped, config/home/temp dirs under `dir/ansible`, the module from LIBRARY, and
 * the node that runs the tests first on PATH (the module is `#!/usr/bin/env node`).
 */
export function ansibleEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ANSIBLE_') && k !== 'LIMITSCTL_PATH') env[k] = v;
  const a = path.join(dir, 'ansible');
  return {
    ...env,
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LC_ALL: 'C.UTF-8',
    ANSIBLE_CONFIG: path.join(a, 'ansible.cfg'),
    ANSIBLE_HOME: path.join(a, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(a, 'local-tmp'),
    ANSIBLE_REMOTE_TEMP: path.join(a, 'remote-tmp'),
    ANSIBLE_LIBRARY: LIBRARY,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_GATHERING: 'explicit',
    ...extra,
  };
}

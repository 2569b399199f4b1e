import type { FindingDefinition } from '../types.js';

/** sshd with UsePAM no (first value wins; none at all = the built-in "no"): ssh logins never run pam_limits. */
export const sshdUsepamOff: FindingDefinition = {
  id: 'sshd-usepam-off',
  severities: ['warning'],
  when: 'sshd runs without PAM (`UsePAM no`, first value wins; none = no; see §4)',
  check(ctx) {
    const sshd = ctx.facts.sshd;
    if (!(sshd.present && sshd.usePamEffective === false)) return [];
    const u = sshd.usePam;
    return [{
      id: 'sshd-usepam-off', severity: 'warning',
      title: 'sshd runs without PAM (UsePAM no): ssh logins never run pam_limits',
      details: [u ? `${u.file}:${u.line}: UsePAM ${u.value} (sshd takes the first value it reads; drop-ins included at the top win)` : 'UsePAM is not set and sshd\'s built-in default is "no".',
        'ssh sessions inherit sshd\'s own limits (for a systemd service: LimitNPROC= or DefaultLimitNPROC=).'],
      usage: null,
      fixes: [{ description: 'Turn PAM on (first value wins, so put it in a drop-in read first)', file: { path: '/etc/ssh/sshd_config.d/00-usepam.conf', content: 'UsePAM yes\n' } }, { description: 'then reload sshd (ssh.service on Debian, sshd.service on RHEL)', command: 'systemctl reload ssh.service || systemctl reload sshd.service' }],
    }];
  },
};

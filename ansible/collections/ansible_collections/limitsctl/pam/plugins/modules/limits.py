# -*- coding: utf-8 -*-
# Documentation only: limitsctl.pam.limits runs as an action on the controller
# (plugins/action/limits.py); this file is what ansible-doc reads.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: limits
short_description: Edit pam_limits configuration (limits.conf, limits.d) of hosts that need only a POSIX shell
version_added: 0.2.0
description:
  - Sets or removes limits in C(/etc/security/limits.conf) and C(/etc/security/limits.d/*.conf) the way
    pam_limits reads them, or reports the effective limits of users (I(query)).
  - Runs on the controller. Each host's tree is read with one command (a POSIX C(sh) with C(od),
    C(ls), C(readlink)); one warm limitsctl process per C(ansible-playbook) run plans every host
    with limitsctl's library (the code of C(limitsctl set), C(unset) and C(apply)) - same warnings,
    refusals and idempotence; changed files are written with one command.
  - Needs Node.js 20 or later and a built limitsctl on the B(controller) only (see I(limitsctl_path));
    the managed hosts need neither Node nor Python, so C(gather_facts) may be off.
  - The release profile of each host (which pam_limits it runs) comes from its own os-release
    (C(etc/os-release), else C(usr/lib/os-release)) unless I(profile) names one.
  - Existing lines are edited where they are (limits.conf or a drop-in); a new line goes to the file
    that already holds its family, else to I(file), else to limits.conf. A line that would still beat
    the change (a later drop-in, a user line beating a group line) is a warning, or a refusal when the
    change would not take effect for anyone it names (I(force) writes it anyway).
  - "Writes: a temporary file in the same directory with the old file's mode, owner, group, ACLs and
    extended attributes (SELinux label), filled with the new bytes, checked against the bytes the plan
    was made from (compare-and-swap) and renamed over the file right after that check. When another writer
    changed a file before the check, nothing of it is overwritten: the task reads and plans again (up to 5
    times). A check-then-rename in sh cannot be atomic: a change made between the last check and the
    rename (about a millisecond for a small file) is lost."
  - "The file bytes travel on the write command's standard input when the connection takes input data
    (with become, only when pipelining is enabled, and not with become_method su); else inside the command,
    which limits one task's old plus new bytes to about 118 KiB of plain text. A larger write fails, in check mode too."
  - "The host's answer to the read command is not trusted: a name with .., an absolute name, a NUL or a path
    the read command does not read fails the task, and nothing is written on the controller or the host."
  - "Users and groups come from the tree's etc/passwd and etc/group only, not from NSS (LDAP, SSSD...)."
  - Symlinks are followed inside I(root) as the system would with I(root) as C(/) and never out of it; a
    symlinked file stays a symlink and its target is written. A file with other hard links is refused
    unless I(force) (then only this name is replaced).
  - Source of the semantics - Linux-PAM C(modules/pam_limits/pam_limits.c) (1.5.2 for Debian 12,
    1.7.x upstream), limits.conf(5); see docs/pam_limits-semantics.md of limitsctl.
author:
  - limitsctl contributors
options:
  domain:
    description:
      - The limits.conf domain, written as is - a user name, C(@group), C(%group), C(*), a uid or gid
        range C(1000:1999), C(@:100). Exactly one of I(domain), I(user), I(group) for a single limit.
    type: str
  user:
    description: A user name (the domain C(NAME)).
    type: str
  group:
    description: A group name (the domain C(@NAME)).
    type: str
  item:
    description:
      - The limit - C(core), C(data), C(fsize), C(memlock), C(nofile), C(rss), C(stack), C(cpu), C(nproc),
        C(as), C(maxlogins), C(maxsyslogins), C(priority), C(locks), C(sigpending), C(msgqueue), C(nice),
        C(rtprio), C(nonewprivs), C(chroot) (Debian), C(rttime) (Linux-PAM 1.7), as the host's profile knows them.
    type: str
    aliases: [limit_item]
  value:
    description:
      - The value, as limits.conf takes it - an integer (in the item's unit - KiB for sizes, minutes for
        cpu), C(unlimited), C(infinity), C(-1) or C(-). Quote values YAML would read as booleans.
      - Required with I(state=present) and a single limit; not used with I(state=absent).
    type: raw
  type:
    description: Which half - C(soft), C(hard), or both (C(both) or C(-), one C(-) line).
    type: str
    choices: [soft, hard, both, '-']
    default: both
    aliases: [limit_type]
  state:
    description: C(present) sets the value; C(absent) removes every line of the domain and item (and half).
    type: str
    choices: [present, absent]
    default: present
  policy:
    description:
      - "Many limits in one task, instead of I(domain)/I(item)/I(value) - a mapping
        C({DOMAIN: {ITEM: VALUE, ITEM.soft: VALUE, ITEM.hard: VALUE}}) (or C(ITEM: {soft: V, hard: V})), or the
        text of an ini policy as C(limitsctl apply) reads it (C([admin]) then C(nproc = 4096)). A file of the
        controller is passed with C(lookup('file', PATH))."
      - The mapping form refuses what the ini form refuses - a C(__proto__) domain, two domains that are the same
        once trimmed, an item given twice for one half.
    type: raw
  prune:
    description: With a I(policy) and I(state=present), also remove the other items of the domains the policy names.
    type: bool
    default: false
  file:
    description:
      - Where a new line goes when its family has no line yet - a path on the host (C(/etc/security/limits.d/80-app.conf),
        taken under I(root)), the same path already prefixed with I(root), or relative to I(root). Existing lines are edited where they are. A file pam_limits never reads is refused.
    type: str
  backup:
    description: Keep the old file as C(FILE.YYYYMMDDTHHMMSSZ.bak) next to it, only when it changes (never in check mode).
    type: bool
    default: false
  at_least:
    description: Only raise - a value already at least as high is kept (for C(nice) and C(priority), "higher" means more permissive).
    type: bool
    default: false
    aliases: [use_max]
  at_most:
    description: Only lower - a value already at most as high is kept.
    type: bool
    default: false
    aliases: [use_min]
  comment:
    description: A comment for a written line.
    type: str
  profile:
    description:
      - The pam_limits release to edit for - C(auto) detects each host's from its os-release; else a profile name
        such as C(debian-12), C(rhel-9), C(linux-pam-1.5.2), C(linux-pam-1.7) (C(limitsctl profiles) lists them;
        aliases C(debian), C(upstream), C(upstream-1.7)).
    type: str
    default: auto
  force:
    description: Write a change that would not take effect (a line that beats it is named in the warnings), and replace a file with other hard links (this name only).
    type: bool
    default: false
  root:
    description:
      - The directory on the host that holds C(etc/security) - C(/) for the system itself; another directory for an
        image or chroot (symlinks are read as if it were C(/)).
    type: str
    default: /
  query:
    description:
      - Read only - the effective limits of these users on each host (what a new pam_limits session gets), with the
        file and line each value comes from. Excludes every editing option.
    type: list
    elements: str
  limitsctl_path:
    description:
      - The limitsctl checkout or unpacked package on the B(controller) that holds the planner (C(dist/fleet/server.js));
        default the environment variable C(LIMITSCTL_PATH), else the checkout this collection is part of.
    type: str
notes:
  - Check mode and diff mode are supported; the diff names the host's real paths. C(changed) is true only when a file's bytes change.
  - C(become) works - both commands run through the connection's shell with the task's become method.
  - One read command and at most one write command per host and task (another read and write when a concurrent writer forces a re-plan).
  - Bad input (a value pam_limits would misread, an unknown item or profile, a bad policy) fails with a plain C(msg) before the host is touched.
  - Node.js 20 or later is needed on the controller only; one planner process serves the whole run and ends with it.
seealso:
  - name: limitsctl documentation (docs/ansible.md)
    description: Installation from a checkout or a built collection tarball, examples, speed.
    link: https://www.man7.org/linux/man-pages/man5/limits.conf.5.html
'''

EXAMPLES = r'''
- name: Raise nofile for postgres everywhere (gather_facts may be off)
  limitsctl.pam.limits:
    user: postgres
    item: nofile
    value: 65536
  become: true

- name: A whole policy in one task, only raising
  limitsctl.pam.limits:
    policy:
      '@developers': {nofile: 16384, nproc.soft: 4096}
      admin: {nproc: unlimited}
    at_least: true
    backup: true
  become: true

- name: Remove the core limit of everyone
  limitsctl.pam.limits:
    domain: '*'
    item: core
    state: absent

- name: Audit - what do new sessions of these users get?
  limitsctl.pam.limits:
    query: [postgres, admin]
  register: audit

- name: Edit a chroot image instead of the host itself
  limitsctl.pam.limits:
    root: /srv/images/web
    group: web
    item: nproc
    value: 8192
'''

RETURN = r'''
changed:
  description: Whether a file's bytes changed (or would, in check mode).
  returned: always
  type: bool
msg:
  description: One status per request (C(changed), C(would change), C(unchanged)) with what it did, or why the task failed.
  returned: always
  type: str
profile:
  description: The release profile the host's tree was read as.
  returned: success
  type: str
  sample: debian-12
profile_reason:
  description: Why - the os-release fields it was detected from, or the I(profile) given.
  returned: success
  type: str
root:
  description: The tree's root on the host.
  returned: success
  type: str
files:
  description: The files written (or that would be) - C(path) as pam_limits reads it, C(real_path) when a symlink led elsewhere, C(created), C(backup).
  returned: edits
  type: list
  elements: dict
changes:
  description: Per request - C(status) (changed/unchanged), C(detail), C(note) (e.g. a value that is lowered).
  returned: edits
  type: list
  elements: dict
effective:
  description: "For each user a request names, the values a new session gets after the change - C({USER: {result, applied, limits: {ITEM: {soft, hard, soft_from, hard_from}}, warnings}})."

  returned: edits
  type: dict
blockers:
  description: Accounts that will not get a requested value, the line that wins and why.
  returned: edits
  type: list
  elements: dict
warnings:
  description: Lines that still beat the change, unknown users or groups, a profile that is a guess, files that make pam_limits fail.
  returned: always
  type: list
  elements: str
diff:
  description: Per changed file, C(before_header)/C(after_header) (the host's path; C(/dev/null) for a new file) and the texts.
  returned: diff mode, when something changes
  type: list
  elements: dict
backup_file:
  description: The first backup made.
  returned: when I(backup) and a file changed
  type: str
limits:
  description:
    - "Query only - C({USER: {ITEM: {soft, hard, soft_source, hard_source}}}) for every rlimit item (plus maxlogins, nonewprivs... when a line sets them)."
    - Values in limits.conf units (an integer, or C(unlimited)); C(null) when unknown. A source is the host's C(FILE:LINE), or
      the word C(inherited) and C(pid1) in parentheses when no line sets it and the session keeps the value it starts with (the host's /proc/1/limits),
      C(fallback) in parentheses when the host has none and a default is assumed, C(unknown) and a reason in parentheses with a null value when it cannot be known,
      and C(calling process) and a note in parentheses with a null value on Debian 13 and upstream Linux-PAM 1.6+ (sessions start from the limits of the
      process calling pam_limits).
  returned: query
  type: dict
  sample: {postgres: {nofile: {soft: 65536, hard: 65536, soft_source: /etc/security/limits.conf:63, hard_source: /etc/security/limits.conf:63}}}
sessions:
  description: Query only - per user, the session's C(result) (C(PAM_SUCCESS), or the error pam_limits returns), C(applied), C(uid), C(groups), C(priority), C(warnings).
  returned: query
  type: dict
unknown_users:
  description: Query only - names not found in the host's passwd (also a warning).
  returned: query, when some are unknown
  type: list
  elements: str
error_code:
  description: The library's error code for a refusal (C(EEDIT), C(EPOLICY), C(EHARDLINK), C(ETOOLARGE)...).
  returned: failure
  type: str
'''

if __name__ == '__main__':
    import json
    import sys
    print(json.dumps({'failed': True, 'msg': 'limitsctl.pam.limits runs on the controller as an action; call it from a play, not as a module file'}))
    sys.exit(1)

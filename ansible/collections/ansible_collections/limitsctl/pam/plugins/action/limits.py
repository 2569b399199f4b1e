# -*- coding: utf-8 -*-
# limitsctl.pam.limits: the action (controller side). Documentation: plugins/modules/limits.py
# (ansible-doc limitsctl.pam.limits) and docs/ansible.md of the limitsctl repository.
#
# Per task and host:
#   1. ask the warm planner (one Node.js process per ansible-playbook run, shared by every fork
#      through a Unix socket) to check the arguments and give the read command: bad input fails
#      here, before the host is touched;
#   2. run the read command on the host (one command through the connection's shell, with
#      become when the task has it): a snapshot of the limits files, the symlinks on their way,
#      os-release, passwd/group, fs.nr_open, /proc/1/limits;
#   3. the planner plans from the snapshot with limitsctl's library (the code of `limitsctl set`);
#   4. unless check mode or nothing changes, run the write command on the host (one command):
#      compare-and-swap against the bytes planned from, attributes kept, atomic rename, backup;
#      when another writer changed a file since step 2, nothing of it is overwritten and the task
#      goes back to step 2 (at most MAX_ATTEMPTS times).
# The host needs a POSIX sh and coreutils-level tools (od, ls, readlink, cmp, cp, mv, ln): no
# Python, no Node.
#
# Where the planner comes from (the first that is set wins):
#   - the task argument limitsctl_path, or the environment variable LIMITSCTL_PATH: a limitsctl
#     checkout with dist/ built (npm ci && npm run build), or an unpacked package
#     (npm pack; tar xzf; npm install --omit=dev inside it);
#   - the checkout this collection sits in (<repo>/ansible/collections/ansible_collections/limitsctl/pam).
# Node.js: LIMITSCTL_NODE, else `node` on the controller's PATH (>= 20).
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

MAX_ATTEMPTS = 5
SERVER = os.path.join('dist', 'fleet', 'server.js')


class PlannerError(Exception):
    pass


def _is_planner_dir(d):
    try:
        with open(os.path.join(d, 'package.json')) as f:
            if json.load(f).get('name') != 'limitsctl':
                return False
    except (OSError, ValueError):
        return False
    return True


def _find_planner(param):
    tried = []
    for how, d in (('limitsctl_path', param), ('LIMITSCTL_PATH', os.environ.get('LIMITSCTL_PATH'))):
        if not d:
            continue
        d = os.path.abspath(os.path.expanduser(d))
        if _is_planner_dir(d) and os.path.isfile(os.path.join(d, SERVER)):
            return os.path.join(d, SERVER)
        raise PlannerError('%s %s is not a limitsctl checkout or package with %s (run npm ci && npm run build there)' % (how, d, SERVER))
    here = os.path.dirname(os.path.realpath(__file__))
    repo = os.path.abspath(os.path.join(here, *(['..'] * 7)))
    if _is_planner_dir(repo):
        if os.path.isfile(os.path.join(repo, SERVER)):
            return os.path.join(repo, SERVER)
        raise PlannerError('the limitsctl checkout %s has no %s: run npm ci && npm run build there' % (repo, SERVER))
    tried.append('%s (the checkout around the collection)' % repo)
    raise PlannerError('cannot find limitsctl\'s planner (looked in: %s); set LIMITSCTL_PATH or the limitsctl_path argument '
                       'to a limitsctl checkout with dist/ built (npm ci && npm run build), on the controller' % '; '.join(tried))


def _first_error(lines):
    """The line of a failed start that says why: Node's error line ("Error [ERR_…]: …", "SyntaxError: …")
    or the planner's own message, not the "Node.js v20…" that ends a stack trace."""
    lines = [l.strip() for l in lines if l.strip()]
    for l in lines:
        if l.startswith('limitsctl') or ('Error' in l.split(':')[0] and not l.startswith('at ')):
            return l
    rest = [l for l in lines if not l.startswith('Node.js v') and not l.startswith('at ') and l not in ('^', 'throw err;')]
    return rest[0] if rest else None


def _node():
    node = os.environ.get('LIMITSCTL_NODE') or shutil.which('node')
    if not node:
        raise PlannerError('limitsctl.pam needs Node.js >= 20 on the controller (not on the hosts): no `node` on PATH; set LIMITSCTL_NODE')
    return node


def _socket_dir():
    base = tempfile.gettempdir()
    d = os.path.join(base, 'limitsctl-fleet-%d' % os.getuid())
    if len(d) > 60:
        d = '/tmp/limitsctl-fleet-%d' % os.getuid()
    try:
        os.mkdir(d, 0o700)
    except OSError as e:
        if e.errno != errno.EEXIST:
            raise
    st = os.lstat(d)
    if st.st_uid != os.getuid() or (st.st_mode & 0o077):
        raise PlannerError('%s is not a private directory of uid %d' % (d, os.getuid()))
    return d


class Planner(object):
    """A connection to the warm planner of this ansible-playbook run (started on first use)."""

    def __init__(self, server_js, node):
        self.server_js = server_js
        key = hashlib.sha1(('%s\0%s' % (server_js, node)).encode('utf-8')).hexdigest()[:12]
        # the workers are children of the ansible-playbook process: one planner per run. A worker
        # whose ansible-playbook is gone (killed) has been re-parented (to init, PID 1): it must
        # not start a planner that nothing would ever end.
        self.parent = os.getppid()
        if self.parent <= 1:
            raise PlannerError('ansible-playbook is gone (this worker was re-parented to PID %d); not starting a planner' % self.parent)
        self.path = os.path.join(_socket_dir(), '%d-%s.sock' % (self.parent, key))
        self.node = node
        self.sock = self._connect() or self._start()
        self.file = self.sock.makefile('rwb')

    def _connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.path)
            return s
        except OSError:
            s.close()
            return None

    def _start(self):
        with open(self.path + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            s = self._connect()
            if s:
                return s
            try:
                os.unlink(self.path)
            except OSError:
                pass
            log_path = self.path + '.log'
            try:
                with open(log_path, 'ab') as log:
                    p = subprocess.Popen([self.node, self.server_js, '--socket', self.path, '--parent', str(self.parent)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                         close_fds=True, start_new_session=True)
            except OSError as e:
                self._litter(log_path)
                raise PlannerError('cannot run Node.js %s (%s): %s' % (self.node, 'LIMITSCTL_NODE' if os.environ.get('LIMITSCTL_NODE') else 'node on PATH', e.strerror or e))
            line = p.stdout.readline()
            p.stdout.close()
            if line.strip() != b'READY':
                p.wait()
                try:
                    with open(log_path, 'rb') as f:
                        why = to_text(f.read()[:20000]).strip().splitlines()
                except OSError:
                    why = []
                self._litter(log_path)
                raise PlannerError('the limitsctl planner (%s %s) did not start: %s' % (self.node, self.server_js, _first_error(why) or 'exit %s' % p.returncode))
            for _ in range(100):
                s = self._connect()
                if s:
                    return s
                time.sleep(0.05)
            raise PlannerError('the limitsctl planner started but its socket %s does not answer' % self.path)

    def _litter(self, log_path):
        # a failed start leaves neither its log nor its lock (the message carries the cause)
        for f in (log_path, self.path + '.lock'):
            try:
                os.unlink(f)
            except OSError:
                pass

    def call(self, request):
        self.file.write(json.dumps(request, default=to_text).encode('utf-8') + b'\n')
        self.file.flush()
        line = self.file.readline()
        if not line:
            raise PlannerError('the limitsctl planner closed the connection (see %s.log)' % self.path)
        return json.loads(line.decode('utf-8'))

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def _stdin_ok(self):
        """Can the write command get the file bytes on its standard input? Ansible's own rule for
        pipelined modules (ActionBase._is_pipelining_enabled): the connection takes input data,
        not become_method su; with become also pipelining enabled (no tty: sudo's requiretty off)."""
        if not getattr(self._connection, 'has_pipelining', False):
            return False
        become = getattr(self._connection, 'become', None)
        if not become:
            return True
        return self._is_pipelining_enabled('new')

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        check = bool(self._task.check_mode)
        diff = bool(self._task.diff)
        try:
            planner = Planner(_find_planner(args.get('limitsctl_path')), _node())
        except (PlannerError, OSError) as e:
            result.update(failed=True, changed=False, msg=to_text(e))
            return result
        try:
            out = planner.call({'op': 'prepare', 'args': args})
            if out.get('failed'):
                result.update(out)
                return result
            read = out['read']
            stdin_ok = self._stdin_ok()
            hook = os.environ.get('LIMITSCTL_FLEET_TEST_AFTER_READ')
            for attempt in range(1, MAX_ATTEMPTS + 1):
                r = self._low_level_execute_command(read, sudoable=True)
                if r.get('rc') != 0:
                    result.update(failed=True, changed=False,
                                  msg='reading the limits files on the host failed (exit %s): %s' % (r.get('rc'), to_text(r.get('stderr') or r.get('stdout') or '').strip()[-1000:]))
                    return result
                if hook and attempt == 1:
                    # tests only: a concurrent writer between this task's read and its write
                    subprocess.call(hook, shell=True, env=dict(os.environ, HOST_ROOT=to_text(args.get('root', '/'))))
                planned = planner.call({'op': 'plan', 'args': args, 'snapshot': to_text(r.get('stdout', '')), 'check': check, 'diff': diff,
                                        'stdin': stdin_ok})
                if planned.get('failed'):
                    result.update(planned)
                    return result
                if not planned.get('write'):
                    result.update(planned['result'])
                    break
                data = planned.get('stdin')
                w = self._low_level_execute_command(planned['write'], sudoable=True,
                                                    in_data=data.encode('latin-1') if data is not None else None)
                done = planner.call({'op': 'finish', 'result': planned['result'], 'stdout': to_text(w.get('stdout', '')),
                                     'stderr': to_text(w.get('stderr', '')), 'rc': w.get('rc', 0)})
                if done.get('failed'):
                    result.update(done)
                    return result
                if not done.get('retry'):
                    result.update(done['result'])
                    if attempt > 1:
                        result.setdefault('warnings', []).append(
                            'another writer changed the host\'s limits files during this task; they were read and planned again (%d attempts)' % attempt)
                    break
            else:
                result.update(failed=True, changed=False,
                              msg='the host\'s limits files kept changing while this task wrote them (%d attempts, last %s); nothing of those changes was overwritten' % (MAX_ATTEMPTS, done.get('conflict')))
                return result
        except (PlannerError, OSError, ValueError) as e:
            result.update(failed=True, changed=False, msg='limitsctl planner: %s' % to_text(e))
            return result
        finally:
            planner.close()
        if not diff:
            result.pop('diff', None)
        return result

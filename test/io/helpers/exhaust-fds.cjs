// Test helper, preloaded with `node --require exhaust-fds.cjs bin/limitsctl.js …`: before the
// program starts, open /dev/null until open(2) fails with EMFILE (the process's RLIMIT_NOFILE, set
// low by the caller with `ulimit -n`), then close $LIMITSCTL_TEST_FREE_FDS of those descriptors
// again. limitsctl then runs with exactly that many descriptors free: the first of its reads that
// needs more meets EMFILE at a known place. The rest stay open (and are closed on exec: Node opens
// them O_CLOEXEC) until the process ends.
'use strict';
const fs = require('node:fs');

const free = Number(process.env.LIMITSCTL_TEST_FREE_FDS ?? '0');
const held = [];
for (;;) {
  try {
    held.push(fs.openSync('/dev/null', 'r'));
  } catch (e) {
    if (e.code !== 'EMFILE') throw e;
    break;
  }
}
for (let i = 0; i < free && held.length > 0; i++) fs.closeSync(held.pop());

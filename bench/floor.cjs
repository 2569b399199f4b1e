#!/usr/bin/env node
// The floor of the lint figures (lint.bench.mjs): what a Node process costs that reads a tree,
// splits it as a parser must and prints as many findings as lint does, with none of lint's
// analysis. A reference printed under a figure, not a subject or a baseline: a target near or below
// it leaves a lint in Node almost nothing for its analysis.
//
//   node bench/floor.cjs print PER_ENTRY AVG_BYTES PATH…
//     reads every file under each PATH, splits each file into lines and each line into
//     whitespace-separated fields (the text after '#' left out), and writes PER_ENTRY findings per
//     line of four fields or more (an entry; a fraction spreads them evenly), each a line of about
//     AVG_BYTES bytes made from one template holding the file's path, the line's number and its
//     four fields: what the bare read does, plus the least a parser and a formatter must do.
//     The bench gives lint's own count of findings divided by the entries (counted beforehand:
//     node bench/floor.cjs entries PATH…) and lint's report bytes divided by its findings.
// CommonJS, no import of limitsctl: the process costs what Node and this file cost, nothing more.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Every regular file under `p` (a file or a directory), in the order readdir gives. */
function files(p, out) {
  if (!fs.statSync(p).isDirectory()) { out.push(p); return out; }
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    const q = path.join(p, e.name);
    if (e.isDirectory()) files(q, out);
    else if (e.isFile()) out.push(q);
  }
  return out;
}

/** The entry lines under the paths: lines of four fields or more once '#…' is left out. */
function entryLines(paths) {
  let n = 0;
  for (const f of paths.flatMap((p) => files(p, []))) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      const h = line.indexOf('#');
      if ((h < 0 ? line : line.slice(0, h)).trim().split(/\s+/).length >= 4) n++;
    }
  }
  return n;
}

function print(perEntry, avg, paths) {
  const list = paths.flatMap((p) => files(p, []));
  let pending = '';
  let written = 0;
  let due = 0;
  for (const f of list) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const h = line.indexOf('#');
      const fields = (h < 0 ? line : line.slice(0, h)).trim().split(/\s+/);
      if (fields.length < 4) continue;
      due += perEntry;
      while (due >= 1) {
        due -= 1;
        const head = `${f}:${i + 1}:1 warning LC202 line ${i + 1} ('${fields[0]} ${fields[1]} ${fields[2]} ${fields[3]}') sets ${fields[2]} for '${fields[0]}'`;
        const s = `${head}${' (duplicate-entry) '.padEnd(Math.max(1, Math.round(avg) - head.length - 1), '.')}\n`;
        pending += s;
        written += s.length;
        if (pending.length >= 1 << 16) { fs.writeSync(1, pending); pending = ''; }
      }
    }
  }
  if (pending) fs.writeSync(1, pending);
  return written;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'print' && rest.length >= 3) print(Number(rest[0]), Number(rest[1]), rest.slice(2));
else if (mode === 'entries' && rest.length >= 1) console.log(entryLines(rest));
else {
  process.stderr.write('usage: floor.cjs print PER_ENTRY AVG_BYTES PATH… | entries PATH…\n');
  process.exit(2);
}

// Test helper: perform one operation of the write module and print the outcome as one JSON line.
//   node io-op.mjs write <root> <file> <data> [expected|-] [backup]
//   node io-op.mjs writemany <root> <json [{path, data}]>
// <data>, <expected> and the JSON's data fields are base64, or @<file> to take a file's bytes
// (argv strings are limited to 128 KiB); the JSON argument may be @<file> too.
// Prints {"ok":true,"result":…} or {"ok":false,"name","code","path","message"}; always exits 0
// unless the module cannot be loaded.
import { readFileSync } from 'node:fs';

const mod = await import(process.env.LIMITSCTL_IO_MODULE ?? new URL('./write.js', import.meta.url).href);
const bytes = (s) => (s.startsWith('@') ? readFileSync(s.slice(1)) : Buffer.from(s, 'base64'));
const [op, root, ...args] = process.argv.slice(2);
try {
  let result;
  if (op === 'write') {
    const [file, data, expected, backup] = args;
    const opts = { root, backup: backup === 'backup' };
    if (expected !== undefined && expected !== '-') opts.expected = bytes(expected);
    result = await mod.writeFileAtomic(file, bytes(data), opts);
  } else if (op === 'writemany') {
    const spec = args[0].startsWith('@') ? readFileSync(args[0].slice(1), 'utf8') : args[0];
    const files = JSON.parse(spec).map((f) => ({ path: f.path, data: bytes(f.data) }));
    result = await mod.writeFilesAtomic(files, { root });
  } else {
    throw new Error(`unknown op ${op}`);
  }
  process.stdout.write(JSON.stringify({ ok: true, result }) + '\n');
} catch (e) {
  process.stdout.write(
    JSON.stringify({ ok: false, name: e?.name, code: e?.code, path: e?.path, message: e?.message }) + '\n',
  );
}

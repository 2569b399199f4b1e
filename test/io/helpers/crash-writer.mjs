// Test helper: write the file again and again, alternating two large contents, until killed.
//   node crash-writer.mjs <root> <file> <sizeBytes>
// Each round: take the tree lock, read the file, write the other content (with the read content
// as `expected`). Prints "ready" once the module is loaded and the first round starts, then one
// "w" per completed write.
const mod = await import(process.env.LIMITSCTL_IO_MODULE ?? new URL('./write.js', import.meta.url).href);
const [root, file, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg);
const A = Buffer.alloc(size, 'A\n');
const B = Buffer.alloc(size, 'B\n');
process.stdout.write('ready\n');
for (;;) {
  await mod.withTreeLock(root, async () => {
    const snap = await mod.readFileSnapshot(file, { root });
    const next = snap.data !== null && snap.data.equals(A) ? B : A;
    await mod.writeFileAtomic(file, next, { root, expected: snap });
  });
  process.stdout.write('w\n');
}

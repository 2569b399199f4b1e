// Test helper: take the tree lock and hold it.
//   node lock-holder.mjs <root> [hold|exit]
// Prints "locked" once it holds the lock. "hold" (default): keeps it until stdin closes, then
// releases it and prints "released". "exit": calls process.exit(0) while holding it.
const mod = await import(process.env.LIMITSCTL_IO_MODULE ?? new URL('./write.js', import.meta.url).href);
const [root, mode = 'hold'] = process.argv.slice(2);
await mod.withTreeLock(root, async () => {
  process.stdout.write('locked\n');
  if (mode === 'exit') process.exit(0);
  await new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
});
process.stdout.write('released\n');

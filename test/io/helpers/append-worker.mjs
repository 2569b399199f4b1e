// Test helper: append unique lines to one file, read-modify-write, `rounds` times.
//   node append-worker.mjs <root> <file> <id> <rounds> <lock|nolock> <barrierFile> <holdMs>
// Prints "waiting", waits until <barrierFile> exists (so that all workers start together), then per round:
// [lock →] read → wait holdMs (widens the race window) → write content + "<id>-<round>\n" [→ unlock].
// No `expected` is passed, so the lock is the only protection: with "nolock" (the control case)
// lost updates are expected, silent or reported as a conflict by the writer.
import { existsSync } from 'node:fs';
const mod = await import(process.env.LIMITSCTL_IO_MODULE ?? new URL('./write.js', import.meta.url).href);
const [root, file, id, roundsArg, mode, barrier, holdArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const hold = Number(holdArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.stdout.write('waiting\n');
while (!existsSync(barrier)) await sleep(2);
for (let r = 0; r < rounds; r++) {
  const once = async () => {
    const snap = await mod.readFileSnapshot(file, { root });
    if (hold > 0) await sleep(hold);
    const next = Buffer.concat([snap.data ?? Buffer.alloc(0), Buffer.from(`${id}-${r}\n`)]);
    await mod.writeFileAtomic(file, next, { root });
  };
  if (mode === 'lock') await mod.withTreeLock(root, once);
  else {
    // unlocked: the writer may notice the race itself (the old file was replaced while it wrote)
    // and refuse with a conflict instead of overwriting — that update is lost too, but not silently
    // (EHARDLINK: another unlocked writer's pin link to the old file was seen between its link and
    // our count — only possible without the tree lock, which every command takes)
    try { await once(); } catch (e) { if (e?.code !== 'ECONFLICT' && e?.code !== 'EHARDLINK') throw e; process.stdout.write('conflict\n'); }
  }
}
process.stdout.write('done\n');

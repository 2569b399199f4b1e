/**
 * Clean-up on SIGINT, SIGTERM and SIGHUP, only while there is something to clean up.
 *
 * The CLI installs no signal handlers of its own: a process that holds nothing is ended by the
 * signal's default action at once, with the signal as its status (a shell shows 130 for Ctrl-C,
 * 143 for a kill). While something must not be left behind (the tree lock, src/io/tree-lock.ts;
 * the temporary file of `lint --output-file`, src/io/output-file.ts; the fleet planner's scratch
 * directory), {@link onSignalCleanup} registers a synchronous clean-up; the first registration
 * installs the handlers and the last removal takes them away again (Node then restores the
 * default action). A signal that arrives meanwhile runs every registered clean-up, removes the
 * handlers and raises the same signal again, so the process still ends by that signal — its
 * status is the signal's, never a clean exit. The handler runs when the event loop turns: code
 * that computes for long while holding something must yield now and then
 * (`await new Promise(setImmediate)`).
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type CleanupSignal = (typeof SIGNALS)[number];

const cleanups = new Set<() => void>();
let installed = false;

function onSignal(signal: CleanupSignal): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      /* best effort: what is left is recovered later (a stale lock) or is a stray temporary file */
    }
  }
  cleanups.clear();
  uninstall();
  // a program with handlers of its own (the fleet server stops gracefully) decides what follows
  if (process.listenerCount(signal) > 0) return;
  // no listener left: Node has restored the default action, which ends the process by the signal
  process.kill(process.pid, signal);
}

const handlers = new Map<CleanupSignal, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

function install(): void {
  if (installed) return;
  installed = true;
  for (const [s, h] of handlers) process.on(s, h);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const [s, h] of handlers) process.removeListener(s, h);
}

/**
 * Run `cleanup` (synchronous; errors are ignored) if SIGINT, SIGTERM or SIGHUP arrives before the
 * returned function is called; the process then ends by that signal. Call the returned function
 * once the thing is released; it is idempotent.
 */
export function onSignalCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}

#!/usr/bin/env node
// Ctrl-C or a kill: exit at once with 128 + the signal number, through process.exit so the exit
// hooks run (the tree lock this process holds is removed). Each file is replaced atomically;
// docs/editing.md says what an interrupted multi-file write leaves and how a re-run completes it.
// The handlers are installed before anything else is loaded; a second signal is not caught.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
process.once('SIGHUP', () => process.exit(129));

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

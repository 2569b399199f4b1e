#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Ctrl-C or a kill during a write: exit normally so exit hooks (the tree lock) run; the write
// itself is atomic, so the file is either the old or the new content.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

process.exitCode = await main(process.argv.slice(2));

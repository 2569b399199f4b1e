/**
 * The main job on a tree, as `npm start` runs it on fixtures/demo: which files pam_limits reads,
 * what a user's nproc really is and why, and what to change.
 */
import { type CliIO, type GlobalArgs, makeContext } from '../context.js';

export interface DemoArgs extends GlobalArgs {
  user: string;
}

export async function run(args: DemoArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const c = ctx.colors;
  const section = (title: string, cmd: string) => io.stdout(`\n${c.bold(`== ${title}`)}\n${c.dim(`$ ${cmd}`)}\n`);
  const rootArg = `--root ${args.root}`;
  const common = { root: args.root, profile: args.profile, json: false, color: args.color };
  let worst = 0;
  section('Which files does pam_limits read?', `limitsctl files ${rootArg}`);
  worst = Math.max(worst, await (await import('./files.js')).run(common, io));
  section(`What nproc does ${args.user} really get?`, `limitsctl get nproc --user ${args.user} ${rootArg}`);
  worst = Math.max(worst, await (await import('./get.js')).run({ ...common, item: 'nproc', user: args.user }, io));
  section('Why?', `limitsctl explain nproc --user ${args.user} ${rootArg}`);
  worst = Math.max(worst, await (await import('./explain.js')).run({ ...common, item: 'nproc', user: args.user }, io));
  section('What would a CI lint of this tree say?', `limitsctl lint ${rootArg}`);
  const lintCode = await (await import('./lint.js')).run({ ...common, paths: [] }, io);
  worst = Math.max(worst, lintCode);
  section(`The fix that really takes effect (a dry run: nothing is written)`, `limitsctl set nproc 4096 --user ${args.user} ${rootArg} --dry-run`);
  worst = Math.max(worst, await (await import('./set.js')).run({ ...common, item: 'nproc', value: '4096', user: args.user, dryRun: true }, io));
  io.stdout(`\n${c.dim(`Profile: ${ctx.profileReason}.`)}\n`);
  return worst;
}

import { AuditLog } from '../auth/audit';
import { openDatabase } from '../db/database';
import { EnvError, loadEnv } from '../env';
import { createConsoleRunner } from '../exec';
import { HostRoot } from '../host-root';
import pino from 'pino';
import { TuningService } from '../tuning/service';
import { runTune, TUNE_USAGE } from './tune';

/**
 * `archibald`: the console's command line (bundled to build/cli.mjs). It reads the same environment as the
 * console (ARCHIBALD_HOST_ROOT, ARCHIBALD_DATA_DIR, ARCHIBALD_PATH), so its tweaks share the console's
 * database: what the CLI applies, the tuning page lists and can revert, and the other way round.
 */
async function main(argv: string[]): Promise<number> {
  const [area, ...rest] = argv;
  if (area === '--help' || area === '-h' || area === 'help' || area === undefined) {
    process.stdout.write(`${TUNE_USAGE}\n`);
    return area === undefined ? 2 : 0;
  }
  if (area !== 'tune') {
    process.stderr.write(`archibald: unknown area "${area}"\n\n${TUNE_USAGE}\n`);
    return 2;
  }
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`archibald: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // logs go to stderr: stdout is for the answer (and --json)
  const log = pino({ level: process.env.ARCHIBALD_LOG_LEVEL ?? 'warn', base: { svc: 'archibald-cli' } }, pino.destination(2));
  const db = openDatabase(env.ARCHIBALD_DATA_DIR);
  const exec = createConsoleRunner({ path: env.ARCHIBALD_PATH });
  const tuning = new TuningService({ host: new HostRoot(env.ARCHIBALD_HOST_ROOT), exec, db, log, canHold: false });
  try {
    return await runTune(rest, tuning, new AuditLog(db), {
      out: (t) => process.stdout.write(`${t}\n`),
      err: (t) => process.stderr.write(`${t}\n`),
    });
  } finally {
    await tuning.close();
    await exec.killAll();
    db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`archibald: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

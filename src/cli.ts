/** The `guestlist` command. */
import { announceReady, isClusterWorker, parseProcesses, refusal, runPrimary, stopWhenOrphaned } from './cluster.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './http/logger.ts';
import { handleSignals, migrateOnly, start, startWorker } from './main.ts';

const HELP = `guestlist: self-hosted Directory Sync (SCIM 2.0 in, events and webhooks out)

Usage: guestlist <command> [--processes N]

Commands:
  start      serve the SCIM endpoint, the management API and health/metrics, and deliver webhooks
  worker     only deliver webhooks and prune events (run any number next to servers on PostgreSQL)
  migrate    apply database migrations and exit
  simulate   drive a SCIM endpoint the way Okta, Entra and others do, and verify it (simulate --help)
  --help     show this help

Options of start and worker:
  --processes N   run N processes (1 to 64) sharing one port (start) and nothing else but the database;
                  PostgreSQL only. A process that dies is restarted; SIGTERM or SIGINT stops them all.

Configuration is read from the environment: PORT, HOST, GUESTLIST_DATABASE_URL, GUESTLIST_API_KEY,
GUESTLIST_PUBLIC_URL, GUESTLIST_SECRET_KEY, GUESTLIST_DATA_DIR, GUESTLIST_WEBHOOK_BLOCK_PRIVATE, LOG_LEVEL.
See README.md.
`;

export async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? '--help';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  // A SCIM client only: it needs none of the server's configuration.
  if (command === 'simulate') return (await import('./simulator/cli.ts')).runSimulate(argv.slice(1));
  if (command !== 'start' && command !== 'migrate' && command !== 'worker') {
    process.stderr.write(`guestlist: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  const processes = parseProcesses(argv.slice(1));
  if (typeof processes === 'object') {
    process.stderr.write(`guestlist: ${processes.error}\n`);
    return 2;
  }
  if (processes !== undefined && command === 'migrate') {
    process.stderr.write('guestlist: migrate runs once; --processes applies to start and worker\n');
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`guestlist: invalid configuration: ${error.message}\n`);
      return 78;
    }
    throw error;
  }
  const refused = processes === undefined ? undefined : refusal(config, processes);
  if (refused !== undefined) {
    process.stderr.write(`guestlist: ${refused}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  try {
    if (command === 'migrate') {
      await migrateOnly(config, logger);
      return 0;
    }
    if (processes !== undefined && processes > 1 && !isClusterWorker()) {
      await runPrimary({ command, processes, config, logger, migrate: () => migrateOnly(config, logger) });
      return -1;
    }
    const running = command === 'worker' ? await startWorker(config, logger) : await start(config, logger);
    if (isClusterWorker()) {
      handleSignals(stopWhenOrphaned(running, logger), logger);
      announceReady('url' in running && typeof running.url === 'string' ? running.url : undefined);
    } else handleSignals(running, logger);
    return -1;
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    return 1;
  }
}

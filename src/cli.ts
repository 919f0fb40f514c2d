/** The `guestlist` command. */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './http/logger.ts';
import { handleSignals, migrateOnly, start, startWorker } from './main.ts';

const HELP = `guestlist: self-hosted Directory Sync (SCIM 2.0 in, events and webhooks out)

Usage: guestlist <command>

Commands:
  start      serve the SCIM endpoint, the management API and health/metrics, and deliver webhooks
  worker     only deliver webhooks and prune events (run any number next to servers on PostgreSQL)
  migrate    apply database migrations and exit
  simulate   drive a SCIM endpoint the way Okta, Entra and others do, and verify it (simulate --help)
  --help     show this help

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
  const logger = createLogger(config.logLevel);
  try {
    if (command === 'migrate') {
      await migrateOnly(config, logger);
      return 0;
    }
    handleSignals(command === 'worker' ? await startWorker(config, logger) : await start(config, logger), logger);
    return -1;
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    return 1;
  }
}

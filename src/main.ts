import 'reflect-metadata';
import { ConfigError, loadConfig, productionWarnings } from './config/app-config';
import { createApp, StartupError } from './app.factory';
import { describeDatabaseError, isDatabaseError } from './database/connect-error';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`groupbuy: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  for (const w of productionWarnings(config)) process.stderr.write(`groupbuy: warning: ${w}\n`);
  const app = await createApp(config);
  try {
    // migrations, the platform tenant and the super-admin (src/database/bootstrap.ts)
    await app.init();
  } catch (e) {
    throw new StartupError(
      isDatabaseError(e) ? describeDatabaseError(e, config.databaseUrl, config.dataDir) : String((e as Error)?.message ?? e),
    );
  }
  try {
    await app.listen(config.port, config.host);
  } catch (e) {
    // a clean stop: the next start must not report this one as unclean
    await app.close().catch(() => undefined);
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
  process.stdout.write(
    `groupbuy listening on http://${config.host}:${config.port} (docs: /docs, db: ${config.databaseUrl ? 'mysql' : 'sqlite ' + config.dataDir})\n`,
  );
}

// Whatever stops the start is one line on stderr and exit code 1.
main().catch((e) => {
  process.stderr.write(`groupbuy: failed to start: ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim()}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { ConfigError, loadConfig, productionWarnings } from './config/app-config';
import { createApp } from './app.factory';

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
  await app.listen(config.port, config.host);
  process.stdout.write(`groupbuy listening on http://${config.host}:${config.port} (docs: /docs, db: ${config.databaseUrl ? 'mysql' : 'sqlite ' + config.dataDir})\n`);
}

main().catch((e) => {
  process.stderr.write(`groupbuy: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

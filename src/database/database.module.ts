import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { prepareDatabase } from './bootstrap';
import { buildDataSourceOptions } from './data-source';

/**
 * Resolves once migrations have run: providers that write at start (the platform tenant, demo data)
 * inject it, so the order is the dependency graph's, not the modules'.
 */
export const DATABASE_READY = Symbol('DATABASE_READY');

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (c: AppConfig) => ({
        ...buildDataSourceOptions({ databaseUrl: c.databaseUrl, dbPoolSize: c.dbPoolSize, dataDir: c.dataDir }),
        // fail at once with one line (main.ts): retries only repeated the same stack three times; an
        // orchestrator restarting the process is the retry
        toRetry: () => false,
      }),
    }),
  ],
  providers: [{ provide: DATABASE_READY, inject: [DataSource], useFactory: async (ds: DataSource) => (await prepareDatabase(ds), true) }],
  exports: [DATABASE_READY],
})
export class DatabaseModule {}

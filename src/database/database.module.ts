import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { prepareDatabase } from './bootstrap';
import { buildDataSourceOptions } from './data-source';

/** Migrations, platform tenant, super-admin and demo data, before the app serves (see bootstrap.ts). */
@Injectable()
class DatabaseBootstrap implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): Promise<void> {
    return prepareDatabase(this.ds, this.config);
  }
}

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
  providers: [DatabaseBootstrap],
})
export class DatabaseModule {}

// TypeORM CLI data source: `npm run typeorm -- migration:run` / `migration:generate src/database/migrations/Name`.
// Reads DATABASE_URL (mysql://…); without it the CLI works on the embedded SQLite file under DATA_DIR.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source';

export default new DataSource({
  ...buildDataSourceOptions({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? './data' }),
  synchronize: false,
});

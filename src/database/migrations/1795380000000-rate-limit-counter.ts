import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate limit counters shared by every instance (src/rate-limit): login attempts, wrong passwords, later checkout and pickup limits. */
export class RateLimitCounter1795380000000 implements MigrationInterface {
  name = 'RateLimitCounter1795380000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `rate_limit_counter` (`counter_key` varchar(191) NOT NULL, `hits` int NOT NULL, `expires_at` bigint NOT NULL, INDEX `idx_rate_limit_expires` (`expires_at`), PRIMARY KEY (`counter_key`)) ENGINE=InnoDB',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_rate_limit_expires` ON `rate_limit_counter`');
    await queryRunner.query('DROP TABLE `rate_limit_counter`');
  }
}

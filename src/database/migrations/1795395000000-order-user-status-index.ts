import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The storefront order list filtered by status (order_list status=0…4): without this index a buyer's
 * orders are read newest first through idx_order_user and filtered, thousands of rows for a heavy buyer
 * whose page is of a rare status; with it the page is 10 index reads and its COUNT is covered.
 */
export class OrderUserStatusIndex1795395000000 implements MigrationInterface {
  name = 'OrderUserStatusIndex1795395000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX `idx_order_user_status` ON `group_buying_order` (`user_id`, `status`, `create_time`)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_order_user_status` ON `group_buying_order`');
  }
}

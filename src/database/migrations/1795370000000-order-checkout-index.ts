import { MigrationInterface, QueryRunner } from 'typeorm';

/** Orders are settled, expired and cancelled by checkout: without this index each of those scans every order. */
export class OrderCheckoutIndex1795370000000 implements MigrationInterface {
  name = 'OrderCheckoutIndex1795370000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX `idx_order_checkout` ON `group_buying_order` (`checkout_id`, `status`)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_order_checkout` ON `group_buying_order`');
  }
}

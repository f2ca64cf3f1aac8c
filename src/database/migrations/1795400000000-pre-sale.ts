import { MigrationInterface, QueryRunner } from 'typeorm';

/** Pre-sale (contract §10): the deal's deposit terms and the order's deposit and balance (尾款) payments. */
export class PreSale1795400000000 implements MigrationInterface {
  name = 'PreSale1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `group_buying` ADD `pre_sale` tinyint NOT NULL DEFAULT 0, ADD `deposit` decimal(12,2) NULL, ' +
        'ADD `deposit_value` decimal(12,2) NULL, ADD `tail_end_time` datetime(3) NULL',
    );
    await queryRunner.query(
      'ALTER TABLE `group_buying_order` ADD `deposit_money` decimal(12,2) NULL, ADD `tail_money` decimal(12,2) NULL, ' +
        'ADD `deposit_pay_time` datetime(3) NULL, ADD `tail_start_time` datetime(3) NULL, ADD `tail_end_time` datetime(3) NULL, ' +
        'ADD `tail_pay_no` varchar(32) NULL, ADD `tail_prepay_id` varchar(64) NULL, ADD `tail_transaction_id` varchar(64) NULL, ' +
        'ADD `tail_pay_time` datetime(3) NULL',
    );
    await queryRunner.query('CREATE UNIQUE INDEX `uq_order_tail_pay_no` ON `group_buying_order` (`tail_pay_no`)');
    await queryRunner.query('CREATE INDEX `idx_order_tail_sweep` ON `group_buying_order` (`status`, `tail_end_time`)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_order_tail_sweep` ON `group_buying_order`');
    await queryRunner.query('DROP INDEX `uq_order_tail_pay_no` ON `group_buying_order`');
    await queryRunner.query(
      'ALTER TABLE `group_buying_order` DROP COLUMN `tail_pay_time`, DROP COLUMN `tail_transaction_id`, DROP COLUMN `tail_prepay_id`, ' +
        'DROP COLUMN `tail_pay_no`, DROP COLUMN `tail_end_time`, DROP COLUMN `tail_start_time`, DROP COLUMN `deposit_pay_time`, ' +
        'DROP COLUMN `tail_money`, DROP COLUMN `deposit_money`',
    );
    await queryRunner.query(
      'ALTER TABLE `group_buying` DROP COLUMN `tail_end_time`, DROP COLUMN `deposit_value`, DROP COLUMN `deposit`, DROP COLUMN `pre_sale`',
    );
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Member wallets (contract §11): the wallet per user per tenant, its ledger, the per-tenant settings;
 * the checkout's deductions and invoice, and each order's share of the deductions.
 */
export class MemberWallet1795410000000 implements MigrationInterface {
  name = 'MemberWallet1795410000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const times =
      '`id` int NOT NULL AUTO_INCREMENT, `create_time` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), `update_time` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)';
    await queryRunner.query(
      `CREATE TABLE \`member_wallet\` (${times}, \`tenant_id\` int NOT NULL, \`user_id\` int NOT NULL, \`point\` int NOT NULL DEFAULT 0, \`balance\` decimal(12,2) NOT NULL DEFAULT '0.00', UNIQUE INDEX \`uq_wallet_user\` (\`tenant_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`wallet_ledger\` (${times}, \`tenant_id\` int NOT NULL, \`user_id\` int NOT NULL, \`kind\` varchar(8) NOT NULL, \`amount\` decimal(12,2) NOT NULL, \`after_value\` decimal(12,2) NOT NULL, \`reason\` varchar(16) NOT NULL, \`checkout_id\` int NULL, \`order_code\` varchar(32) NULL, \`remark\` varchar(255) NOT NULL DEFAULT '', \`admin_id\` int NULL, INDEX \`idx_ledger_user\` (\`tenant_id\`, \`user_id\`, \`kind\`), INDEX \`idx_ledger_checkout\` (\`checkout_id\`), INDEX \`idx_ledger_order\` (\`order_code\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`member_setting\` (${times}, \`tenant_id\` int NOT NULL, \`point_value\` int NOT NULL DEFAULT 100, \`point_max_rate\` int NOT NULL DEFAULT 50, \`point_reward_rate\` decimal(12,2) NOT NULL DEFAULT '1.00', UNIQUE INDEX \`uq_member_setting_tenant\` (\`tenant_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      "ALTER TABLE `checkout` ADD `deduction_price` decimal(12,2) NOT NULL DEFAULT '0.00', ADD `invoice` varchar(500) NULL",
    );
    await queryRunner.query("ALTER TABLE `group_buying_order` ADD `deduction_money` decimal(12,2) NOT NULL DEFAULT '0.00'");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `group_buying_order` DROP COLUMN `deduction_money`');
    await queryRunner.query('ALTER TABLE `checkout` DROP COLUMN `invoice`, DROP COLUMN `deduction_price`');
    await queryRunner.query('DROP TABLE `member_setting`');
    await queryRunner.query('DROP TABLE `wallet_ledger`');
    await queryRunner.query('DROP TABLE `member_wallet`');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795366640290 implements MigrationInterface {
  name = 'Initial1795366640290';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`admin_user\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`username\` varchar(64) NOT NULL, \`password_hash\` varchar(255) NOT NULL, \`role\` varchar(16) NOT NULL, INDEX \`IDX_618ed18da2a07825dd9399cae8\` (\`tenant_id\`), UNIQUE INDEX \`IDX_4d0392574f49340bb75a102b04\` (\`username\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`app_user\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`open_id\` varchar(64) NOT NULL, \`union_id\` varchar(64) NULL, \`nickname\` varchar(64) NOT NULL DEFAULT '', \`avatar\` varchar(500) NOT NULL DEFAULT '', UNIQUE INDEX \`IDX_706086bfd3f38183af3dfd8896\` (\`open_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`coupon\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`name\` varchar(100) NOT NULL, \`coupon_method\` tinyint NOT NULL, \`enough\` decimal(12,2) NOT NULL DEFAULT '0.00', \`deduct\` decimal(12,2) NOT NULL DEFAULT '0.00', \`discount\` decimal(4,2) NOT NULL DEFAULT '0.00', \`use_type\` tinyint NOT NULL DEFAULT '0', \`group_buying_ids\` text NULL, \`time_limit\` tinyint NOT NULL DEFAULT '0', \`time_days\` int NOT NULL DEFAULT '0', \`time_start\` datetime(3) NULL, \`time_end\` datetime(3) NULL, \`total\` int NOT NULL DEFAULT '-1', \`get_max\` int NOT NULL DEFAULT '1', \`in_use\` tinyint NOT NULL DEFAULT 1, \`received_count\` int NOT NULL DEFAULT '0', \`used_count\` int NOT NULL DEFAULT '0', \`deleted_at\` datetime(3) NULL, INDEX \`idx_coupon_tenant\` (\`tenant_id\`, \`deleted_at\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`member_coupon\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`coupon_id\` int NOT NULL, \`user_id\` int NOT NULL, \`used\` tinyint NOT NULL DEFAULT 0, \`use_time\` datetime(3) NULL, \`pay_no\` varchar(32) NULL, \`get_time\` datetime(3) NOT NULL, \`time_start\` datetime(3) NOT NULL, \`time_end\` datetime(3) NOT NULL, INDEX \`idx_mc_coupon\` (\`coupon_id\`), INDEX \`idx_mc_user\` (\`user_id\`, \`coupon_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`group_buying_visitor\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`group_buying_id\` int NOT NULL, \`user_id\` int NOT NULL, \`visits\` int NOT NULL DEFAULT '1', UNIQUE INDEX \`uq_visitor\` (\`group_buying_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`group_buying\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`shop_id\` int NOT NULL, \`name\` varchar(100) NOT NULL, \`description\` text NULL, \`start_time\` datetime(3) NOT NULL, \`end_time\` datetime(3) NOT NULL, \`deliver_type\` tinyint NOT NULL, \`address\` varchar(255) NOT NULL DEFAULT '', \`lbs\` varchar(64) NOT NULL DEFAULT '', \`phone\` varchar(32) NOT NULL DEFAULT '', \`in_use\` tinyint NOT NULL DEFAULT 1, \`product_id\` int NULL, \`product_name\` varchar(100) NOT NULL, \`product_code\` varchar(64) NOT NULL DEFAULT '', \`image_path\` varchar(500) NOT NULL DEFAULT '', \`price\` decimal(12,2) NOT NULL, \`spec\` varchar(100) NOT NULL DEFAULT '', \`stock\` int NOT NULL DEFAULT '0', \`payed_count\` int NOT NULL DEFAULT '0', \`order_count\` int NOT NULL DEFAULT '0', \`visit_times\` int NOT NULL DEFAULT '0', \`last_sequence\` int NOT NULL DEFAULT '0', \`limit_per_user\` int NOT NULL DEFAULT '0', \`deliver_fee\` decimal(12,2) NOT NULL DEFAULT '0.00', \`team_size\` int NOT NULL DEFAULT '0', \`team_hours\` int NOT NULL DEFAULT '24', \`virtual_team\` tinyint NOT NULL DEFAULT 0, \`user_id\` int NULL, \`user_name\` varchar(64) NOT NULL DEFAULT '', \`deleted_at\` datetime(3) NULL, INDEX \`idx_gb_window\` (\`in_use\`, \`start_time\`, \`end_time\`), INDEX \`idx_gb_shop\` (\`shop_id\`, \`deleted_at\`), INDEX \`idx_gb_tenant_list\` (\`tenant_id\`, \`deleted_at\`, \`create_time\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`checkout\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`pay_no\` varchar(32) NOT NULL, \`tenant_id\` int NOT NULL, \`user_id\` int NOT NULL, \`status\` tinyint NOT NULL DEFAULT '0', \`goods_price\` decimal(12,2) NOT NULL, \`discount_price\` decimal(12,2) NOT NULL, \`dispatch_price\` decimal(12,2) NOT NULL, \`total_price\` decimal(12,2) NOT NULL, \`member_coupon_id\` int NULL, \`expire_time\` datetime(3) NOT NULL, \`pay_time\` datetime(3) NULL, \`provider\` varchar(16) NOT NULL DEFAULT 'sandbox', \`prepay_id\` varchar(64) NULL, \`prepay_time\` datetime(3) NULL, \`transaction_id\` varchar(64) NULL, UNIQUE INDEX \`IDX_a71598c7ca3f3feed6d9e7bb7e\` (\`pay_no\`), INDEX \`idx_checkout_user\` (\`user_id\`, \`create_time\`), INDEX \`idx_checkout_sweep\` (\`status\`, \`expire_time\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`idempotency_key\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`user_id\` int NOT NULL, \`idem_key\` varchar(255) NOT NULL, \`request_hash\` varchar(64) NOT NULL, \`state\` varchar(16) NOT NULL DEFAULT 'running', \`response_http\` int NULL, \`response_body\` text NULL, INDEX \`idx_idem_time\` (\`create_time\`), UNIQUE INDEX \`uq_idem\` (\`user_id\`, \`idem_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`order_log\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`order_id\` int NULL, \`shop_id\` int NULL, \`action\` varchar(32) NOT NULL, \`actor_type\` varchar(16) NOT NULL, \`actor_id\` int NULL, \`from_status\` tinyint NULL, \`to_status\` tinyint NULL, \`detail\` varchar(500) NOT NULL DEFAULT '', INDEX \`idx_log_shop_action\` (\`shop_id\`, \`action\`, \`create_time\`), INDEX \`idx_log_order\` (\`order_id\`, \`create_time\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`order_review\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`order_id\` int NOT NULL, \`user_id\` int NOT NULL, \`score\` tinyint NOT NULL, \`content\` varchar(1000) NOT NULL DEFAULT '', UNIQUE INDEX \`IDX_25fd11b7721c7b47ba830fe4e7\` (\`order_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`group_buying_order\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`code\` varchar(32) NOT NULL, \`pay_no\` varchar(32) NOT NULL, \`checkout_id\` int NOT NULL, \`tenant_id\` int NOT NULL, \`shop_id\` int NOT NULL, \`group_buying_id\` int NOT NULL, \`user_id\` int NOT NULL, \`status\` tinyint NOT NULL DEFAULT '0', \`deliver_type\` tinyint NOT NULL, \`price\` decimal(12,2) NOT NULL, \`qty\` int NOT NULL, \`goods_money\` decimal(12,2) NOT NULL, \`coupon_money\` decimal(12,2) NOT NULL, \`deliver_fee\` decimal(12,2) NOT NULL, \`money\` decimal(12,2) NOT NULL, \`sequence\` int NULL, \`deliver_code\` varchar(16) NULL, \`open_deliver_code\` varchar(16) NULL, \`pay_time\` datetime(3) NULL, \`expire_time\` datetime(3) NOT NULL, \`tracking_no\` varchar(64) NULL, \`address\` varchar(500) NOT NULL DEFAULT '', \`lbs\` varchar(64) NOT NULL DEFAULT '', \`phone\` varchar(32) NOT NULL DEFAULT '', \`remark\` varchar(255) NOT NULL DEFAULT '', \`product_name\` varchar(100) NOT NULL, \`spec\` varchar(100) NOT NULL DEFAULT '', \`image_path\` varchar(500) NOT NULL DEFAULT '', \`team_id\` int NULL, \`refund_status\` varchar(16) NOT NULL DEFAULT 'none', \`reviewed\` tinyint NOT NULL DEFAULT 0, UNIQUE INDEX \`IDX_6a4d06b0c33517f81075c86bd1\` (\`code\`), UNIQUE INDEX \`uq_order_open_code\` (\`shop_id\`, \`open_deliver_code\`), UNIQUE INDEX \`uq_order_sequence\` (\`group_buying_id\`, \`sequence\`), INDEX \`idx_order_pay_time\` (\`tenant_id\`, \`pay_time\`), INDEX \`idx_order_sweep\` (\`status\`, \`expire_time\`), INDEX \`idx_order_pay_no\` (\`pay_no\`), INDEX \`idx_order_user_deal\` (\`user_id\`, \`group_buying_id\`, \`status\`), INDEX \`idx_order_user\` (\`user_id\`, \`create_time\`), INDEX \`idx_order_deal\` (\`group_buying_id\`, \`status\`, \`create_time\`), INDEX \`idx_order_tenant_status\` (\`tenant_id\`, \`status\`, \`create_time\`), INDEX \`idx_order_tenant_time\` (\`tenant_id\`, \`create_time\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`payment_notify\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`notify_id\` varchar(64) NOT NULL, \`event_type\` varchar(32) NOT NULL, \`out_trade_no\` varchar(64) NOT NULL DEFAULT '', \`payload\` text NULL, UNIQUE INDEX \`IDX_14d14d1b3fb06c04d89a675a27\` (\`notify_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`payment_refund\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`order_id\` int NOT NULL, \`pay_no\` varchar(32) NOT NULL, \`out_refund_no\` varchar(64) NOT NULL, \`amount\` decimal(12,2) NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'processing', \`provider_refund_id\` varchar(64) NULL, \`reason\` varchar(255) NOT NULL DEFAULT '', UNIQUE INDEX \`IDX_2b1707b3ca22d8fbca3ec2f381\` (\`out_refund_no\`), INDEX \`idx_refund_status\` (\`status\`, \`create_time\`), INDEX \`idx_refund_order\` (\`order_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`shop\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`name\` varchar(100) NOT NULL, \`address\` varchar(255) NOT NULL DEFAULT '', \`phone\` varchar(32) NOT NULL DEFAULT '', \`lbs\` varchar(64) NOT NULL DEFAULT '', INDEX \`IDX_60bfbd6acc921ff3a16f629329\` (\`tenant_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`team_member\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`team_id\` int NOT NULL, \`user_id\` int NULL, \`order_id\` int NULL, \`order_code\` varchar(32) NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`nickname\` varchar(64) NOT NULL DEFAULT '', \`avatar\` varchar(500) NOT NULL DEFAULT '', \`is_robot\` tinyint NOT NULL DEFAULT 0, UNIQUE INDEX \`uq_member_order\` (\`order_id\`), INDEX \`idx_member_team\` (\`team_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`team\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`tenant_id\` int NOT NULL, \`group_buying_id\` int NOT NULL, \`user_id\` int NOT NULL, \`price\` decimal(12,2) NOT NULL, \`team_size\` int NOT NULL, \`user_count\` int NOT NULL DEFAULT '0', \`pay_user_count\` int NOT NULL DEFAULT '0', \`expire_at\` datetime(3) NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'active', INDEX \`idx_team_expire\` (\`status\`, \`expire_at\`), INDEX \`idx_team_deal\` (\`group_buying_id\`, \`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tenant\` (\`id\` int NOT NULL AUTO_INCREMENT, \`create_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`update_time\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), \`name\` varchar(100) NOT NULL, \`platform\` tinyint NOT NULL DEFAULT 0, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`tenant\``);
    await queryRunner.query(`DROP INDEX \`idx_team_deal\` ON \`team\``);
    await queryRunner.query(`DROP INDEX \`idx_team_expire\` ON \`team\``);
    await queryRunner.query(`DROP TABLE \`team\``);
    await queryRunner.query(`DROP INDEX \`idx_member_team\` ON \`team_member\``);
    await queryRunner.query(`DROP INDEX \`uq_member_order\` ON \`team_member\``);
    await queryRunner.query(`DROP TABLE \`team_member\``);
    await queryRunner.query(`DROP INDEX \`IDX_60bfbd6acc921ff3a16f629329\` ON \`shop\``);
    await queryRunner.query(`DROP TABLE \`shop\``);
    await queryRunner.query(`DROP INDEX \`idx_refund_order\` ON \`payment_refund\``);
    await queryRunner.query(`DROP INDEX \`idx_refund_status\` ON \`payment_refund\``);
    await queryRunner.query(`DROP INDEX \`IDX_2b1707b3ca22d8fbca3ec2f381\` ON \`payment_refund\``);
    await queryRunner.query(`DROP TABLE \`payment_refund\``);
    await queryRunner.query(`DROP INDEX \`IDX_14d14d1b3fb06c04d89a675a27\` ON \`payment_notify\``);
    await queryRunner.query(`DROP TABLE \`payment_notify\``);
    await queryRunner.query(`DROP INDEX \`idx_order_tenant_time\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_tenant_status\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_deal\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_user\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_user_deal\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_pay_no\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_sweep\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`idx_order_pay_time\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`uq_order_sequence\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`uq_order_open_code\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`IDX_6a4d06b0c33517f81075c86bd1\` ON \`group_buying_order\``);
    await queryRunner.query(`DROP TABLE \`group_buying_order\``);
    await queryRunner.query(`DROP INDEX \`IDX_25fd11b7721c7b47ba830fe4e7\` ON \`order_review\``);
    await queryRunner.query(`DROP TABLE \`order_review\``);
    await queryRunner.query(`DROP INDEX \`idx_log_order\` ON \`order_log\``);
    await queryRunner.query(`DROP INDEX \`idx_log_shop_action\` ON \`order_log\``);
    await queryRunner.query(`DROP TABLE \`order_log\``);
    await queryRunner.query(`DROP INDEX \`uq_idem\` ON \`idempotency_key\``);
    await queryRunner.query(`DROP INDEX \`idx_idem_time\` ON \`idempotency_key\``);
    await queryRunner.query(`DROP TABLE \`idempotency_key\``);
    await queryRunner.query(`DROP INDEX \`idx_checkout_sweep\` ON \`checkout\``);
    await queryRunner.query(`DROP INDEX \`idx_checkout_user\` ON \`checkout\``);
    await queryRunner.query(`DROP INDEX \`IDX_a71598c7ca3f3feed6d9e7bb7e\` ON \`checkout\``);
    await queryRunner.query(`DROP TABLE \`checkout\``);
    await queryRunner.query(`DROP INDEX \`idx_gb_tenant_list\` ON \`group_buying\``);
    await queryRunner.query(`DROP INDEX \`idx_gb_shop\` ON \`group_buying\``);
    await queryRunner.query(`DROP INDEX \`idx_gb_window\` ON \`group_buying\``);
    await queryRunner.query(`DROP TABLE \`group_buying\``);
    await queryRunner.query(`DROP INDEX \`uq_visitor\` ON \`group_buying_visitor\``);
    await queryRunner.query(`DROP TABLE \`group_buying_visitor\``);
    await queryRunner.query(`DROP INDEX \`idx_mc_user\` ON \`member_coupon\``);
    await queryRunner.query(`DROP INDEX \`idx_mc_coupon\` ON \`member_coupon\``);
    await queryRunner.query(`DROP TABLE \`member_coupon\``);
    await queryRunner.query(`DROP INDEX \`idx_coupon_tenant\` ON \`coupon\``);
    await queryRunner.query(`DROP TABLE \`coupon\``);
    await queryRunner.query(`DROP INDEX \`IDX_706086bfd3f38183af3dfd8896\` ON \`app_user\``);
    await queryRunner.query(`DROP TABLE \`app_user\``);
    await queryRunner.query(`DROP INDEX \`IDX_4d0392574f49340bb75a102b04\` ON \`admin_user\``);
    await queryRunner.query(`DROP INDEX \`IDX_618ed18da2a07825dd9399cae8\` ON \`admin_user\``);
    await queryRunner.query(`DROP TABLE \`admin_user\``);
  }
}

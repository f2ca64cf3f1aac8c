import { CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Every table: integer id, create/update times (stored in UTC, shown in APP_TZ). */
export abstract class BaseEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createTime: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updateTime: Date;
}

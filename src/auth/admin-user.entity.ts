import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

export type AdminRole = 'super' | 'admin';

@Entity('admin_user')
export class AdminUser extends BaseEntity {
  @Index()
  @Column({ type: 'int' })
  tenantId: number;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** scrypt$N$r$p$salt$hash */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: AdminRole;
}

import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** A storefront (mini-program) user: one per openId across tenants. */
@Entity('app_user')
export class User extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  openId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionId: string | null;

  @Column({ type: 'varchar', length: 64, default: '' })
  nickname: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  avatar: string;
}

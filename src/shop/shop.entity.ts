import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** 门店 */
@Entity('shop')
@Index(['tenantId', 'id'])
export class Shop extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 255, default: '' })
  address: string;

  @Column({ type: 'varchar', length: 32, default: '' })
  phone: string;

  /** 坐标 "lng,lat" */
  @Column({ type: 'varchar', length: 64, default: '' })
  lbs: string;
}

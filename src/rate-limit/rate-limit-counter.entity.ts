import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One fixed-window counter per key (e.g. `login:admin:<ip>`), shared by every app instance through
 * the database. The window starts at the first hit and ends at `expiresAt` (epoch milliseconds).
 */
@Entity('rate_limit_counter')
@Index('idx_rate_limit_expires', ['expiresAt'])
export class RateLimitCounter {
  @PrimaryColumn({ type: 'varchar', length: 191 })
  counterKey: string;

  @Column({ type: 'int' })
  hits: number;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  expiresAt: number;
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { escapeLike, LIKE_ESCAPE } from '../common/like';
import { AdminPage, adminPaging } from '../common/pagination';
import { formatDate } from '../common/time';
import { TenantScope } from '../tenant/tenant-scope';
import { CreateShopDto, ShopListQuery, ShopView, UpdateShopDto } from './shop.dto';
import { Shop } from './shop.entity';

export function toShopView(s: Shop): ShopView {
  return {
    id: s.id,
    tenantId: s.tenantId,
    name: s.name,
    address: s.address,
    phone: s.phone,
    lbs: s.lbs,
    createTime: formatDate(s.createTime)!,
  };
}

@Injectable()
export class ShopService {
  constructor(@InjectRepository(Shop) private readonly shops: Repository<Shop>) {}

  /** The shop in the caller's tenant, or 404 (another tenant's shop is never revealed). */
  get(scope: TenantScope, id: number): Promise<Shop> {
    return scope.get(this.shops, id, '门店');
  }

  async create(scope: TenantScope, dto: CreateShopDto): Promise<number> {
    const shop = await this.shops.save(
      this.shops.create({
        tenantId: scope.tenantId,
        name: dto.name,
        address: dto.address ?? '',
        phone: dto.phone ?? '',
        lbs: dto.lbs ?? '',
      }),
    );
    return shop.id;
  }

  async update(scope: TenantScope, dto: UpdateShopDto): Promise<void> {
    const shop = await this.get(scope, dto.id);
    await this.shops.update(
      { id: shop.id, tenantId: scope.tenantId },
      { name: dto.name, address: dto.address ?? shop.address, phone: dto.phone ?? shop.phone, lbs: dto.lbs ?? shop.lbs },
    );
  }

  async list(scope: TenantScope, q: ShopListQuery): Promise<AdminPage<ShopView>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const qb = scope.restrict(this.shops.createQueryBuilder('s'));
    if (q.keyword) qb.andWhere(`s.name LIKE :kw ${LIKE_ESCAPE}`, { kw: `%${escapeLike(q.keyword)}%` });
    const [rows, totalCount] = await qb.orderBy('s.id', 'DESC').skip(skip).take(take).getManyAndCount();
    return { data: rows.map(toShopView), pageIndex, pageSize, totalCount, sumData: {} };
  }

  /** Shop names by id (any tenant: the caller already holds rows that point at them). */
  async names(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const shops = await this.shops.find({ where: { id: In(unique) }, select: { id: true, name: true } });
    return new Map(shops.map((s) => [s.id, s.name]));
  }
}

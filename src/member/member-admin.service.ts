import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors';
import { money, moneyNumber } from '../common/money';
import { AdminPage, adminPaging } from '../common/pagination';
import { runTx } from '../database/sql';
import { TenantScope } from '../tenant/tenant-scope';
import {
  AdjustWalletDto,
  AdminLedgerQuery,
  LedgerView,
  MemberListQuery,
  MemberSettingDto,
  MemberSettingView,
  MemberView,
} from './member.dto';
import { MemberRepository } from './member.repository';
import { MemberWalletService } from './member-wallet.service';
import { toAdminLedgerView, toMemberView } from './member.view';

/** A tenant admin's wallet routes (contract §11, `/api/marketing/member/`, `/api/marketing/setting/`). */
@Injectable()
export class MemberAdminService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: MemberRepository,
    private readonly wallets: MemberWalletService,
  ) {}

  /** Adds to or takes from one member's points or balance (a result below zero is 409), with its ledger entry. */
  async adjust(scope: TenantScope, dto: AdjustWalletDto): Promise<MemberView> {
    if (!(await this.repo.userExists(dto.userId))) throw DomainError.notFound('用户');
    const amount = money(typeof dto.amount === 'number' ? String(dto.amount) : dto.amount.trim());
    await runTx(this.ds, async (em) => {
      await this.repo.ensure(em, scope.tenantId, dto.userId);
      const ok = await this.wallets.apply(em, scope.tenantId, dto.userId, [
        { kind: dto.kind, amount, reason: 'admin', remark: dto.remark ?? '', adminId: scope.adminId },
      ]);
      if (!ok) throw DomainError.conflict(`${dto.kind === 'point' ? '积分' : '余额'}不足，调整后不能小于 0 (the result would be below 0)`);
    });
    const { list } = await this.repo.members(scope.tenantId, undefined, 0, 1, dto.userId);
    return toMemberView(list[0]);
  }

  async list(scope: TenantScope, q: MemberListQuery): Promise<AdminPage<MemberView>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const { list, total, point, balance } = await this.repo.members(scope.tenantId, q.keyword?.trim(), skip, take);
    return { data: list.map(toMemberView), pageIndex, pageSize, totalCount: total, sumData: { point, balance: moneyNumber(balance) } };
  }

  /** One member's entries; a user without a wallet in this tenant is a 404. */
  async ledger(scope: TenantScope, q: AdminLedgerQuery): Promise<AdminPage<LedgerView>> {
    if (!(await this.repo.wallet(this.ds, scope.tenantId, q.userId))) throw DomainError.notFound('会员');
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const { list, total } = await this.repo.ledger(scope.tenantId, q.userId, q.kind, skip, take);
    return { data: list.map(toAdminLedgerView), pageIndex, pageSize, totalCount: total, sumData: {} };
  }

  async getSettings(scope: TenantScope): Promise<MemberSettingView> {
    const s = await this.wallets.settings(scope.tenantId);
    return { pointValue: s.pointValue, pointMaxRate: s.pointMaxRate, pointRewardRate: moneyNumber(s.pointRewardRate) };
  }

  async updateSettings(scope: TenantScope, dto: MemberSettingDto): Promise<void> {
    const rate = money(typeof dto.pointRewardRate === 'number' ? String(dto.pointRewardRate) : dto.pointRewardRate.trim());
    if (rate.gt(new Big(10000)))
      throw DomainError.badRequest('参数错误 pointRewardRate: at most 10000', [{ field: 'pointRewardRate', message: 'at most 10000' }]);
    await runTx(this.ds, (em) =>
      this.repo.saveSetting(em, scope.tenantId, { pointValue: dto.pointValue, pointMaxRate: dto.pointMaxRate, pointRewardRate: rate }),
    );
  }
}

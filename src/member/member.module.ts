import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MemberAdminController, MemberSettingController } from './member-admin.controller';
import { MemberAdminService } from './member-admin.service';
import { MemberSetting } from './member-setting.entity';
import { MemberStoreController } from './member-store.controller';
import { MemberWallet } from './member-wallet.entity';
import { MemberWalletService } from './member-wallet.service';
import { MemberRepository } from './member.repository';
import { WalletLedger } from './wallet-ledger.entity';

/** Member wallets (points, balance), their ledger and the per-tenant settings; MemberWalletService is the checkout's API. */
@Module({
  imports: [TypeOrmModule.forFeature([MemberWallet, WalletLedger, MemberSetting])],
  controllers: [MemberAdminController, MemberSettingController, MemberStoreController],
  providers: [MemberWalletService, MemberAdminService, MemberRepository],
  exports: [MemberWalletService, MemberAdminService],
})
export class MemberModule {}

import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { AdminAccountsService } from './admin-accounts.service';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AdminUser } from './admin-user.entity';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginRateLimitGuard } from './login-rate-limit.guard';
import { User } from './user.entity';
import { VerifiedTokens } from './verified-tokens';
import { WechatLoginClient } from './wechat-login.client';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([User, AdminUser]),
    RateLimitModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      // a KeyObject made once: jsonwebtoken would otherwise try to parse the string as a PEM key on every verify
      useFactory: (c: AppConfig) => ({
        secret: createSecretKey(Buffer.from(c.jwtSecret, 'utf8')) as unknown as Buffer,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AdminAccountsService,
    WechatLoginClient,
    LoginRateLimitGuard,
    VerifiedTokens,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, AdminAccountsService, VerifiedTokens],
})
export class AuthModule {}

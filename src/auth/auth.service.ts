import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isDuplicateKeyError } from '../common/exception.filter';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { AdminUser } from './admin-user.entity';
import { AdminLoginData, StoreLoginData, StoreLoginDto } from './auth.dto';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password';
import { User } from './user.entity';
import { WechatLoginClient } from './wechat-login.client';

export const STORE_TOKEN_TTL = 7 * 24 * 3600;
export const ADMIN_TOKEN_TTL = 12 * 3600;
/** Wrong passwords that lock an admin username (§3), and for how long, whatever the IP. */
export const ADMIN_LOCK_AFTER = 10;
export const ADMIN_LOCK_SECONDS = 15 * 60;

/** Avatars are shown to other shoppers (the team page): only an https URL is kept, anything else is stored empty (§7). */
export function safeAvatar(avatar: string | undefined): string | undefined {
  if (avatar === undefined || avatar === '') return avatar;
  if (!/^https:\/\/[^\s"'<>\\]+$/i.test(avatar)) return '';
  try {
    const url = new URL(avatar);
    return url.protocol === 'https:' && url.hostname !== '' ? avatar : '';
  } catch {
    return '';
  }
}

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly wechat: WechatLoginClient,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(AdminUser) private readonly admins: Repository<AdminUser>,
    private readonly limits: RateLimitService,
  ) {}

  async storeLogin(dto: StoreLoginDto): Promise<StoreLoginData> {
    let openId: string;
    let unionId: string | undefined;
    if (dto.code !== undefined && dto.code !== '') {
      const s = await this.wechat.code2Session(dto.code);
      openId = s.openid;
      unionId = s.unionid;
    } else if (dto.openId) {
      if (!this.config.authDevLogin) throw DomainError.forbidden('开发登录未开启 (AUTH_DEV_LOGIN is off): log in with a WeChat code');
      openId = dto.openId;
    } else {
      throw DomainError.badRequest('参数错误 code: code or openId is required');
    }
    const user = await this.upsertUser(openId, unionId, dto.nickname, safeAvatar(dto.avatar));
    const token = await this.jwt.signAsync({ sub: String(user.id) }, { audience: 'storefront', expiresIn: STORE_TOKEN_TTL });
    return {
      token,
      expires_in: STORE_TOKEN_TTL,
      user: { id: user.id, open_id: user.openId, nickname: user.nickname, avatar: user.avatar },
    };
  }

  private async upsertUser(openId: string, unionId?: string, nickname?: string, avatar?: string): Promise<User> {
    const existing = await this.users.findOne({ where: { openId } });
    if (existing) {
      const patch: Partial<User> = {};
      if (nickname !== undefined && nickname !== existing.nickname) patch.nickname = nickname;
      if (avatar !== undefined && avatar !== existing.avatar) patch.avatar = avatar;
      if (unionId && unionId !== existing.unionId) patch.unionId = unionId;
      if (Object.keys(patch).length) {
        await this.users.update({ id: existing.id }, patch);
        Object.assign(existing, patch);
      }
      return existing;
    }
    try {
      return await this.users.save(this.users.create({ openId, unionId: unionId ?? null, nickname: nickname ?? '', avatar: avatar ?? '' }));
    } catch (e) {
      // two first logins of one openId at once: the other one created it
      if (isDuplicateKeyError(e)) return this.users.findOneOrFail({ where: { openId } });
      throw e;
    }
  }

  async adminLogin(username: string, password: string): Promise<AdminLoginData> {
    const admin = await this.admins.findOne({ where: { username } });
    // Counted before the password is checked, so parallel guesses get at most ADMIN_LOCK_AFTER checks.
    // Keyed by the account when it exists: the collation finds "Admin" and "admin" alike.
    const failures = `admin-login-failures:${admin ? admin.id : `?${username.toLowerCase()}`}`;
    const attempt = await this.limits.hit(failures, ADMIN_LOCK_AFTER, ADMIN_LOCK_SECONDS);
    if (!attempt.allowed) {
      throw DomainError.tooManyRequests(
        '密码错误次数过多，该账号已锁定 15 分钟 (too many wrong passwords: this username is locked for 15 minutes)',
      );
    }
    const ok = await verifyPassword(password, admin?.passwordHash ?? DUMMY_HASH);
    if (!admin || !ok) {
      // the last allowed wrong password starts the 15 minutes
      if (attempt.count === ADMIN_LOCK_AFTER) await this.limits.holdFor(failures, ADMIN_LOCK_SECONDS);
      throw DomainError.unauthorized('用户名或密码错误 (wrong username or password)');
    }
    await this.limits.reset(failures);
    if (needsRehash(admin.passwordHash)) {
      // the password is at hand only now: bring an older hash up to today's cost
      const upgraded = await hashPassword(password);
      await this.admins.update({ id: admin.id, passwordHash: admin.passwordHash }, { passwordHash: upgraded });
    }
    const token = await this.jwt.signAsync(
      { sub: String(admin.id), tid: admin.tenantId, role: admin.role, usr: admin.username },
      { audience: 'admin', expiresIn: ADMIN_TOKEN_TTL },
    );
    return {
      token,
      expiresIn: ADMIN_TOKEN_TTL,
      user: { id: admin.id, username: admin.username, tenantId: admin.tenantId, role: admin.role },
    };
  }
}

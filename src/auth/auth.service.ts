import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isDuplicateKeyError } from '../common/exception.filter';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { AdminUser } from './admin-user.entity';
import { AdminLoginData, StoreLoginData, StoreLoginDto } from './auth.dto';
import { DUMMY_HASH, verifyPassword } from './password';
import { User } from './user.entity';
import { WechatLoginClient } from './wechat-login.client';

export const STORE_TOKEN_TTL = 7 * 24 * 3600;
export const ADMIN_TOKEN_TTL = 12 * 3600;

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly wechat: WechatLoginClient,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(AdminUser) private readonly admins: Repository<AdminUser>,
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
    const user = await this.upsertUser(openId, unionId, dto.nickname, dto.avatar);
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
    const ok = await verifyPassword(password, admin?.passwordHash ?? DUMMY_HASH);
    if (!admin || !ok) throw DomainError.unauthorized('用户名或密码错误 (wrong username or password)');
    const token = await this.jwt.signAsync(
      { sub: String(admin.id), tid: admin.tenantId, role: admin.role, usr: admin.username },
      { audience: 'admin', expiresIn: ADMIN_TOKEN_TTL },
    );
    return { token, expiresIn: ADMIN_TOKEN_TTL, user: { id: admin.id, username: admin.username, tenantId: admin.tenantId, role: admin.role } };
  }
}

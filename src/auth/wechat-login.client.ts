import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors';

export interface WechatSession {
  openid: string;
  unionid?: string;
}

/** Mini-program login: `GET {WECHAT_API_BASE}/sns/jscode2session`. */
@Injectable()
export class WechatLoginClient {
  private readonly logger = new Logger(WechatLoginClient.name);
  constructor(private readonly config: AppConfig) {}

  async code2Session(code: string): Promise<WechatSession> {
    const { appId, secret, apiBase } = this.config.wechat;
    if (!appId || !secret) {
      throw DomainError.unauthorized('微信登录未配置 (WECHAT_APPID / WECHAT_SECRET not set)');
    }
    const url = `${apiBase}/sns/jscode2session?appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(secret)}&js_code=${encodeURIComponent(code)}&grant_type=authorization_code`;
    let body: { openid?: string; unionid?: string; errcode?: number; errmsg?: string };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      body = (await res.json()) as typeof body;
    } catch (e) {
      this.logger.warn(`jscode2session failed: ${(e as Error).message}`);
      throw new DomainError(503, 503, '微信登录服务暂不可用，请稍后再试 (WeChat unavailable)');
    }
    if (!body.openid || (body.errcode !== undefined && body.errcode !== 0)) {
      throw DomainError.unauthorized(`微信登录失败: ${body.errmsg ?? 'invalid code'} (${body.errcode ?? 'no openid'})`);
    }
    return { openid: body.openid, unionid: body.unionid };
  }
}

/** Response envelopes of contract §2: storefront `{status, msg, data?}`, admin writes `{status, message, data?}`. */
export interface StoreEnvelope<T> {
  status: number;
  msg: string;
  data?: T;
}
export interface AdminEnvelope<T> {
  status: number;
  message: string;
  data?: T;
}

export function storeOk<T>(data?: T, msg = 'ok'): StoreEnvelope<T> {
  return data === undefined ? { status: 200, msg } : { status: 200, msg, data };
}

export function adminOk<T>(data?: T, message = ''): AdminEnvelope<T> {
  return data === undefined ? { status: 200, message } : { data, status: 200, message };
}

export type ApiFamily = 'store' | 'admin' | 'wechat' | 'cli' | 'other';

export function apiFamily(url: string): ApiFamily {
  if (url.startsWith('/api/group/pay/notify')) return 'wechat';
  if (url.startsWith('/api/group/')) return 'store';
  if (url.startsWith('/api/marketing/')) return 'admin';
  // seed 002's own routes answer in its own envelope, errors included (contract §10)
  if (url.startsWith('/api/cli/')) return 'cli';
  return 'other';
}

/** The error body for a route family. */
export function errorBody(url: string, status: number, message: string, extra?: Record<string, unknown>) {
  switch (apiFamily(url)) {
    case 'store':
      return { status, msg: message, ...extra };
    case 'admin':
      return { status, message, ...extra };
    case 'wechat':
      return { code: 'FAIL', message };
    case 'cli':
      return { result: 'error', message, data: null };
    default:
      return { status, msg: message, message, ...extra };
  }
}

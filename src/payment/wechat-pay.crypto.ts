import { createCipheriv, createDecipheriv, createSign, createVerify, randomBytes } from 'node:crypto';

/** WeChat Pay API v3 signatures and AEAD (pure functions; node:crypto only). */

export const nonce = (): string => randomBytes(16).toString('hex');

/** RSA-SHA256, base64: the request Authorization signature and the JSAPI paySign. */
export function rsaSign(privateKeyPem: string, message: string): string {
  return createSign('RSA-SHA256').update(message).sign(privateKeyPem, 'base64');
}

export function rsaVerify(publicKeyPem: string, message: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

/** `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` → the Authorization header value. */
export function authorization(o: {
  mchId: string;
  serialNo: string;
  privateKey: string;
  method: string;
  url: string;
  body: string;
  timestamp?: string;
  nonceStr?: string;
}): string {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonceStr = o.nonceStr ?? nonce();
  const signature = rsaSign(o.privateKey, `${o.method}\n${o.url}\n${timestamp}\n${nonceStr}\n${o.body}\n`);
  return `WECHATPAY2-SHA256-RSA2048 mchid="${o.mchId}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${o.serialNo}"`;
}

/** The message WeChat signs on responses and notifies: `TIMESTAMP\nNONCE\nBODY\n`. */
export const notifyMessage = (timestamp: string, nonceStr: string, body: string): string => `${timestamp}\n${nonceStr}\n${body}\n`;

/** AEAD_AES_256_GCM with the APIv3 key: the notify `resource`. */
export function decryptResource(apiV3Key: string, r: { ciphertext: string; nonce: string; associated_data?: string }): string {
  const data = Buffer.from(r.ciphertext, 'base64');
  const tag = data.subarray(data.length - 16);
  const body = data.subarray(0, data.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(r.nonce, 'utf8'));
  decipher.setAuthTag(tag);
  if (r.associated_data) decipher.setAAD(Buffer.from(r.associated_data, 'utf8'));
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** The inverse, for the fake WeChat server in tests. */
export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData = 'transaction',
): { algorithm: string; ciphertext: string; nonce: string; associated_data: string; original_type: string } {
  const iv = randomBytes(6).toString('hex'); // 12 chars
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const enc = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: enc.toString('base64'),
    nonce: iv,
    associated_data: associatedData,
    original_type: associatedData,
  };
}

/** RFC 3339 in +08:00, as WeChat writes time_expire. */
export function rfc3339(d: Date): string {
  const shifted = new Date(d.getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

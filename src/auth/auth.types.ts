import type { AdminRole } from './admin-user.entity';

export type Audience = 'storefront' | 'admin';

export interface StoreIdentity {
  kind: 'user';
  userId: number;
}

export interface AdminIdentity {
  kind: 'admin';
  adminId: number;
  tenantId: number;
  role: AdminRole;
  username: string;
}

export type Identity = StoreIdentity | AdminIdentity;

/** What a route requires: set with the decorators in auth.decorators.ts, enforced by AuthGuard. */
export type AccessRule = 'public' | 'user' | 'user-optional' | 'admin' | 'super';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
}

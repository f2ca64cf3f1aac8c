/**
 * Verified tokens → what they prove, each honoured only until its own expiry; least recently used
 * dropped beyond `max`. Keyed by the whole token string, so a token with another signature is another key.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    readonly max = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string): T | undefined {
    const e = this.entries.get(token);
    if (e === undefined) return undefined;
    if (this.now() >= e.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    // Map order is insertion order: re-inserting makes it the most recently used
    this.entries.delete(token);
    this.entries.set(token, e);
    return e.value;
  }

  /** `expiresAt` in ms since the epoch; an already expired entry is not stored. */
  set(token: string, value: T, expiresAt: number): void {
    if (!(expiresAt > this.now())) return;
    this.entries.delete(token);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { value, expiresAt });
  }
}

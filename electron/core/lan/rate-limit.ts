/**
 * A token bucket: each message takes one token, tokens come back at a steady rate up to a burst
 * capacity. LanSignaling keeps one per connection, so one noisy peer cannot starve the others.
 * Time comes from the injected clock (milliseconds); nothing runs between calls.
 */
export interface TokenBucketOptions {
  /** The burst: how many tokens a full bucket holds (it starts full). */
  capacity: number;
  /** Tokens added per second, up to capacity. */
  refillPerSecond: number;
  clock: () => number;
}

export class TokenBucket {
  /** Tokens x 1000: whole milliseconds times a whole rate stay exact, so fractions add up. */
  private milliTokens: number;
  private last: number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.capacity > 0) || !(options.refillPerSecond >= 0)) {
      throw new RangeError('a token bucket needs a positive capacity and a refill rate of zero or more');
    }
    this.milliTokens = options.capacity * 1000;
    this.last = options.clock();
  }

  /** Takes `count` tokens when there are enough; false (and nothing taken) otherwise. */
  take(count = 1): boolean {
    this.refill();
    if (this.milliTokens < count * 1000) return false;
    this.milliTokens -= count * 1000;
    return true;
  }

  available(): number {
    this.refill();
    return Math.floor(this.milliTokens / 1000);
  }

  private refill(): void {
    const now = this.options.clock();
    // A clock that steps back (wall clock adjusted) adds nothing rather than removing tokens.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.milliTokens = Math.min(this.options.capacity * 1000, this.milliTokens + elapsed * this.options.refillPerSecond);
  }
}

/**
 * What strangers may cost the LAN port, per source address, before anyone knows who they are:
 * new connections per minute (a token bucket each) and handshakes in progress (TCP accepted, not yet
 * past hello), per address and in total. A refused connection is closed before its TLS handshake.
 */
export interface AddressLimitsOptions {
  /** New connections per address: a burst of this many, and this many per minute after. */
  perMinute: number;
  /** Handshakes in progress from one address. */
  pendingPerAddress: number;
  /** Handshakes in progress from all addresses. */
  pendingTotal: number;
  clock: () => number;
}

export type AddressVerdict = 'ok' | 'rate' | 'pending-address' | 'pending-total';

/** Addresses remembered at most; idle ones (full bucket, nothing pending) are forgotten first. */
const MAX_ADDRESSES = 4096;

export class AddressLimits {
  private readonly addresses = new Map<string, { bucket: TokenBucket; pending: number }>();
  private pending = 0;

  constructor(private readonly options: AddressLimitsOptions) {}

  /** A new connection from `address`; on 'ok' it counts as pending until `settle(address)`. */
  admit(address: string): AddressVerdict {
    let entry = this.addresses.get(address);
    if (!entry) {
      if (this.addresses.size >= MAX_ADDRESSES) this.forgetIdle();
      entry = { bucket: new TokenBucket({ capacity: this.options.perMinute, refillPerSecond: this.options.perMinute / 60, clock: this.options.clock }), pending: 0 };
      this.addresses.set(address, entry);
    }
    if (entry.pending >= this.options.pendingPerAddress) return 'pending-address';
    if (this.pending >= this.options.pendingTotal) return 'pending-total';
    if (!entry.bucket.take()) return 'rate';
    entry.pending += 1;
    this.pending += 1;
    return 'ok';
  }

  /** The handshake of a connection admitted from `address` ended (done, failed or closed). */
  settle(address: string): void {
    const entry = this.addresses.get(address);
    if (!entry || entry.pending === 0) return;
    entry.pending -= 1;
    this.pending -= 1;
  }

  /** Handshakes in progress, from one address or from all. */
  inProgress(address?: string): number {
    return address === undefined ? this.pending : (this.addresses.get(address)?.pending ?? 0);
  }

  private forgetIdle(): void {
    for (const [address, entry] of this.addresses) {
      if (entry.pending === 0 && entry.bucket.available() >= this.options.perMinute) this.addresses.delete(address);
    }
    // Still full of busy addresses (a spoofing flood): forget the oldest half; their limits start over.
    if (this.addresses.size >= MAX_ADDRESSES) {
      let drop = this.addresses.size / 2;
      for (const [address, entry] of this.addresses) {
        if (drop-- <= 0) break;
        this.pending -= entry.pending;
        this.addresses.delete(address);
      }
    }
  }
}

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

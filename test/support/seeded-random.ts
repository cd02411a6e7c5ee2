/**
 * xorshift32 (Marsaglia 2003): a reproducible stream of choices for the fuzz tests, so a failing
 * mutation reproduces from its seed. `next(n)` is an integer in 0..n-1.
 */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

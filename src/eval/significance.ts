/**
 * Paired significance tests over per-user metric values of two runs on the same cases (e.g. the
 * per-case NDCG@10 of a model and of its ablation, from `perCase(metric, result.ranks)`).
 * Both p-values are two-sided.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export const logGamma = (x: number): number => {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
};

/** Continued fraction of the incomplete beta (modified Lentz). */
const betacf = (a: number, b: number, x: number): number => {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
};

/** The regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
export const incompleteBeta = (x: number, a: number, b: number): number => {
  if (!(a > 0 && b > 0)) throw new Error(`incompleteBeta: a and b must be > 0 (a=${a}, b=${b})`);
  if (!(x >= 0 && x <= 1)) throw new Error(`incompleteBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betacf(a, b, x)) / a;
  return 1 - (front * betacf(b, a, 1 - x)) / b;
};

/** P(|T| >= |t|) for Student's t with `df` degrees of freedom (df > 0, need not be an integer). */
export const tTwoSided = (t: number, df: number): number => {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
};

/** The regularized lower incomplete gamma P(a, x). */
export const incompleteGamma = (a: number, x: number): number => {
  if (x <= 0) return 0;
  const gln = logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 10000; n++) {
      ap++;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - gln) * h;
};

/** P(|Z| >= |z|) for a standard normal Z: erfc(|z|/sqrt 2), computed without cancellation. */
export const normalTwoSided = (z: number): number => {
  if (Number.isNaN(z)) return NaN;
  const x = (z * z) / 2;
  if (x < 1.5) return 1 - incompleteGamma(0.5, x);
  // Upper tail directly from the continued fraction: Q(1/2, x).
  const TINY = 1e-300;
  const a = 0.5;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
};

export interface PairedTest {
  readonly test: "paired-t" | "wilcoxon";
  /** Number of pairs used (Wilcoxon: non-zero differences). */
  readonly n: number;
  /** Mean of a - b over all pairs. */
  readonly meanDiff: number;
  /** t (paired-t) or z (Wilcoxon, normal approximation with continuity and tie corrections). */
  readonly statistic: number;
  /** Two-sided p-value; 1 when every difference is zero. */
  readonly p: number;
}

const checkPaired = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
  if (a.length !== b.length) throw new Error(`paired test: the two runs have ${a.length} and ${b.length} values; they must be over the same cases`);
};

const meanOf = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! - b[i]!;
  return a.length === 0 ? 0 : s / a.length;
};

/** Paired t-test on d = a - b: t = mean(d) / (sd(d) / sqrt n), df = n - 1. */
export const pairedTTest = (a: ArrayLike<number>, b: ArrayLike<number>): PairedTest => {
  checkPaired(a, b);
  const n = a.length;
  const mean = meanOf(a, b);
  if (n < 2) return { test: "paired-t", n, meanDiff: mean, statistic: NaN, p: NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = a[i]! - b[i]! - mean;
    ss += e * e;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (sd === 0) return { test: "paired-t", n, meanDiff: mean, statistic: mean === 0 ? 0 : Math.sign(mean) * Infinity, p: mean === 0 ? 1 : 0 };
  const t = mean / (sd / Math.sqrt(n));
  return { test: "paired-t", n, meanDiff: mean, statistic: t, p: tTwoSided(t, n - 1) };
};

/**
 * Wilcoxon signed-rank test on d = a - b: zero differences dropped (Wilcoxon's method), |d| ranked
 * with average ranks for ties, W+ = sum of the ranks of positive d; normal approximation with the
 * tie correction of the variance and a 0.5 continuity correction (as scipy's
 * `wilcoxon(..., method="approx", correction=True)`).
 */
export const wilcoxonSignedRank = (a: ArrayLike<number>, b: ArrayLike<number>): PairedTest => {
  checkPaired(a, b);
  const meanDiff = meanOf(a, b);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - b[i]!;
    if (x !== 0) d.push(x);
  }
  const n = d.length;
  if (n === 0) return { test: "wilcoxon", n, meanDiff, statistic: 0, p: 1 };
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]!) - Math.abs(d[j]!));
  let wPlus = 0;
  let tieTerm = 0;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && Math.abs(d[order[e]!]!) === Math.abs(d[order[s]!]!)) e++;
    const avgRank = (s + 1 + e) / 2; // ranks s+1 .. e
    const t = e - s;
    tieTerm += t * t * t - t;
    for (let k = s; k < e; k++) if (d[order[k]!]! > 0) wPlus += avgRank;
    s = e;
  }
  const mu = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (variance <= 0) return { test: "wilcoxon", n, meanDiff, statistic: 0, p: 1 };
  const diff = wPlus - mu;
  const z = (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance);
  return { test: "wilcoxon", n, meanDiff, statistic: z, p: Math.min(1, normalTwoSided(z)) };
};

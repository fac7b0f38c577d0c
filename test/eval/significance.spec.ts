import assert from "node:assert/strict";
import {
  incompleteBeta,
  logGamma,
  normalTwoSided,
  pairedTTest,
  tTwoSided,
  wilcoxonSignedRank,
} from "../../src/eval/significance.js";

// Reference values from scipy 1.17.1 (stats.t.sf, special.betainc, stats.norm.sf, ttest_rel,
// wilcoxon(method="approx", correction=True)), and closed forms where they exist.
const rel = (a: number, b: number, tol: number): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(Math.abs(b), 1e-300), `${a} vs ${b} (rel tol ${tol})`);

describe("eval/significance", () => {
  it("logGamma at known points", () => {
    assert.ok(Math.abs(logGamma(1)) < 1e-14 && Math.abs(logGamma(2)) < 1e-14);
    rel(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
    rel(logGamma(10), Math.log(362880), 1e-14);
    rel(logGamma(100.5), 361.4355404677776, 1e-13);
  });

  it("regularized incomplete beta", () => {
    rel(incompleteBeta(0.3, 2, 3), 0.34829999999999994, 1e-13);
    rel(incompleteBeta(0.9, 0.5, 0.5), 0.7951672353008665, 1e-13); // = 2/pi asin(sqrt x)
    rel(incompleteBeta(0.9, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.9)), 1e-13);
    rel(incompleteBeta(0.01, 10, 0.5), 1.770034965528571e-21, 1e-11);
    rel(incompleteBeta(0.7, 50, 60), 0.9999999530579958, 1e-13);
    assert.equal(incompleteBeta(0, 2, 3), 0);
    assert.equal(incompleteBeta(1, 2, 3), 1);
  });

  it("Student t two-sided p-values", () => {
    const cases: [number, number, number][] = [
      [2.0, 10, 0.07338803477074037],
      [2.228138851986274, 10, 0.05],
      [0.5, 3, 0.651447964848151],
      [12.706204736174707, 1, 0.05],
      [5.0, 2, 0.037749551350623724],
      [1.3, 7.5, 0.23212677881560878],
      [3.0, 100, 0.0034079153433294465],
      [8.0, 30, 6.265822475700759e-9],
    ];
    for (const [t, df, p] of cases) {
      rel(tTwoSided(t, df), p, 1e-10);
      rel(tTwoSided(-t, df), p, 1e-10);
    }
    assert.equal(tTwoSided(0, 5), 1);
    // df = 1 is Cauchy: p = 1 - (2/pi) atan|t|; df = 2: p = 1 - |t|/sqrt(2 + t^2).
    for (const t of [0.1, 1, 3, 40]) {
      rel(tTwoSided(t, 1), 1 - (2 / Math.PI) * Math.atan(t), 1e-11);
      rel(tTwoSided(t, 2), 1 - t / Math.sqrt(2 + t * t), 1e-11);
    }
    // large df tends to the normal
    rel(tTwoSided(1.959963984540054, 1e7), 0.05, 1e-5);
  });

  it("normal two-sided p-values, tails without cancellation", () => {
    assert.equal(normalTwoSided(0), 1);
    rel(normalTwoSided(1), 0.31731050786291415, 1e-12);
    rel(normalTwoSided(1.959963984540054), 0.05, 1e-12);
    rel(normalTwoSided(-3), 0.0026997960632601866, 1e-12);
    rel(normalTwoSided(6), 1.973175290075389e-9, 1e-11);
    rel(normalTwoSided(10), 1.523970604832094e-23, 1e-10);
  });

  const a = [0.5, 0.2, 0.9, 0.1, 0.0, 0.7, 0.3, 0.6, 0.4, 0.8, 0.25, 0.33];
  const b = [0.4, 0.2, 0.6, 0.3, 0.1, 0.5, 0.3, 0.2, 0.45, 0.4, 0.05, 0.33];

  it("paired t-test matches scipy.stats.ttest_rel", () => {
    const r = pairedTTest(a, b);
    rel(r.statistic, 1.8416600906496994, 1e-12);
    rel(r.p, 0.09262639395009495, 1e-10);
    assert.equal(r.n, 12);
    const d = [1, 2, 2, 3, -1, 4, 4, 4, -2, 5, 0, 6, -3, 1];
    const s = pairedTTest(d, new Array(d.length).fill(0));
    rel(s.statistic, 2.588082442988885, 1e-12);
    rel(s.p, 0.0225090824422899, 1e-10);
    // identical runs: no difference
    assert.equal(pairedTTest(a, a).p, 1);
    assert.throws(() => pairedTTest([1], [1, 2]), /same cases/);
  });

  it("Wilcoxon signed-rank (normal approximation) matches scipy.stats.wilcoxon", () => {
    rel(wilcoxonSignedRank(a, b).p, 0.12353425375256949, 1e-10);
    // ties among |d| and a zero difference
    const d = [1, 2, 2, 3, -1, 4, 4, 4, -2, 5, 0, 6, -3, 1];
    const r = wilcoxonSignedRank(d, new Array(d.length).fill(0));
    assert.equal(r.n, 13);
    rel(r.p, 0.03235302383630142, 1e-10);
    // symmetric in sign
    rel(wilcoxonSignedRank(new Array(d.length).fill(0), d).p, r.p, 1e-14);
    assert.equal(wilcoxonSignedRank(a, a).p, 1);
  });
});

// Elementwise kernels of the training step that tfjs-wasm runs slowly (scalar erf/exp, one JS call
// per random number): exact GELU forward/backward and the dropout mask of the run's xoshiro128**
// generator. Threaded over contiguous blocks; the mask is sequential (one generator stream).
#include "common.h"

namespace rc {

namespace {
// erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), vectorisable with fexp.
inline float ferf(float x) {
  const float a = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  const float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float r = 1.0f - p * fexp(-a * a);
  return x < 0.0f ? -r : r;
}
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
}  // namespace

void gelu_forward(int64_t n, const float* x, float* y) {
#pragma omp parallel for num_threads(num_threads()) schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.0f + ferf(v * kInvSqrt2));
  }
}

void gelu_backward(int64_t n, const float* x, const float* dy, float* dx) {
#pragma omp parallel for num_threads(num_threads()) schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.0f + ferf(v * kInvSqrt2));
    const float pdf = kInvSqrt2Pi * fexp(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

// LayerNorm over rows of width n (biased variance), row statistics in double.
void layernorm_forward(int64_t rows, int64_t n, const float* x, const float* g, const float* b, float eps, float* y) {
#pragma omp parallel for num_threads(num_threads()) schedule(static) if (rows * n > 65536)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    double mean = 0.0;
    for (int64_t j = 0; j < n; j++) mean += xr[j];
    mean /= (double)n;
    double var = 0.0;
    for (int64_t j = 0; j < n; j++) { const double c = xr[j] - mean; var += c * c; }
    const float rstd = (float)(1.0 / std::sqrt(var / (double)n + (double)eps));
    const float m = (float)mean;
    for (int64_t j = 0; j < n; j++) yr[j] = (xr[j] - m) * rstd * g[j] + b[j];
  }
}

// dx = rstd (dy g - mean(dy g) - xhat mean(dy g xhat)); dg = sum dy xhat; db = sum dy (overwritten).
void layernorm_backward(int64_t rows, int64_t n, const float* x, const float* g, const float* dy, float eps,
                        float* dx, float* dg, float* db) {
  // Lane accumulators (common.h, kLanes) for dg and db: the sums do not depend on the thread count.
  const int64_t lanes = std::min<int64_t>(kLanes, std::max<int64_t>(1, rows));
  const int nt = rows * n > 65536 ? (int)std::min<int64_t>(num_threads(), lanes) : 1;
  std::vector<double> acc((size_t)lanes * 2 * n, 0.0);
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> xh((size_t)n);
#pragma omp for schedule(static, 1)
    for (int64_t ln = 0; ln < lanes; ln++) {
     double* ag = acc.data() + (size_t)ln * 2 * n;
     double* ab = ag + n;
     for (int64_t r = ln; r < rows; r += lanes) {
      const float* xr = x + r * n;
      const float* gr = dy + r * n;
      float* dr = dx + r * n;
      double mean = 0.0;
      for (int64_t j = 0; j < n; j++) mean += xr[j];
      mean /= (double)n;
      double var = 0.0;
      for (int64_t j = 0; j < n; j++) { const double c = xr[j] - mean; var += c * c; }
      const float rstd = (float)(1.0 / std::sqrt(var / (double)n + (double)eps));
      const float m = (float)mean;
      double s1 = 0.0, s2 = 0.0;
      for (int64_t j = 0; j < n; j++) {
        const float h = (xr[j] - m) * rstd;
        xh[j] = h;
        const float d = gr[j] * g[j];
        s1 += d;
        s2 += (double)d * h;
        ag[j] += (double)gr[j] * h;
        ab[j] += gr[j];
      }
      const float m1 = (float)(s1 / (double)n), m2 = (float)(s2 / (double)n);
      for (int64_t j = 0; j < n; j++) dr[j] = rstd * (gr[j] * g[j] - m1 - xh[j] * m2);
     }
    }
  }
  for (int64_t j = 0; j < n; j++) {
    double sg = 0.0, sb = 0.0;
    for (int64_t l = 0; l < lanes; l++) { sg += acc[(size_t)l * 2 * n + j]; sb += acc[(size_t)l * 2 * n + n + j]; }
    dg[j] = (float)sg;
    db[j] = (float)sb;
  }
}

// out = y * z * sigmoid(z); backward dy_y = g z s, dz = g y s (1 + z (1 - s)).
void silu_gate_forward(int64_t n, const float* y, const float* z, float* out) {
#pragma omp parallel for num_threads(num_threads()) schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float zv = z[i];
    out[i] = y[i] * (zv / (1.0f + fexp(-zv)));
  }
}

void silu_gate_backward(int64_t n, const float* y, const float* z, const float* g, float* dy, float* dz) {
#pragma omp parallel for num_threads(num_threads()) schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    const float zv = z[i];
    const float s = 1.0f / (1.0f + fexp(-zv));
    dy[i] = g[i] * zv * s;
    dz[i] = g[i] * y[i] * s * (1.0f + zv * (1.0f - s));
  }
}

// xoshiro128**: mask[i] = (next() < threshold) ? scale : 0, threshold = keep * 2^32 (as a double so
// keep = 1 passes everything); state advanced in place, exactly as the JS Rng does.
void dropout_mask(uint32_t* s, int64_t n, double threshold, float scale, float* mask) {
  uint32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  for (int64_t i = 0; i < n; i++) {
    const uint32_t m = s1 * 5u;
    const uint32_t r = ((m << 7) | (m >> 25)) * 9u;
    const uint32_t t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >> 21);
    mask[i] = (double)r < threshold ? scale : 0.0f;
  }
  s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
}

}  // namespace rc

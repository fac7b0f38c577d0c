// Shared helpers for the reccompile native kernels: threading, a vectorisable expf, gemm entry points.
#pragma once
#include <cstdint>
#include <cstring>
#include <cmath>
#include <algorithm>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace rc {

// ---- threads -------------------------------------------------------------------------------------
int num_threads();             // threads the kernels use (REC_THREADS or hardware, at least 1)
void set_num_threads(int n);

// Accumulation lanes. A sum over work units (batch rows, token blocks) that threads share is formed
// in min(kLanes, units) lanes: unit i goes to lane i mod lanes, each lane sums its units in order,
// threads take whole lanes, and the lanes are added in lane order. Every rounding is then fixed by
// the data, not by the thread count: a kernel gives the same bits on 1 thread or 16.
constexpr int64_t kLanes = 16;

// Threads for `units` independent pieces of `work` in all: one per 65,536 of work, at most one per unit.
inline int threads_for(int64_t units, int64_t work) {
  return (int)std::min<int64_t>(num_threads(), std::max<int64_t>(1, std::min<int64_t>(units, work / 65536)));
}

// ---- fast math -----------------------------------------------------------------------------------
// exp(x) for float, Cephes polynomial (about 1-2 ulp on the clamped range), written with plain
// arithmetic and integer bit moves so that gcc/clang vectorise loops that call it.
static inline float fexp(float x) {
  x = x < -87.33654f ? -87.33654f : x;
  x = x > 88.3762626647949f ? 88.3762626647949f : x;
  const float t = x * 1.44269504088896341f;
  // round to nearest with the 1.5 * 2^23 trick (no -ffast-math, so it is kept)
  const float n = (t + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  const float e = p * r * r + r + 1.0f;
  const int32_t k = (int32_t)n;
  int32_t bits = (k + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

static inline float fsigmoid(float x) { return 1.0f / (1.0f + fexp(-x)); }

// log(x) for positive normal x, Cephes polynomial, vectorisable like fexp.
static inline float flog(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int32_t ex = ((bits >> 23) & 0xff) - 126;
  int32_t mb = (bits & 0x807fffff) | 0x3f000000;  // mantissa in [0.5, 1)
  float m;
  std::memcpy(&m, &mb, sizeof m);
  float e = (float)ex;
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float p = 7.0376836292E-2f;
  p = p * m - 1.1514610310E-1f;
  p = p * m + 1.1676998740E-1f;
  p = p * m - 1.2420140846E-1f;
  p = p * m + 1.4249322787E-1f;
  p = p * m - 1.6668057665E-1f;
  p = p * m + 2.0000714765E-1f;
  p = p * m - 2.4999993993E-1f;
  p = p * m + 3.3333331174E-1f;
  float y = m * z * p;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  return m + y + 0.693359375f * e;
}

// softplus (mamba-ssm's: x above 20 passes through) and its derivative, vectorisable.
static inline void softplus_and_grad(float x, float* sp, float* grad) {
  const float ax = x < 0.0f ? -x : x;
  const float z = fexp(-ax);              // in (0, 1]
  const float u = 1.0f + z;
  const float l = flog(u);
  const float den = u - 1.0f;  // log1p(z) = log(u) * z / (u - 1), accurate for small z
  const float q = l / (den == 0.0f ? 1.0f : den);
  const float lp = den == 0.0f ? z : q * z;
  const float r = (x > 0.0f ? x : 0.0f) + lp;
  *sp = x > 20.0f ? x : r;
  const float inv = 1.0f / u;
  const float sg = x >= 0.0f ? inv : z * inv;
  *grad = x > 20.0f ? 1.0f : sg;
}

static inline float fsoftplus(float x) {
  float sp, g;
  softplus_and_grad(x, &sp, &g);
  return sp;
}

static inline float softplus(float x) { return x <= 20.0f ? std::log1p(std::exp(x)) : x; }
static inline float softplus_grad(float x) { return x <= 20.0f ? 1.0f / (1.0f + std::exp(-x)) : 1.0f; }
static inline float sigmoidf(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// ---- gemm ----------------------------------------------------------------------------------------
// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, with leading dimensions.
// `gemm1` runs on the calling thread only (safe to call from inside a parallel region);
// `gemm` splits the work over the kernel threads.
enum class Blas { OpenBLAS, Fallback };
Blas active_blas();
bool have_openblas();
void blas_init();
void set_blas(Blas b);  // Fallback always allowed; OpenBLAS only when linked

void gemm1(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm1_fallback(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                    const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// ---- kernels -------------------------------------------------------------------------------------
struct ScanDims { int64_t batch, len, dInner, dState, chunk; };
void scan_forward(const ScanDims& d, const float* u, const float* delta, const float* A, const float* B,
                  const float* C, const float* D, const float* bias, float* y, float* ckpt);
void scan_backward(const ScanDims& d, const float* u, const float* delta, const float* A, const float* B,
                   const float* C, const float* D, const float* bias, const float* ckpt, const float* dy,
                   float* du, float* ddelta, float* dA, float* dB, float* dC, float* dD, float* dBias);

struct ConvDims { int64_t batch, len, channels, kernel; };
void conv_forward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y);
void conv_backward(const ConvDims& d, const float* x, const float* w, const float* bias, const float* dy,
                   float* dx, float* dw, float* dbias);

struct GruDims { int64_t batch, len, hidden; };
void gru_forward(const GruDims& d, const float* xi, const float* Wh, const float* bh, float* h, float* gates);
void gru_backward(const GruDims& d, const float* Wh, const float* h, const float* gates, const float* dh,
                  float* dxi, float* dWh, float* dbh);

struct PoolDims { int64_t batch, len, dim; };
void pool_forward(const PoolDims& d, const float* key, const float* query, const float* v, const float* x, float* c);
void pool_backward(const PoolDims& d, const float* key, const float* query, const float* v, const float* x,
                   const float* dc, float* dkey, float* dquery, float* dv, float* dx);

struct CeDims { int64_t tokens, hidden, vocab; float labelSmoothing; };
// Sparse additions to the scores, in CSR form: token t adds val[k] to the score of item item[k]
// (1..vocab-1) for k in off[t] .. off[t+1]-1; dVal[k] receives d loss / d val[k]. All null: none.
struct CeAdjust { const int32_t* off; const int32_t* item; const float* val; float* dVal; };
double linear_ce(const CeDims& d, const float* h, const float* W, const float* bias, const int32_t* targets,
                 float* dh, float* dW, float* dBias, const CeAdjust& adj = {nullptr, nullptr, nullptr, nullptr});

void scatter_add(const int32_t* ids, int64_t n, const float* grads, int64_t dim, float* out, int64_t vocab);

// elementwise.cc
void gelu_forward(int64_t n, const float* x, float* y);
void gelu_backward(int64_t n, const float* x, const float* dy, float* dx);
void dropout_mask(uint32_t* state, int64_t n, double threshold, float scale, float* mask);
void layernorm_forward(int64_t rows, int64_t n, const float* x, const float* g, const float* b, float eps, float* y);
void layernorm_backward(int64_t rows, int64_t n, const float* x, const float* g, const float* dy, float eps,
                        float* dx, float* dg, float* db);
void silu_gate_forward(int64_t n, const float* y, const float* z, float* out);
void silu_gate_backward(int64_t n, const float* y, const float* z, const float* g, float* dy, float* dz);

}  // namespace rc

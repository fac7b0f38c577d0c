// sgemm through OpenBLAS (when detected at build time: RC_HAVE_OPENBLAS) or a portable blocked
// fallback (packed panels, register-tiled micro-kernel that the compiler vectorises).
#include "common.h"
#include <cstdlib>
#include <thread>

#ifdef RC_HAVE_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
#endif

namespace rc {

// ---- threads -------------------------------------------------------------------------------------
static int g_threads = 0;

int num_threads() {
  if (g_threads <= 0) {
    int n = 0;
    if (const char* s = std::getenv("REC_THREADS")) n = std::atoi(s);
    if (n <= 0) n = (int)std::thread::hardware_concurrency();
    if (n <= 0) n = 1;
#ifndef _OPENMP
    n = 1;
#endif
    g_threads = n;
  }
  return g_threads;
}

void set_num_threads(int n) {
#ifndef _OPENMP
  n = 1;
#endif
  g_threads = n < 1 ? 1 : n;
}

// ---- blas selection ------------------------------------------------------------------------------
#ifdef RC_HAVE_OPENBLAS
static Blas g_blas = Blas::OpenBLAS;
bool have_openblas() { return true; }
// The kernels do their own threading and call sgemm from several threads at once, each call on
// one thread, so OpenBLAS's own pool is switched off once at load.
void blas_init() { openblas_set_num_threads(1); }
#else
static Blas g_blas = Blas::Fallback;
bool have_openblas() { return false; }
void blas_init() {}
#endif
Blas active_blas() { return g_blas; }
void set_blas(Blas b) { g_blas = have_openblas() ? b : Blas::Fallback; }

// ---- fallback ------------------------------------------------------------------------------------
namespace {
constexpr int MR = 6;
constexpr int NR = 32;
constexpr int64_t KC = 256;
constexpr int64_t MC = 96;   // multiple of MR
constexpr int64_t NC = 2048; // multiple of NR

// op(A)(i,k)
inline float aval(bool ta, const float* A, int64_t lda, int64_t i, int64_t k) { return ta ? A[k * lda + i] : A[i * lda + k]; }
inline float bval(bool tb, const float* B, int64_t ldb, int64_t k, int64_t j) { return tb ? B[j * ldb + k] : B[k * ldb + j]; }

// Pack op(A)[i0:i0+mc, k0:k0+kc] into panels of MR rows: Ap[panel][k][MR], zero padded.
void pack_a(bool ta, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float alpha, float* Ap) {
  for (int64_t p = 0; p < mc; p += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - p);
    float* dst = Ap + p * kc;
    for (int64_t k = 0; k < kc; k++) {
      for (int64_t r = 0; r < mr; r++) dst[k * MR + r] = alpha * aval(ta, A, lda, i0 + p + r, k0 + k);
      for (int64_t r = mr; r < MR; r++) dst[k * MR + r] = 0.0f;
    }
  }
}

// Pack op(B)[k0:k0+kc, j0:j0+nc] into panels of NR columns: Bp[panel][k][NR], zero padded.
void pack_b(bool tb, const float* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* Bp) {
  for (int64_t p = 0; p < nc; p += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - p);
    float* dst = Bp + p * kc;
    if (!tb && nr == NR) {
      for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * NR, B + (k0 + k) * ldb + j0 + p, NR * sizeof(float));
    } else {
      for (int64_t k = 0; k < kc; k++) {
        for (int64_t c = 0; c < nr; c++) dst[k * NR + c] = bval(tb, B, ldb, k0 + k, j0 + p + c);
        for (int64_t c = nr; c < NR; c++) dst[k * NR + c] = 0.0f;
      }
    }
  }
}

// acc[MR][NR] = sum_k Ap[k][r] * Bp[k][c]; then C tile += acc (edges masked).
inline void micro(int64_t kc, const float* __restrict Ap, const float* __restrict Bp, float* C, int64_t ldc, int64_t mr, int64_t nr) {
  float acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) acc[r][c] = 0.0f;
  for (int64_t k = 0; k < kc; k++) {
    const float* b = Bp + k * NR;
    const float* a = Ap + k * MR;
    for (int r = 0; r < MR; r++) {
      const float av = a[r];
#pragma omp simd
      for (int c = 0; c < NR; c++) acc[r][c] += av * b[c];
    }
  }
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; r++)
#pragma omp simd
      for (int c = 0; c < NR; c++) C[r * ldc + c] += acc[r][c];
  } else {
    for (int64_t r = 0; r < mr; r++)
      for (int64_t c = 0; c < nr; c++) C[r * ldc + c] += acc[r][c];
  }
}
}  // namespace

void gemm1_fallback(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                    const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  for (int64_t i = 0; i < M; i++) {
    float* c = C + i * ldc;
    if (beta == 0.0f) std::fill(c, c + N, 0.0f);
    else if (beta != 1.0f) for (int64_t j = 0; j < N; j++) c[j] *= beta;
  }
  if (K <= 0 || alpha == 0.0f) return;
  std::vector<float> Bp((size_t)std::min(NC, ((N + NR - 1) / NR) * NR) * KC);
  std::vector<float> Ap((size_t)MC * KC);
  for (int64_t j0 = 0; j0 < N; j0 += NC) {
    const int64_t nc = std::min(NC, N - j0);
    for (int64_t k0 = 0; k0 < K; k0 += KC) {
      const int64_t kc = std::min(KC, K - k0);
      pack_b(tb, B, ldb, k0, kc, j0, nc, Bp.data());
      for (int64_t i0 = 0; i0 < M; i0 += MC) {
        const int64_t mc = std::min(MC, M - i0);
        pack_a(ta, A, lda, i0, mc, k0, kc, alpha, Ap.data());
        for (int64_t jp = 0; jp < nc; jp += NR) {
          const int64_t nr = std::min<int64_t>(NR, nc - jp);
          for (int64_t ip = 0; ip < mc; ip += MR) {
            const int64_t mr = std::min<int64_t>(MR, mc - ip);
            micro(kc, Ap.data() + ip * kc, Bp.data() + jp * kc, C + (i0 + ip) * ldc + j0 + jp, ldc, mr, nr);
          }
        }
      }
    }
  }
}

void gemm1(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
#ifdef RC_HAVE_OPENBLAS
  if (g_blas == Blas::OpenBLAS) {
    if (K <= 0) {  // BLAS would still scale C by beta; keep the fallback's semantics explicit
      gemm1_fallback(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
                alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
    return;
  }
#endif
  gemm1_fallback(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Threads share a product as slabs of C (rows, or columns when C is wider than tall), at least 64
// wide and at most kLanes of them. The slabs depend on the shape alone, not on the thread count, so
// each element of C comes from the same gemm1 call however many threads there are: the same bits on
// 1 thread or 16 (common.h, kLanes).
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  const double flops = 2.0 * (double)M * (double)N * (double)std::max<int64_t>(K, 1);
  const bool splitM = M >= N;
  const int64_t side = splitM ? M : N;
  const int64_t slabs = std::min<int64_t>(kLanes, std::max<int64_t>(1, side / 64));
  if (flops < 2.0e6 || slabs <= 1) {
    gemm1(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  const int64_t align = splitM ? 8 : 32;
  const int64_t step = ((side + slabs - 1) / slabs + align - 1) / align * align;
  const int nt = (int)std::min<int64_t>(num_threads(), slabs);
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int64_t sl = 0; sl < slabs; sl++) {
    const int64_t s0 = std::min<int64_t>(side, sl * step), s1 = std::min<int64_t>(side, s0 + step);
    if (s1 <= s0) continue;
    if (splitM)
      gemm1(ta, tb, s1 - s0, N, K, alpha, ta ? A + s0 : A + s0 * lda, lda, B, ldb, beta, C + s0 * ldc, ldc);
    else
      gemm1(ta, tb, M, s1 - s0, K, alpha, A, lda, tb ? B + s0 * ldb : B + s0, ldb, beta, C + s0, ldc);
  }
}

}  // namespace rc

// Causal additive attention pooling, NARM's local encoder (types.ts, AdditivePoolKernel):
//   a_tj = sum_k v_k sigmoid(key_jk + query_tk) for j <= t,   c_t = sum_{j <= t} a_tj x_j.
// Each (row, position) of the forward is independent, so threads share the row-position pairs
// (dynamic schedule: position t costs t + 1 terms). The backward runs whole rows per thread, since
// dkey_j and dx_j gather over every t >= j; it recomputes the sigmoids instead of keeping a
// [batch, len, len, H] buffer, and dv is summed in lanes (common.h), added up in lane order.
#include "common.h"

namespace rc {


void pool_forward(const PoolDims& d, const float* key, const float* query, const float* v, const float* x, float* c) {
  const int64_t Bn = d.batch, L = d.len, H = d.dim;
  const int nt = threads_for(Bn * L, Bn * L * (L + 1) / 2 * H);
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> accBuf(H);
    float* __restrict acc = accBuf.data();
#pragma omp for schedule(dynamic, 8)
    for (int64_t bt = 0; bt < Bn * L; bt++) {
      const int64_t b = bt / L, t = bt % L;
      const float* __restrict q = query + bt * H;
      std::fill(acc, acc + H, 0.0f);
      for (int64_t j = 0; j <= t; j++) {
        const float* __restrict k = key + (b * L + j) * H;
        const float* __restrict xj = x + (b * L + j) * H;
        float a = 0.0f;
#pragma omp simd reduction(+ : a)
        for (int64_t i = 0; i < H; i++) a += v[i] * fsigmoid(k[i] + q[i]);
#pragma omp simd
        for (int64_t i = 0; i < H; i++) acc[i] += a * xj[i];
      }
      std::memcpy(c + bt * H, acc, H * sizeof(float));
    }
  }
}

void pool_backward(const PoolDims& d, const float* key, const float* query, const float* v, const float* x,
                   const float* dc, float* dkey, float* dquery, float* dv, float* dx) {
  const int64_t Bn = d.batch, L = d.len, H = d.dim;
  // dv in lanes (common.h, kLanes): its sum does not depend on the thread count.
  const int64_t lanes = std::min<int64_t>(kLanes, std::max<int64_t>(1, Bn));
  const int nt = threads_for(lanes, Bn * L * (L + 1) / 2 * H);
  std::vector<float> dvAll((size_t)lanes * H, 0.0f);
  std::memset(dkey, 0, Bn * L * H * sizeof(float));
  std::memset(dquery, 0, Bn * L * H * sizeof(float));
  std::memset(dx, 0, Bn * L * H * sizeof(float));
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> sBuf(H);
    float* __restrict s = sBuf.data();
#pragma omp for schedule(static, 1)
    for (int64_t ln = 0; ln < lanes; ln++) {
     float* __restrict dvT = dvAll.data() + (size_t)ln * H;
     for (int64_t b = ln; b < Bn; b += lanes) {
      for (int64_t t = 0; t < L; t++) {
        const float* __restrict q = query + (b * L + t) * H;
        const float* __restrict g = dc + (b * L + t) * H;
        float* __restrict dq = dquery + (b * L + t) * H;
        for (int64_t j = 0; j <= t; j++) {
          const float* __restrict k = key + (b * L + j) * H;
          const float* __restrict xj = x + (b * L + j) * H;
          float* __restrict dk = dkey + (b * L + j) * H;
          float* __restrict dxj = dx + (b * L + j) * H;
          float a = 0.0f, ga = 0.0f;
#pragma omp simd reduction(+ : a, ga)
          for (int64_t i = 0; i < H; i++) {
            const float si = fsigmoid(k[i] + q[i]);
            s[i] = si;
            a += v[i] * si;
            ga += g[i] * xj[i];
          }
#pragma omp simd
          for (int64_t i = 0; i < H; i++) {
            dxj[i] += a * g[i];
            const float si = s[i];
            dvT[i] += ga * si;
            const float dpre = ga * v[i] * si * (1.0f - si);
            dk[i] += dpre;
            dq[i] += dpre;
          }
        }
      }
     }
    }
  }
  for (int64_t i = 0; i < H; i++) {
    float sum = 0.0f;
    for (int64_t l = 0; l < lanes; l++) sum += dvAll[(size_t)l * H + i];
    dv[i] = sum;
  }
}

}  // namespace rc

// The GRU recurrence (PyTorch gate order r, z, n; h_0 = 0) given the input projection xi = x W_i + b_i.
// Batch rows are independent, so each thread runs whole rows; within a step the recurrent product
// h_{t-1} Wh is a row-major axpy over Wh's rows (vectorised over the 3H gate columns).
// The backward keeps each step's gate-input gradient dhh = dL/d(h_{t-1} Wh + bh) in a [batch*len, 3H]
// buffer and forms dWh = H_prev^T dhh with one gemm at the end, and dbh as its column sums.
#include "common.h"

namespace rc {


void gru_forward(const GruDims& d, const float* xi, const float* Wh, const float* bh, float* h, float* gates) {
  const int64_t Bn = d.batch, L = d.len, H = d.hidden, G = 3 * H;
  const int nt = threads_for(Bn, Bn * L * H * G);
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> hhBuf(G);
    float* __restrict hh = hhBuf.data();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < Bn; b++) {
      for (int64_t t = 0; t < L; t++) {
        const float* __restrict hp = t > 0 ? h + (b * L + t - 1) * H : nullptr;
        std::memcpy(hh, bh, G * sizeof(float));
        if (hp) {
          for (int64_t k = 0; k < H; k++) {
            const float hk = hp[k];
            const float* __restrict wk = Wh + k * G;
#pragma omp simd
            for (int64_t j = 0; j < G; j++) hh[j] += hk * wk[j];
          }
        }
        const float* __restrict x = xi + (b * L + t) * G;
        float* __restrict ho = h + (b * L + t) * H;
        float* __restrict g = gates + (b * L + t) * 4 * H;
#pragma omp simd
        for (int64_t j = 0; j < H; j++) {
          const float r = fsigmoid(x[j] + hh[j]);
          const float z = fsigmoid(x[H + j] + hh[H + j]);
          const float hn = hh[2 * H + j];
          const float n = std::tanh(x[2 * H + j] + r * hn);
          const float prev = hp ? hp[j] : 0.0f;
          ho[j] = (1.0f - z) * n + z * prev;
          g[j] = r;
          g[H + j] = z;
          g[2 * H + j] = n;
          g[3 * H + j] = hn;
        }
      }
    }
  }
}

void gru_backward(const GruDims& d, const float* Wh, const float* h, const float* gates, const float* dh,
                  float* dxi, float* dWh, float* dbh) {
  const int64_t Bn = d.batch, L = d.len, H = d.hidden, G = 3 * H;
  std::vector<float> dhhAll((size_t)(Bn * L * G));
  std::vector<float> hPrev((size_t)(Bn * L * H));
  const int nt = threads_for(Bn, Bn * L * H * G);
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> carryBuf(H);
    float* __restrict carry = carryBuf.data();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < Bn; b++) {
      std::fill(carryBuf.begin(), carryBuf.end(), 0.0f);
      for (int64_t t = L - 1; t >= 0; t--) {
        const int64_t bt = b * L + t;
        const float* __restrict hp = t > 0 ? h + (bt - 1) * H : nullptr;
        const float* __restrict g = gates + bt * 4 * H;
        const float* __restrict dy = dh + bt * H;
        float* __restrict dx = dxi + bt * G;
        float* __restrict dhh = dhhAll.data() + bt * G;
        float* __restrict hpOut = hPrev.data() + bt * H;
#pragma omp simd
        for (int64_t j = 0; j < H; j++) {
          const float r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
          const float prev = hp ? hp[j] : 0.0f;
          const float gh = dy[j] + carry[j];
          const float dan = gh * (1.0f - z) * (1.0f - n * n);
          const float daz = gh * (prev - n) * z * (1.0f - z);
          const float dar = dan * hn * r * (1.0f - r);
          dx[j] = dar;
          dx[H + j] = daz;
          dx[2 * H + j] = dan;
          dhh[j] = dar;
          dhh[H + j] = daz;
          dhh[2 * H + j] = dan * r;
          carry[j] = gh * z;
          hpOut[j] = prev;
        }
        if (hp) {
          // carry[k] += sum_j dhh[j] * Wh[k, j]
          for (int64_t k = 0; k < H; k++) {
            const float* __restrict wk = Wh + k * G;
            float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
            for (int64_t j = 0; j < G; j++) acc += dhh[j] * wk[j];
            carry[k] += acc;
          }
        }
      }
    }
  }
  // dWh[H, 3H] = hPrev^T [H, B*L] . dhh [B*L, 3H]
  if (Bn * L == 0) std::fill(dWh, dWh + H * G, 0.0f);
  else gemm(true, false, H, G, Bn * L, 1.0f, hPrev.data(), H, dhhAll.data(), G, 0.0f, dWh, G);
  std::vector<double> colsum((size_t)G, 0.0);
  for (int64_t bt = 0; bt < Bn * L; bt++) {
    const float* __restrict r = dhhAll.data() + bt * G;
    for (int64_t j = 0; j < G; j++) colsum[j] += r[j];
  }
  for (int64_t j = 0; j < G; j++) dbh[j] = (float)colsum[j];
}

}  // namespace rc

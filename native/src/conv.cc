// Causal depthwise conv1d + bias + SiLU, channels last; vectorised over channels, one batch row per task.
#include "common.h"

namespace rc {

namespace {
// wt[k][c] = w[c][k]
std::vector<float> transpose_w(const ConvDims& d, const float* w) {
  std::vector<float> wt(d.kernel * d.channels);
  for (int64_t c = 0; c < d.channels; c++)
    for (int64_t k = 0; k < d.kernel; k++) wt[k * d.channels + c] = w[c * d.kernel + k];
  return wt;
}

// pre[c] = bias[c] + sum_k wt[k][c] * x[t-(K-1)+k][c] for one (b, t)
inline void pre_row(const ConvDims& d, const float* __restrict xb, const float* __restrict wt, const float* __restrict bias,
                    int64_t t, float* __restrict pre) {
  const int64_t Ch = d.channels, K = d.kernel;
  std::memcpy(pre, bias, Ch * sizeof(float));
  for (int64_t k = 0; k < K; k++) {
    const int64_t s = t - (K - 1) + k;
    if (s < 0) continue;
    const float* __restrict xs = xb + s * Ch;
    const float* __restrict wk = wt + k * Ch;
#pragma omp simd
    for (int64_t c = 0; c < Ch; c++) pre[c] += wk[c] * xs[c];
  }
}
}  // namespace

void conv_forward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y) {
  const int64_t Bn = d.batch, L = d.len, Ch = d.channels;
  const std::vector<float> wt = transpose_w(d, w);
  const int nt = (int)std::min<int64_t>(num_threads(), std::max<int64_t>(1, Bn * L * Ch / 16384));
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> preBuf(Ch);
    float* __restrict pre = preBuf.data();
#pragma omp for schedule(static)
    for (int64_t bt = 0; bt < Bn * L; bt++) {
      const int64_t b = bt / L, t = bt % L;
      pre_row(d, x + b * L * Ch, wt.data(), bias, t, pre);
      float* __restrict yr = y + bt * Ch;
#pragma omp simd
      for (int64_t c = 0; c < Ch; c++) {
        const float p = pre[c];
        yr[c] = p / (1.0f + fexp(-p));
      }
    }
  }
}

void conv_backward(const ConvDims& d, const float* x, const float* w, const float* bias, const float* dy,
                   float* dx, float* dw, float* dbias) {
  const int64_t Bn = d.batch, L = d.len, Ch = d.channels, K = d.kernel;
  const std::vector<float> wt = transpose_w(d, w);
  // Lane accumulators (common.h, kLanes): the sums do not depend on the thread count.
  const int64_t lanes = std::min<int64_t>(kLanes, std::max<int64_t>(1, Bn));
  const int nt = (int)std::min<int64_t>(num_threads(), std::max<int64_t>(1, std::min<int64_t>(lanes, Bn * L * Ch / 16384)));
  const int64_t accLen = K * Ch + Ch;  // [dwt (k-major) | dbias]
  std::vector<double> accAll((size_t)lanes * accLen, 0.0);
#pragma omp parallel num_threads(nt)
  {
    std::vector<float> rowAcc(accLen);  // one batch row's [dw | dbias], summed in float then added in double
    float* __restrict dwt = rowAcc.data();
    float* __restrict db = dwt + K * Ch;
    std::vector<float> gBuf(L * Ch);
    float* __restrict g = gBuf.data();  // dL/dpre for one batch row
#pragma omp for schedule(static, 1)
    for (int64_t ln = 0; ln < lanes; ln++) {
     double* __restrict acc = accAll.data() + ln * accLen;
     for (int64_t b = ln; b < Bn; b += lanes) {
      const float* xb = x + b * L * Ch;
      std::fill(rowAcc.begin(), rowAcc.end(), 0.0f);
      for (int64_t t = 0; t < L; t++) {
        float* __restrict gr = g + t * Ch;
        pre_row(d, xb, wt.data(), bias, t, gr);
        const float* __restrict dyr = dy + (b * L + t) * Ch;
#pragma omp simd
        for (int64_t c = 0; c < Ch; c++) {
          const float p = gr[c];
          const float s = 1.0f / (1.0f + fexp(-p));
          gr[c] = dyr[c] * s * (1.0f + p * (1.0f - s));
        }
      }
      float* __restrict dxb = dx + b * L * Ch;
      for (int64_t s = 0; s < L; s++) {
        float* __restrict dxr = dxb + s * Ch;
        const float* __restrict xr = xb + s * Ch;
        std::fill(dxr, dxr + Ch, 0.0f);
        // x[s] feeds pre[t] for t = s + (K-1) - k, k in [0, K)
        for (int64_t k = 0; k < K; k++) {
          const int64_t t = s + (K - 1) - k;
          if (t >= L) continue;
          const float* __restrict gr = g + t * Ch;
          const float* __restrict wk = wt.data() + k * Ch;
          float* __restrict dwk = dwt + k * Ch;
#pragma omp simd
          for (int64_t c = 0; c < Ch; c++) {
            dxr[c] += wk[c] * gr[c];
            dwk[c] += gr[c] * xr[c];
          }
        }
      }
      for (int64_t t = 0; t < L; t++) {
        const float* __restrict gr = g + t * Ch;
#pragma omp simd
        for (int64_t c = 0; c < Ch; c++) db[c] += gr[c];
      }
      for (int64_t j = 0; j < accLen; j++) acc[j] += rowAcc[j];
     }
    }
  }
  for (int64_t c = 0; c < Ch; c++) {
    for (int64_t k = 0; k < K; k++) {
      double s = 0.0;
      for (int64_t l = 0; l < lanes; l++) s += accAll[l * accLen + k * Ch + c];
      dw[c * K + k] = (float)s;
    }
    double s = 0.0;
    for (int64_t l = 0; l < lanes; l++) s += accAll[l * accLen + K * Ch + c];
    dbias[c] = (float)s;
  }
}

}  // namespace rc

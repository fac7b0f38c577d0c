// Fused linear softmax cross-entropy over items 1..V-1 with label smoothing.
// Unmasked tokens are gathered into blocks of `tb` rows; each block's scores against a chunk of
// `vc` items come from one sgemm. When the whole catalogue fits one chunk (the usual case: a few
// thousand items) a block is done in one pass: scores -> exp -> G = softmax - q in place ->
// dh = G W and dW += G^T h, two more sgemms. Otherwise a first pass keeps an online logsumexp over
// the chunks and a second pass recomputes each chunk's scores to form the gradients. Blocks run in
// parallel. Block b is summed into lane b mod L (L = min(kLanes, blocks), a constant, not the thread
// count): each lane has its own loss / dW / dBias accumulator and sums its blocks in block order, the
// lanes are dealt to the threads round-robin, and the lanes are added up at the end in lane order.
// Every rounding is then fixed by the data alone: the result is the same to the last bit for any
// thread count (up to kLanes threads share the work) and however busy the machine is.
// An optional sparse adjustment (CeAdjust: a few extra terms per token, such as a learned bias for
// the items already in the token's input) is added to each chunk's scores right after its sgemm,
// so the scores, the loss and G all include it; its gradient is G at those entries, read before G
// is multiplied into dh and dW. The [tokens, vocab] scores still never exist at once.
#include "common.h"
#include <cstdlib>
#include <memory>

namespace rc {

namespace {
int64_t env_int(const char* name, int64_t dflt) {
  if (const char* s = std::getenv(name)) {
    const long long v = std::atoll(s);
    if (v > 0) return v;
  }
  return dflt;
}
}  // namespace

double linear_ce(const CeDims& d, const float* h, const float* W, const float* bias, const int32_t* targets,
                 float* dh, float* dW, float* dBias, const CeAdjust& adj) {
  const int64_t T = d.tokens, H = d.hidden, V = d.vocab, Vr = V - 1;
  const float e = d.labelSmoothing;
  const float uni = Vr > 0 ? e / (float)Vr : 0.0f;
  const float onehot = 1.0f - e;
  const bool grads = dh || dW || dBias;
  if (dh) std::fill(dh, dh + T * H, 0.0f);
  if (dW) std::fill(dW, dW + V * H, 0.0f);
  if (dBias) std::fill(dBias, dBias + V, 0.0f);
  const bool adjusted = adj.off != nullptr;
  if (adjusted && adj.dVal) std::fill(adj.dVal, adj.dVal + adj.off[T], 0.0f);
  if (Vr <= 0 || T <= 0) return 0.0;

  std::vector<int64_t> rows;
  rows.reserve(T);
  for (int64_t t = 0; t < T; t++)
    if (targets[t] != 0) rows.push_back(t);
  const int64_t R = (int64_t)rows.size();
  if (R == 0) return 0.0;

  // Block sizes: keep one block's scores [tb, vc] about 1 MiB (per-core L2 here).
  const int64_t budget = env_int("REC_CE_BUDGET", 256 * 1024);
  int64_t vc = std::min<int64_t>(Vr, env_int("REC_CE_ITEM_CHUNK", 8192));
  int64_t tb = env_int("REC_CE_TOKEN_BLOCK", std::max<int64_t>(16, std::min<int64_t>(256, budget / vc / 16 * 16)));
  const bool onePass = vc >= Vr;
  const int64_t nBlocks = (R + tb - 1) / tb;
  const int64_t lanes = std::min<int64_t>(kLanes, nBlocks);
  const int nt = (int)std::min<int64_t>(num_threads(), lanes);

  const float* Wi = W + H;  // items 1..V-1
  const float* bi = bias ? bias + 1 : nullptr;
  // Accumulators: lane 0 writes straight into dW (items rows), the others into their own copies.
  // Not zeroed: a lane's first block writes its accumulator with beta 0 (laneStarted), so no lane
  // is read before it is written, and the zeroing would be megabytes per call for nothing.
  std::unique_ptr<float[]> extraW(dW && lanes > 1 ? new float[(size_t)(lanes - 1) * Vr * H] : nullptr);
  std::vector<double> extraB(dBias ? (size_t)lanes * Vr : 0, 0.0);
  std::vector<char> laneStarted(lanes, 0);
  std::vector<double> laneLoss(lanes, 0.0);

#pragma omp parallel num_threads(nt)
  {
    // The lane being summed, and its accumulators (set for each lane this thread takes).
    int64_t lane = 0;
    float* dWacc = nullptr;
    double* dBacc = nullptr;
    std::vector<float> S((size_t)tb * vc), hb((size_t)tb * H), dhb(dh ? (size_t)tb * H : 0);
    std::vector<float> rmax(tb), rsum(tb), rlse(tb);
    std::vector<double> colsum(dBias ? vc : 0);
    double* loss = nullptr;

    // blockRows: the tokens of the block's rows (for the sparse adjustment).
    auto scores = [&](int64_t m, int64_t j0, int64_t nc, const int64_t* blockRows) {
      gemm1(false, true, m, nc, H, 1.0f, hb.data(), H, Wi + j0 * H, H, 0.0f, S.data(), nc);
      if (bi)
        for (int64_t r = 0; r < m; r++) {
          float* s = S.data() + r * nc;
#pragma omp simd
          for (int64_t j = 0; j < nc; j++) s[j] += bi[j0 + j];
        }
      if (adjusted)
        for (int64_t r = 0; r < m; r++) {
          float* s = S.data() + r * nc;
          const int64_t t = blockRows[r];
          for (int32_t k = adj.off[t]; k < adj.off[t + 1]; k++) {
            const int64_t j = (int64_t)adj.item[k] - 1 - j0;
            if (j >= 0 && j < nc) s[j] += adj.val[k];
          }
        }
    };
    // The adjustment's gradient: G (= p - q) at its entries, before G is applied.
    auto adjustGrad = [&](int64_t m, int64_t j0, int64_t nc, const int64_t* blockRows) {
      if (!adjusted || !adj.dVal) return;
      for (int64_t r = 0; r < m; r++) {
        const float* g = S.data() + r * nc;
        const int64_t t = blockRows[r];
        for (int32_t k = adj.off[t]; k < adj.off[t + 1]; k++) {
          const int64_t j = (int64_t)adj.item[k] - 1 - j0;
          if (j >= 0 && j < nc) adj.dVal[k] = g[j];
        }
      }
    };
    // Gradient of one chunk: S holds probabilities-to-be, turn into G = p - q and apply.
    auto apply = [&](int64_t m, int64_t j0, int64_t nc, const int64_t* blockRows, bool firstChunk) {
      if (dh) gemm1(false, false, m, H, nc, 1.0f, S.data(), nc, Wi + j0 * H, H, firstChunk ? 0.0f : 1.0f, dhb.data(), H);
      if (dW) {
        gemm1(true, false, nc, H, m, 1.0f, S.data(), nc, hb.data(), H, laneStarted[lane] ? 1.0f : 0.0f, dWacc + j0 * H, H);
      }
      if (dBias) {
        std::fill(colsum.begin(), colsum.begin() + nc, 0.0);
        for (int64_t r = 0; r < m; r++) {
          const float* g = S.data() + r * nc;
          for (int64_t j = 0; j < nc; j++) colsum[j] += g[j];
        }
        for (int64_t j = 0; j < nc; j++) dBacc[j0 + j] += colsum[j];
      }
      (void)blockRows;
    };

#pragma omp for schedule(static, 1)
    for (int64_t ln = 0; ln < lanes; ln++) {
     lane = ln;
     dWacc = dW ? (ln == 0 ? dW + H : extraW.get() + (size_t)(ln - 1) * Vr * H) : nullptr;
     dBacc = dBias ? extraB.data() + (size_t)ln * Vr : nullptr;
     loss = &laneLoss[ln];
     for (int64_t blk = ln; blk < nBlocks; blk += lanes) {
      const int64_t r0 = blk * tb, m = std::min(tb, R - r0);
      const int64_t* br = rows.data() + r0;
      for (int64_t r = 0; r < m; r++) std::memcpy(hb.data() + r * H, h + br[r] * H, H * sizeof(float));
      if (onePass) {
        scores(m, 0, Vr, br);
        for (int64_t r = 0; r < m; r++) {
          float* s = S.data() + r * Vr;
          const int64_t y = targets[br[r]] - 1;
          const float sy = s[y];
          float mx = -INFINITY, ssum = 0.0f;
#pragma omp simd reduction(max : mx) reduction(+ : ssum)
          for (int64_t j = 0; j < Vr; j++) { mx = std::max(mx, s[j]); ssum += s[j]; }
          float z = 0.0f;
#pragma omp simd reduction(+ : z)
          for (int64_t j = 0; j < Vr; j++) {
            const float ex = fexp(s[j] - mx);
            s[j] = ex;
            z += ex;
          }
          const float lse = mx + std::log(z);
          *loss += (double)lse - (double)onehot * sy - (double)uni * ssum;
          if (grads) {
            const float inv = 1.0f / z;
#pragma omp simd
            for (int64_t j = 0; j < Vr; j++) s[j] = s[j] * inv - uni;
            s[y] -= onehot;
          }
        }
        if (grads) {
          adjustGrad(m, 0, Vr, br);
          apply(m, 0, Vr, br, true);
        }
        if (dW) laneStarted[lane] = 1;
      } else {
        // pass 1: online logsumexp over item chunks
        for (int64_t r = 0; r < m; r++) { rmax[r] = -INFINITY; rsum[r] = 0.0f; }
        double blockLin = 0.0;
        for (int64_t j0 = 0; j0 < Vr; j0 += vc) {
          const int64_t nc = std::min(vc, Vr - j0);
          scores(m, j0, nc, br);
          for (int64_t r = 0; r < m; r++) {
            const float* s = S.data() + r * nc;
            const int64_t y = targets[br[r]] - 1;
            float cm = -INFINITY, ssum = 0.0f;
#pragma omp simd reduction(max : cm) reduction(+ : ssum)
            for (int64_t j = 0; j < nc; j++) { cm = std::max(cm, s[j]); ssum += s[j]; }
            const float nm = std::max(rmax[r], cm);
            float z = 0.0f;
#pragma omp simd reduction(+ : z)
            for (int64_t j = 0; j < nc; j++) z += fexp(s[j] - nm);
            rsum[r] = rsum[r] * fexp(rmax[r] - nm) + z;
            rmax[r] = nm;
            blockLin += (double)uni * ssum;
            if (y >= j0 && y < j0 + nc) blockLin += (double)onehot * s[y - j0];
          }
        }
        for (int64_t r = 0; r < m; r++) {
          rlse[r] = rmax[r] + std::log(rsum[r]);
          *loss += rlse[r];
        }
        *loss -= blockLin;
        if (grads) {
          // pass 2: recompute each chunk, G = exp(s - lse) - q
          for (int64_t j0 = 0; j0 < Vr; j0 += vc) {
            const int64_t nc = std::min(vc, Vr - j0);
            scores(m, j0, nc, br);
            for (int64_t r = 0; r < m; r++) {
              float* s = S.data() + r * nc;
              const float lse = rlse[r];
#pragma omp simd
              for (int64_t j = 0; j < nc; j++) s[j] = fexp(s[j] - lse) - uni;
              const int64_t y = targets[br[r]] - 1;
              if (y >= j0 && y < j0 + nc) s[y - j0] -= onehot;
            }
            adjustGrad(m, j0, nc, br);
            apply(m, j0, nc, br, j0 == 0);
          }
          if (dW) laneStarted[lane] = 1;
        }
      }
      if (dh)
        for (int64_t r = 0; r < m; r++) std::memcpy(dh + br[r] * H, dhb.data() + r * H, H * sizeof(float));
     }
    }
  }

  // Add up the lanes in lane order; each element's sum is then the same whichever thread forms it.
  double loss = 0.0;
  for (int64_t l = 0; l < lanes; l++) loss += laneLoss[l];
  if (dW && lanes > 1) {
    float* out = dW + H;
    const int64_t n = Vr * H, chunk = 16384;
    if (!laneStarted[0]) std::fill(out, out + n, 0.0f);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t c0 = 0; c0 < n; c0 += chunk) {
      const int64_t c1 = std::min(n, c0 + chunk);
      for (int64_t l = 1; l < lanes; l++) {
        if (!laneStarted[l]) continue;
        const float* src = extraW.get() + (size_t)(l - 1) * n;
#pragma omp simd
        for (int64_t j = c0; j < c1; j++) out[j] += src[j];
      }
    }
  }
  if (dBias)
    for (int64_t j = 0; j < Vr; j++) {
      double s = 0.0;
      for (int64_t l = 0; l < lanes; l++) s += extraB[(size_t)l * Vr + j];
      dBias[1 + j] = (float)s;
    }
  return loss;
}

void scatter_add(const int32_t* ids, int64_t n, const float* grads, int64_t dim, float* out, int64_t vocab) {
  (void)vocab;
  const int nt = (int)std::min<int64_t>(num_threads(), std::max<int64_t>(1, n * dim / 65536));
  // Each thread owns the output rows id % nt == tid, so no two threads write the same row.
#pragma omp parallel num_threads(nt)
  {
#ifdef _OPENMP
    const int tid = omp_get_thread_num(), T = omp_get_num_threads();
#else
    const int tid = 0, T = 1;
#endif
    for (int64_t i = 0; i < n; i++) {
      const int32_t id = ids[i];
      if (id % T != tid) continue;
      float* __restrict o = out + (int64_t)id * dim;
      const float* __restrict g = grads + i * dim;
#pragma omp simd
      for (int64_t j = 0; j < dim; j++) o[j] += g[j];
    }
  }
}

}  // namespace rc

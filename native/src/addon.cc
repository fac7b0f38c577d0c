// N-API bindings (plain node_api.h, no extra dependency). Every array argument is a typed array
// whose memory is used in place (zero-copy: it may be a view into a WebAssembly.Memory). Sizes are
// checked before any kernel runs; a wrong type or a short array throws a TypeError / RangeError.
#include <node_api.h>
#include <string>
#include "common.h"

namespace {

struct Arr {
  void* data = nullptr;
  size_t length = 0;
  bool present = false;
};

#define CHECK_NAPI(call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, nullptr, "reccompile native: N-API call failed"); \
      return false;                                                        \
    }                                                                      \
  } while (0)

bool throw_type(napi_env env, const std::string& msg) {
  napi_throw_type_error(env, nullptr, ("reccompile native: " + msg).c_str());
  return false;
}
bool throw_range(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, ("reccompile native: " + msg).c_str());
  return false;
}

// Reads a typed array of the given type with at least `need` elements. nullable: null/undefined ok.
bool get_arr(napi_env env, napi_value v, napi_typedarray_type want, size_t need, const char* name, Arr* out,
             bool nullable = false) {
  napi_valuetype vt;
  CHECK_NAPI(napi_typeof(env, v, &vt));
  if (vt == napi_null || vt == napi_undefined) {
    if (nullable) { out->present = false; return true; }
    return throw_type(env, std::string(name) + " is required");
  }
  bool is_ta = false;
  CHECK_NAPI(napi_is_typedarray(env, v, &is_ta));
  const char* wname = want == napi_float32_array ? "Float32Array" : "Int32Array";
  if (!is_ta) return throw_type(env, std::string(name) + " must be a " + wname);
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t off;
  CHECK_NAPI(napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off));
  if (type != want) return throw_type(env, std::string(name) + " must be a " + wname);
  if (length < need)
    return throw_range(env, std::string(name) + " has " + std::to_string(length) + " elements, needs " + std::to_string(need));
  out->data = data;
  out->length = length;
  out->present = true;
  return true;
}

bool get_int(napi_env env, napi_value v, const char* name, int64_t* out, int64_t min = 0) {
  double x;
  if (napi_get_value_double(env, v, &x) != napi_ok) return throw_type(env, std::string(name) + " must be a number");
  if (!(x == (double)(int64_t)x) || x < (double)min)
    return throw_range(env, std::string(name) + " must be an integer >= " + std::to_string(min));
  *out = (int64_t)x;
  return true;
}
bool get_num(napi_env env, napi_value v, const char* name, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) return throw_type(env, std::string(name) + " must be a number");
  return true;
}
bool get_bool(napi_env env, napi_value v, bool* out) {
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok) return false;
  if (vt == napi_boolean) return napi_get_value_bool(env, v, out) == napi_ok;
  double x = 0;
  napi_get_value_double(env, v, &x);
  *out = x != 0;
  return true;
}

template <size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t min) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (argc < min) return throw_type(env, "expected " + std::to_string(min) + " arguments, got " + std::to_string(argc));
  for (size_t i = argc; i < N; i++) napi_get_undefined(env, &argv[i]);
  return true;
}

#define F32(i, name, need, var) Arr var; if (!get_arr(env, argv[i], napi_float32_array, (size_t)(need), name, &var)) return nullptr
#define F32N(i, name, need, var) Arr var; if (!get_arr(env, argv[i], napi_float32_array, (size_t)(need), name, &var, true)) return nullptr
#define INT(i, name, var, min) int64_t var; if (!get_int(env, argv[i], name, &var, min)) return nullptr
#define P(a) static_cast<float*>(a.data)

// scanForward(batch, len, dInner, dState, chunk, u, delta, A, B, C, D, deltaBias, y, checkpoints)
napi_value ScanForward(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!args(env, info, argv, 14)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "dInner", Di, 0); INT(3, "dState", N, 0); INT(4, "chunk", K, 1);
  const int64_t nC = (L + K - 1) / K;
  F32(5, "u", Bn * L * Di, u); F32(6, "delta", Bn * L * Di, delta); F32(7, "A", Di * N, A);
  F32(8, "B", Bn * L * N, B); F32(9, "C", Bn * L * N, C); F32(10, "D", Di, D); F32(11, "deltaBias", Di, bias);
  F32(12, "y", Bn * L * Di, y); F32(13, "checkpoints", Bn * nC * Di * N, ck);
  rc::scan_forward({Bn, L, Di, N, K}, P(u), P(delta), P(A), P(B), P(C), P(D), P(bias), P(y), P(ck));
  return nullptr;
}

// scanBackward(batch, len, dInner, dState, chunk, u, delta, A, B, C, D, deltaBias, checkpoints, dy,
//              du, ddelta, dA, dB, dC, dD, dDeltaBias)
napi_value ScanBackward(napi_env env, napi_callback_info info) {
  napi_value argv[21];
  if (!args(env, info, argv, 21)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "dInner", Di, 0); INT(3, "dState", N, 0); INT(4, "chunk", K, 1);
  const int64_t nC = (L + K - 1) / K, BLD = Bn * L * Di, BLN = Bn * L * N;
  F32(5, "u", BLD, u); F32(6, "delta", BLD, delta); F32(7, "A", Di * N, A);
  F32(8, "B", BLN, B); F32(9, "C", BLN, C); F32(10, "D", Di, D); F32(11, "deltaBias", Di, bias);
  F32(12, "checkpoints", Bn * nC * Di * N, ck); F32(13, "dy", BLD, dy);
  F32(14, "du", BLD, du); F32(15, "ddelta", BLD, ddelta); F32(16, "dA", Di * N, dA); F32(17, "dB", BLN, dB);
  F32(18, "dC", BLN, dC); F32(19, "dD", Di, dD); F32(20, "dDeltaBias", Di, dBias);
  rc::scan_backward({Bn, L, Di, N, K}, P(u), P(delta), P(A), P(B), P(C), P(D), P(bias), P(ck), P(dy), P(du), P(ddelta),
                    P(dA), P(dB), P(dC), P(dD), P(dBias));
  return nullptr;
}

// convForward(batch, len, channels, kernel, x, w, bias, y)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv, 8)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "channels", Ch, 0); INT(3, "kernel", K, 1);
  F32(4, "x", Bn * L * Ch, x); F32(5, "w", Ch * K, w); F32(6, "bias", Ch, bias); F32(7, "y", Bn * L * Ch, y);
  rc::conv_forward({Bn, L, Ch, K}, P(x), P(w), P(bias), P(y));
  return nullptr;
}

// convBackward(batch, len, channels, kernel, x, w, bias, dy, dx, dw, dbias)
napi_value ConvBackward(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args(env, info, argv, 11)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "channels", Ch, 0); INT(3, "kernel", K, 1);
  const int64_t n = Bn * L * Ch;
  F32(4, "x", n, x); F32(5, "w", Ch * K, w); F32(6, "bias", Ch, bias); F32(7, "dy", n, dy);
  F32(8, "dx", n, dx); F32(9, "dw", Ch * K, dw); F32(10, "dbias", Ch, db);
  rc::conv_backward({Bn, L, Ch, K}, P(x), P(w), P(bias), P(dy), P(dx), P(dw), P(db));
  return nullptr;
}

// gruForward(batch, len, hidden, xi, Wh, bh, h, gates)
napi_value GruForward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv, 8)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "hidden", H, 0);
  F32(3, "xi", Bn * L * 3 * H, xi); F32(4, "Wh", H * 3 * H, Wh); F32(5, "bh", 3 * H, bh);
  F32(6, "h", Bn * L * H, h); F32(7, "gates", Bn * L * 4 * H, gates);
  rc::gru_forward({Bn, L, H}, P(xi), P(Wh), P(bh), P(h), P(gates));
  return nullptr;
}

// gruBackward(batch, len, hidden, Wh, h, gates, dh, dxi, dWh, dbh)
napi_value GruBackward(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!args(env, info, argv, 10)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "hidden", H, 0);
  F32(3, "Wh", H * 3 * H, Wh); F32(4, "h", Bn * L * H, h); F32(5, "gates", Bn * L * 4 * H, gates);
  F32(6, "dh", Bn * L * H, dh); F32(7, "dxi", Bn * L * 3 * H, dxi); F32(8, "dWh", H * 3 * H, dWh); F32(9, "dbh", 3 * H, dbh);
  rc::gru_backward({Bn, L, H}, P(Wh), P(h), P(gates), P(dh), P(dxi), P(dWh), P(dbh));
  return nullptr;
}

// poolForward(batch, len, dim, key, query, v, x, c)
napi_value PoolForward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv, 8)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "dim", H, 0);
  const int64_t n = Bn * L * H;
  F32(3, "key", n, key); F32(4, "query", n, query); F32(5, "v", H, v); F32(6, "x", n, x); F32(7, "c", n, c);
  rc::pool_forward({Bn, L, H}, P(key), P(query), P(v), P(x), P(c));
  return nullptr;
}

// poolBackward(batch, len, dim, key, query, v, x, dc, dkey, dquery, dv, dx)
napi_value PoolBackward(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!args(env, info, argv, 12)) return nullptr;
  INT(0, "batch", Bn, 0); INT(1, "len", L, 0); INT(2, "dim", H, 0);
  const int64_t n = Bn * L * H;
  F32(3, "key", n, key); F32(4, "query", n, query); F32(5, "v", H, v); F32(6, "x", n, x); F32(7, "dc", n, dc);
  F32(8, "dkey", n, dkey); F32(9, "dquery", n, dquery); F32(10, "dv", H, dv); F32(11, "dx", n, dx);
  rc::pool_backward({Bn, L, H}, P(key), P(query), P(v), P(x), P(dc), P(dkey), P(dquery), P(dv), P(dx));
  return nullptr;
}

// linearCe(tokens, hidden, vocab, labelSmoothing, h, W, bias|null, targets, dh|null, dW|null, dBias|null
//          [, adjOffsets, adjItems, adjValues, dAdjValues|null]) -> loss
napi_value LinearCe(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!args(env, info, argv, 8)) return nullptr;
  INT(0, "tokens", T, 0); INT(1, "hidden", H, 0); INT(2, "vocab", V, 1);
  double ls;
  if (!get_num(env, argv[3], "labelSmoothing", &ls)) return nullptr;
  if (!(ls >= 0.0 && ls <= 1.0)) { throw_range(env, "labelSmoothing must be in [0, 1]"); return nullptr; }
  F32(4, "h", T * H, h); F32(5, "W", V * H, W); F32N(6, "bias", V, bias);
  Arr tg;
  if (!get_arr(env, argv[7], napi_int32_array, (size_t)T, "targets", &tg)) return nullptr;
  F32N(8, "dh", T * H, dh); F32N(9, "dW", V * H, dW); F32N(10, "dBias", V, dBias);
  const int32_t* targets = static_cast<const int32_t*>(tg.data);
  for (int64_t t = 0; t < T; t++)
    if (targets[t] < 0 || targets[t] >= V) {
      throw_range(env, "targets[" + std::to_string(t) + "] = " + std::to_string(targets[t]) + " is outside [0, vocab)");
      return nullptr;
    }
  // The optional sparse score adjustment: offsets [T + 1] non-decreasing from 0, items in 1..V-1.
  rc::CeAdjust adj{nullptr, nullptr, nullptr, nullptr};
  Arr aoff, aitem;
  if (!get_arr(env, argv[11], napi_int32_array, (size_t)T + 1, "adjOffsets", &aoff, true)) return nullptr;
  if (aoff.present) {
    const int32_t* off = static_cast<const int32_t*>(aoff.data);
    if (off[0] != 0) { throw_range(env, "adjOffsets[0] must be 0"); return nullptr; }
    for (int64_t t = 0; t < T; t++)
      if (off[t + 1] < off[t]) { throw_range(env, "adjOffsets must not decrease (at " + std::to_string(t + 1) + ")"); return nullptr; }
    const int64_t E = off[T];
    if (!get_arr(env, argv[12], napi_int32_array, (size_t)E, "adjItems", &aitem)) return nullptr;
    F32(13, "adjValues", E, aval); F32N(14, "dAdjValues", E, daval);
    const int32_t* it = static_cast<const int32_t*>(aitem.data);
    for (int64_t k = 0; k < E; k++)
      if (it[k] < 1 || it[k] >= V) {
        throw_range(env, "adjItems[" + std::to_string(k) + "] = " + std::to_string(it[k]) + " is outside [1, vocab)");
        return nullptr;
      }
    adj = {off, it, P(aval), daval.present ? P(daval) : nullptr};
  }
  const double loss = rc::linear_ce({T, H, V, (float)ls}, P(h), P(W), bias.present ? P(bias) : nullptr, targets,
                                    dh.present ? P(dh) : nullptr, dW.present ? P(dW) : nullptr,
                                    dBias.present ? P(dBias) : nullptr, adj);
  napi_value r;
  napi_create_double(env, loss, &r);
  return r;
}

// scatterAdd(ids, grads, out[, dim]): out[ids[i], :] += grads[i, :]
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv, 3)) return nullptr;
  Arr ids;
  if (!get_arr(env, argv[0], napi_int32_array, 0, "ids", &ids)) return nullptr;
  F32(1, "grads", 0, grads); F32(2, "out", 0, out);
  const int64_t n = (int64_t)ids.length;
  int64_t dim;
  napi_valuetype vt;
  napi_typeof(env, argv[3], &vt);
  if (vt == napi_undefined) {
    if (n == 0) return nullptr;
    if (grads.length % (size_t)n != 0) { throw_range(env, "grads.length is not a multiple of ids.length"); return nullptr; }
    dim = (int64_t)(grads.length / (size_t)n);
  } else if (!get_int(env, argv[3], "dim", &dim, 1)) {
    return nullptr;
  }
  if (n == 0 || dim == 0) return nullptr;
  if (grads.length < (size_t)(n * dim)) { throw_range(env, "grads is shorter than ids.length * dim"); return nullptr; }
  if (out.length % (size_t)dim != 0) { throw_range(env, "out.length is not a multiple of dim"); return nullptr; }
  const int64_t vocab = (int64_t)(out.length / (size_t)dim);
  const int32_t* id = static_cast<const int32_t*>(ids.data);
  for (int64_t i = 0; i < n; i++)
    if (id[i] < 0 || id[i] >= vocab) {
      throw_range(env, "ids[" + std::to_string(i) + "] = " + std::to_string(id[i]) + " is outside [0, " + std::to_string(vocab) + ")");
      return nullptr;
    }
  rc::scatter_add(id, n, P(grads), dim, P(out), vocab);
  return nullptr;
}

// sgemm(transA, transB, M, N, K, alpha, A, B, beta, C[, lda, ldb, ldc, impl])
// Row-major; A is [M,K] ([K,M] when transA), B is [K,N] ([N,K] when transB), C is [M,N].
// impl: 0 = active BLAS, 1 = the portable fallback (for tests), both threaded.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!args(env, info, argv, 10)) return nullptr;
  bool ta, tb;
  if (!get_bool(env, argv[0], &ta) || !get_bool(env, argv[1], &tb)) return nullptr;
  INT(2, "M", M, 0); INT(3, "N", N, 0); INT(4, "K", K, 0);
  double alpha, beta;
  if (!get_num(env, argv[5], "alpha", &alpha) || !get_num(env, argv[8], "beta", &beta)) return nullptr;
  int64_t lda = ta ? M : K, ldb = tb ? K : N, ldc = N, impl = 0;
  napi_valuetype vt;
  napi_typeof(env, argv[10], &vt);
  if (vt != napi_undefined && vt != napi_null && !get_int(env, argv[10], "lda", &lda, 1)) return nullptr;
  napi_typeof(env, argv[11], &vt);
  if (vt != napi_undefined && vt != napi_null && !get_int(env, argv[11], "ldb", &ldb, 1)) return nullptr;
  napi_typeof(env, argv[12], &vt);
  if (vt != napi_undefined && vt != napi_null && !get_int(env, argv[12], "ldc", &ldc, 1)) return nullptr;
  napi_typeof(env, argv[13], &vt);
  if (vt != napi_undefined && vt != napi_null && !get_int(env, argv[13], "impl", &impl, 0)) return nullptr;
  const int64_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
  if (lda < std::max<int64_t>(ac, 1) || ldb < std::max<int64_t>(bc, 1) || ldc < std::max<int64_t>(N, 1)) {
    throw_range(env, "leading dimension too small");
    return nullptr;
  }
  const int64_t needA = ar == 0 ? 0 : (ar - 1) * lda + ac, needB = br == 0 ? 0 : (br - 1) * ldb + bc,
                needC = M == 0 ? 0 : (M - 1) * ldc + N;
  F32(6, "A", needA, A); F32(7, "B", needB, B); F32(9, "C", needC, C);
  if (impl == 1) {
    const rc::Blas prev = rc::active_blas();
    rc::set_blas(rc::Blas::Fallback);
    rc::gemm(ta, tb, M, N, K, (float)alpha, P(A), lda, P(B), ldb, (float)beta, P(C), ldc);
    rc::set_blas(prev);
  } else {
    rc::gemm(ta, tb, M, N, K, (float)alpha, P(A), lda, P(B), ldb, (float)beta, P(C), ldc);
  }
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  const char* blas = rc::active_blas() == rc::Blas::OpenBLAS ? "openblas" : "fallback";
  napi_create_string_utf8(env, blas, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "blas", v);
  napi_get_boolean(env, rc::have_openblas(), &v);
  napi_set_named_property(env, obj, "openblasLinked", v);
  napi_create_int32(env, rc::num_threads(), &v);
  napi_set_named_property(env, obj, "threads", v);
#ifdef _OPENMP
  napi_get_boolean(env, true, &v);
#else
  napi_get_boolean(env, false, &v);
#endif
  napi_set_named_property(env, obj, "openmp", v);
  const char* simd =
#if defined(__AVX512F__)
      "avx512";
#elif defined(__AVX2__)
      "avx2";
#elif defined(__ARM_NEON)
      "neon";
#else
      "scalar";
#endif
  napi_create_string_utf8(env, simd, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "simd", v);
  return obj;
}

// configure(threads, blas): threads <= 0 keeps the current count; blas "openblas" | "fallback" | "" (keep)
napi_value Configure(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, argv, 0)) return nullptr;
  napi_valuetype vt;
  napi_typeof(env, argv[0], &vt);
  if (vt == napi_number) {
    double n;
    napi_get_value_double(env, argv[0], &n);
    if (n >= 1) rc::set_num_threads((int)n);
  }
  napi_typeof(env, argv[1], &vt);
  if (vt == napi_string) {
    char buf[32];
    size_t len;
    napi_get_value_string_utf8(env, argv[1], buf, sizeof buf, &len);
    const std::string s(buf, len);
    if (s == "fallback") rc::set_blas(rc::Blas::Fallback);
    else if (s == "openblas") rc::set_blas(rc::Blas::OpenBLAS);
  }
  return Info(env, info);
}

// geluForward(x, y): y = 0.5 x (1 + erf(x / sqrt 2)); y at least as long as x.
napi_value GeluForward(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, argv, 2)) return nullptr;
  F32(0, "x", 0, x);
  F32(1, "y", x.length, y);
  rc::gelu_forward((int64_t)x.length, P(x), P(y));
  return nullptr;
}

// geluBackward(x, dy, dx): dx = dy * GELU'(x)
napi_value GeluBackward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv, 3)) return nullptr;
  F32(0, "x", 0, x);
  F32(1, "dy", x.length, dy);
  F32(2, "dx", x.length, dx);
  rc::gelu_backward((int64_t)x.length, P(x), P(dy), P(dx));
  return nullptr;
}

// dropoutMask(state Uint32Array(4), mask, keep, scale): the xoshiro128** stream, state updated in place.
napi_value DropoutMask(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv, 4)) return nullptr;
  bool is_ta = false;
  if (napi_is_typedarray(env, argv[0], &is_ta) != napi_ok || !is_ta) { throw_type(env, "state must be a Uint32Array(4)"); return nullptr; }
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &off) != napi_ok || type != napi_uint32_array || len < 4) {
    throw_type(env, "state must be a Uint32Array(4)");
    return nullptr;
  }
  F32(1, "mask", 0, mask);
  double keep, scale;
  if (!get_num(env, argv[2], "keep", &keep) || !get_num(env, argv[3], "scale", &scale)) return nullptr;
  rc::dropout_mask(static_cast<uint32_t*>(data), (int64_t)mask.length, keep * 4294967296.0, (float)scale, P(mask));
  return nullptr;
}

// layerNormForward(rows, n, x, gamma, beta, eps, y)
napi_value LayerNormForward(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv, 7)) return nullptr;
  INT(0, "rows", rows, 0); INT(1, "n", n, 1);
  F32(2, "x", rows * n, x); F32(3, "gamma", n, g); F32(4, "beta", n, b);
  double eps;
  if (!get_num(env, argv[5], "eps", &eps)) return nullptr;
  F32(6, "y", rows * n, y);
  rc::layernorm_forward(rows, n, P(x), P(g), P(b), (float)eps, P(y));
  return nullptr;
}

// layerNormBackward(rows, n, x, gamma, dy, eps, dx, dgamma, dbeta)
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!args(env, info, argv, 9)) return nullptr;
  INT(0, "rows", rows, 0); INT(1, "n", n, 1);
  F32(2, "x", rows * n, x); F32(3, "gamma", n, g); F32(4, "dy", rows * n, dy);
  double eps;
  if (!get_num(env, argv[5], "eps", &eps)) return nullptr;
  F32(6, "dx", rows * n, dx); F32(7, "dgamma", n, dg); F32(8, "dbeta", n, db);
  rc::layernorm_backward(rows, n, P(x), P(g), P(dy), (float)eps, P(dx), P(dg), P(db));
  return nullptr;
}

// siluGateForward(y, z, out): out = y * z * sigmoid(z)
napi_value SiluGateForward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, argv, 3)) return nullptr;
  F32(0, "y", 0, y); F32(1, "z", y.length, z); F32(2, "out", y.length, out);
  rc::silu_gate_forward((int64_t)y.length, P(y), P(z), P(out));
  return nullptr;
}

// siluGateBackward(y, z, g, dy, dz)
napi_value SiluGateBackward(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, argv, 5)) return nullptr;
  F32(0, "y", 0, y); F32(1, "z", y.length, z); F32(2, "g", y.length, g); F32(3, "dy", y.length, dy); F32(4, "dz", y.length, dz);
  rc::silu_gate_backward((int64_t)y.length, P(y), P(z), P(g), P(dy), P(dz));
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  rc::blas_init();
  struct { const char* name; napi_callback cb; } fns[] = {
      {"scanForward", ScanForward}, {"scanBackward", ScanBackward}, {"convForward", ConvForward},
      {"convBackward", ConvBackward}, {"linearCe", LinearCe},       {"scatterAdd", ScatterAdd},
      {"gruForward", GruForward},   {"gruBackward", GruBackward},
      {"poolForward", PoolForward}, {"poolBackward", PoolBackward},
      {"sgemm", Sgemm},             {"info", Info},                 {"configure", Configure},
      {"geluForward", GeluForward}, {"geluBackward", GeluBackward}, {"dropoutMask", DropoutMask},
      {"layerNormForward", LayerNormForward}, {"layerNormBackward", LayerNormBackward},
      {"siluGateForward", SiluGateForward},   {"siluGateBackward", SiluGateBackward},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

// native/src/gemm.cpp
// Batched row-major SGEMM through oneDNN's dnnl_sgemm (JIT kernels for the CPU it runs on), and
// x @ W^T (a Linear's forward) through oneDNN's matmul primitive (linearForward, below).
// Transposed operands arrive as flags with their leading dimension, never copied.
// P: [0] batch, [1] m, [2] n, [3] k, [4] transA, [5] transB, [6] lda, [7] ldb,
//    [8] aOff, [9] bOff, [10] cOff, [11] aBatchStride, [12] bBatchStride, [13] cBatchStride,
//    [14] epilogue (batch 1 only, #17): EPI_BIAS adds the row vector at PTR + 3 to every row of C,
//         EPI_RELU then takes max(c, 0): nn.Linear (+ ReLU) in one call, on C while it is in cache
// gemmPair: two batch-1 products, the first in [1..10] with addresses PTR + 0..2, the second in
//    PAIR_BASE + [1..10] with addresses PTR + 4..6.
#include <dnnl.h>
#include <omp.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>
#include "dnnl_ctx.h"
#include "kernels.h"
#include "signals.h"

namespace tsg {

// Small products: a plain loop beats dnnl_sgemm's dispatch (about 1 us) below this many FLOPs.
static constexpr int64_t TINY_FLOPS = 2 * 16 * 16 * 16;

static void naive(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                  const float* b, int64_t ldb, float* c) {
  for (int64_t i = 0; i < m; i++) {
    float* ci = c + i * n;
    for (int64_t j = 0; j < n; j++) ci[j] = 0.f;
    for (int64_t p = 0; p < k; p++) {
      float av = ta ? a[p * lda + i] : a[i * lda + p];
      const float* bp = tb ? nullptr : b + p * ldb;
      if (bp) {
        for (int64_t j = 0; j < n; j++) ci[j] += av * bp[j];
      } else {
        for (int64_t j = 0; j < n; j++) ci[j] += av * b[j * ldb + p];
      }
    }
  }
}

// Products below this many FLOPs run on one thread: at 128x128x128 splitting across two cores
// costs more than it saves (measured: 128 GFLOP/s with 2 threads, 179 with 1). Not when the
// operands are large, though: a matrix-vector product (batch-1 inference through a Linear,
// 1x6272 @ 6272x1000, 25 MB of weights) is bound by memory bandwidth, which two cores double
// (#17; measured 1.86 ms on one thread).
static constexpr int64_t SERIAL_FLOPS = 2LL * 192 * 192 * 192;
static constexpr int64_t SERIAL_BYTES = 1 << 20;

// x @ W^T with few rows and many outputs (a Linear layer's forward on a small batch) runs far
// below GEMM's peak in dnnl_sgemm; the same product transposed, W @ x^T, does not (#17, measured
// on 2 threads for x [m, 6272], W [1000, 6272]: m = 32: 6.3 -> 2.7 ms, 64: 7.7 -> 4.9 ms, 128:
// 12.5 -> 8.5 ms, m = 1: 0.76 -> 0.61 ms; for W [256, 784], m = 128 the swap loses, hence
// n >= 4m and a large W). C^T goes to a per-thread buffer, kept between calls, and is
// transposed into C.
static bool swapWins(bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  return !ta && tb && (m == 1 || m >= 16) && n >= 4 * m && n * k * (int64_t)sizeof(float) > SERIAL_BYTES;
}

static void transposeInto(const float* ct, int64_t n, int64_t m, float* c) {
  constexpr int64_t B = 32;
  for (int64_t j0 = 0; j0 < n; j0 += B)
    for (int64_t i0 = 0; i0 < m; i0 += B)
      for (int64_t j = j0; j < std::min(j0 + B, n); j++)
        for (int64_t i = i0; i < std::min(i0 + B, m); i++) c[i * n + j] = ct[j * m + i];
}

static void one(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                const float* b, int64_t ldb, float* c) {
  if (k == 0) {
    for (int64_t i = 0; i < m * n; i++) c[i] = 0.f;
    return;
  }
  if (2 * m * n * k <= TINY_FLOPS) return naive(ta, tb, m, n, k, a, lda, b, ldb, c);
  const int threads = omp_get_max_threads();
  if (threads > 1 && !omp_in_parallel() && 2 * m * n * k <= SERIAL_FLOPS &&
      (m * k + k * n + m * n) * (int64_t)sizeof(float) <= SERIAL_BYTES) {
    omp_set_num_threads(1);
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, n);
    omp_set_num_threads(threads);
    return;
  }
  if (!omp_in_parallel() && swapWins(ta, tb, m, n, k)) {
    static thread_local std::vector<float> ct;
    if ((int64_t)ct.size() < m * n) ct.resize(m * n);
    dnnl_sgemm(tb ? 'N' : 'T', ta ? 'N' : 'T', n, m, k, 1.f, b, ldb, a, lda, 0.f, ct.data(), m);
    transposeInto(ct.data(), n, m, c);
    return;
  }
  dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, n);
}

static void run(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a, int64_t lda,
                const float* b, int64_t ldb, float* c, int64_t sa, int64_t sb, int64_t sc);

constexpr int EPI_BIAS = 1, EPI_RELU = 2;

// x @ W^T (A row-major, B transposed: a Linear's forward) through oneDNN's matmul primitive, whose
// brgemm kernels run this layout well above dnnl_sgemm's (#17, measured here on 2 threads, fp32:
// [64,6272] @ [6272,1000]^T 4.7 ms against 7.3, [128,784] @ [784,256]^T 254 us against 313,
// [128,256] @ [256,256]^T 83 us against 105; the other layouts gain nothing, so they stay on
// dnnl_sgemm), with the bias as the primitive's own. The ReLU stays in epilogue(): oneDNN's ReLU
// post-op is max(x, 0), which turns NaN into 0 where torch.relu keeps it. Primitives are made once
// per shape, bias and thread count (oneDNN splits the work when it makes one) and cached; a shape
// oneDNN declines is remembered and runs on dnnl_sgemm.
struct LinearPrimitive {
  dnnl::matmul prim;
  dnnl::memory a, b, c, bias;
  bool ok = false;
};

static LinearPrimitive* linearPrimitive(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, bool bias) {
  using dnnl::memory;
  using Key = std::array<int64_t, 7>;
  static std::map<Key, std::unique_ptr<LinearPrimitive>> cache;
  static std::mutex mutex;
  const Key key{m, n, k, lda, ldb, bias, omp_get_max_threads()};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second->ok ? it->second.get() : nullptr;
  auto e = std::make_unique<LinearPrimitive>();
  try {
    const memory::desc ad({m, k}, memory::data_type::f32, memory::dims{lda, 1});
    const memory::desc bd({k, n}, memory::data_type::f32, memory::dims{1, ldb});
    const memory::desc cd({m, n}, memory::data_type::f32, memory::dims{n, 1});
    const memory::desc biasd({1, n}, memory::data_type::f32, memory::dims{n, 1});
    const auto desc = bias ? dnnl::matmul::desc(ad, bd, biasd, cd) : dnnl::matmul::desc(ad, bd, cd);
    e->prim = dnnl::matmul(dnnl::matmul::primitive_desc(desc, eng()));
    e->a = memory(ad, eng(), DNNL_MEMORY_NONE);
    e->b = memory(bd, eng(), DNNL_MEMORY_NONE);
    e->c = memory(cd, eng(), DNNL_MEMORY_NONE);
    e->bias = memory(biasd, eng(), DNNL_MEMORY_NONE);
    e->ok = true;
  } catch (const dnnl::error&) {
    // unimplemented for this shape or layout: dnnl_sgemm runs it
  }
  LinearPrimitive* r = e->ok ? e.get() : nullptr;
  cache.emplace(key, std::move(e));
  return r;
}

// C = A @ B^T (+ bias) through the primitive; false when it does not apply.
static bool linearForward(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                          float* c, const float* bias) {
  if (m < 16 || 2 * m * n * k <= SERIAL_FLOPS || omp_in_parallel()) return false;
  LinearPrimitive* e = linearPrimitive(m, n, k, lda, ldb, bias != nullptr);
  if (!e) return false;
  e->a.set_data_handle(const_cast<float*>(a));
  e->b.set_data_handle(const_cast<float*>(b));
  e->c.set_data_handle(c);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
  if (bias) {
    e->bias.set_data_handle(const_cast<float*>(bias));
    args.emplace(DNNL_ARG_BIAS, e->bias);
  }
  e->prim.execute(strm(), args);
  strm().wait();
  return true;
}

static void epilogue(float* c, int64_t m, int64_t n, const float* bias, bool relu) {
  parallelFor(m, m * n, [&](int64_t i) {
    float* ci = c + i * n;
    if (bias && relu) {
      for (int64_t j = 0; j < n; j++) { const float v = ci[j] + bias[j]; ci[j] = v < 0.f ? 0.f : v; }  // NaN stays
    } else if (bias) {
      for (int64_t j = 0; j < n; j++) ci[j] += bias[j];
    } else {
      for (int64_t j = 0; j < n; j++) ci[j] = ci[j] < 0.f ? 0.f : ci[j];
    }
  });
}

struct Product {
  int64_t m, n, k, lda, ldb;
  bool ta, tb;
  const float* a;
  const float* b;
  float* c;
};

// One product: P[base + 1..10] as laid out above (gemm reads its first at base 0), its addresses at
// PTR_BASE + ptr .. ptr + 2.
static Product productAt(int base, int ptr) {
  Product p;
  p.m = pi(base + 1); p.n = pi(base + 2); p.k = pi(base + 3);
  p.ta = P[base + 4] != 0; p.tb = P[base + 5] != 0;
  p.lda = pi(base + 6); p.ldb = pi(base + 7);
  const auto at = [&](int i) { return reinterpret_cast<float*>(static_cast<uintptr_t>(P[PTR_BASE + ptr + i])); };
  p.a = at(0) + pi(base + 8); p.b = at(1) + pi(base + 9); p.c = at(2) + pi(base + 10);
  return p;
}

void gemm() {
  const Product p = productAt(0, 0);
  const int64_t batch = pi(0), m = p.m, n = p.n, k = p.k, lda = p.lda, ldb = p.ldb;
  const bool ta = p.ta, tb = p.tb;
  const float* a = p.a;
  const float* b = p.b;
  float* c = p.c;
  const int64_t sa = pi(11), sb = pi(12), sc = pi(13);
  if (m == 0 || n == 0) return;
  const int64_t epi = batch == 1 ? pi(14) : 0;
  const float* bias = (epi & EPI_BIAS) ? reinterpret_cast<const float*>(static_cast<uintptr_t>(P[PTR_BASE + 3])) : nullptr;
  const bool relu = (epi & EPI_RELU) != 0;
  // oneDNN runs only when a product is above TINY_FLOPS; only then are signals held (signals.h).
  const bool usesDnnl = k > 0 && 2 * m * n * k > TINY_FLOPS;
  if (usesDnnl) {
    SignalGuard guard;
    if (batch == 1 && !ta && tb && linearForward(m, n, k, a, lda, b, ldb, c, bias)) {
      if (relu) epilogue(c, m, n, nullptr, true);
      return;
    }
    run(batch, m, n, k, ta, tb, a, lda, b, ldb, c, sa, sb, sc);
  } else {
    run(batch, m, n, k, ta, tb, a, lda, b, ldb, c, sa, sb, sc);
  }
  if (epi != 0) epilogue(c, m, n, bias, relu);
}

static void run(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a, int64_t lda,
                const float* b, int64_t ldb, float* c, int64_t sa, int64_t sb, int64_t sc) {
  // Many small products: one per thread (dnnl_sgemm runs single-threaded inside a parallel
  // region). Few large ones: one after another, each using every thread.
  const bool perThread = batch > 1 && m * n * k < 256 * 256 * 256;
  if (perThread && batch * m * n * k > PAR_MIN * 8) {
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t i = 0; i < batch; i++) one(ta, tb, m, n, k, a + i * sa, lda, b + i * sb, ldb, c + i * sc);
  } else {
    for (int64_t i = 0; i < batch; i++) one(ta, tb, m, n, k, a + i * sa, lda, b + i * sb, ldb, c + i * sc);
  }
}

// Two independent products of one Linear's backward (#17): g @ W and g^T @ x, equal in FLOPs. On
// small and medium products, two threads each running one product single-threaded beat both
// threads splitting each product in turn, and the workers are woken once instead of twice
// (measured: the MLP 784-256-256-10 step, batch 128, 2 threads, pair on and off alternating in
// one process, 8 runs: 3-14% faster in 7 of them, median 4%). Above PAIR_FLOPS (2 threads) or
// SERIAL_FLOPS (more threads, where each product would get only one of them) the products run
// one after the other, each on every thread.
static constexpr int64_t PAIR_FLOPS = 2LL * 384 * 384 * 384;

static void runProduct(const Product& p) {
  if (p.m == 0 || p.n == 0) return;
  one(p.ta, p.tb, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, p.c);
}

void gemmPair() {
  const Product first = productAt(0, 0), second = productAt(PAIR_BASE, 4);
  const int threads = omp_get_max_threads();
  const int64_t flops = std::max(2 * first.m * first.n * first.k, 2 * second.m * second.n * second.k);
  SignalGuard guard;  // oneDNN inside (signals.h); the workers block signals for good
  if (threads >= 2 && !omp_in_parallel() && flops <= (threads == 2 ? PAIR_FLOPS : SERIAL_FLOPS)) {
#pragma omp parallel num_threads(2)
    runProduct(omp_get_thread_num() == 0 ? first : second);
    return;
  }
  runProduct(first);
  runProduct(second);
}

void blockSignalsInWorkers() {
#pragma omp parallel
  if (omp_get_thread_num() != 0) pthread_sigmask(SIG_BLOCK, &asyncSignals(), nullptr);
}

const char* dnnlVersion() {
  static char buf[32];
  const dnnl_version_t* v = dnnl_version();
  snprintf(buf, sizeof buf, "%d.%d.%d", v->major, v->minor, v->patch);
  return buf;
}

}  // namespace tsg

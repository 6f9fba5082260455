// native/src/reduce.cpp
// Float32 reductions over a contiguous input seen as [A, C, B] (runtime/tensor/cpu/native.ts merges
// the input's dims into these groups): mode 0 reduces C (B == 1 is the last-axis case: rows),
// mode 1 reduces A and B (per-channel sums, as batch norm and conv bias grads need). Sums
// accumulate in double. Also row softmax / log-softmax over the last axis.
// Ops: ReduceOp (ops.h, generated); argmax/argmin: rows only, int32 out.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include "kernels.h"

extern "C" float expf(float) __attribute__((simd("notinbranch")));

namespace tsg {

static constexpr float INF = std::numeric_limits<float>::infinity();
static constexpr float QNAN = std::numeric_limits<float>::quiet_NaN();

static double rowSum(const float* x, int64_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

// max or min of a row; NaN wins, as in PyTorch.
static float rowExtreme(const float* x, int64_t n, bool isMax) {
  float m = isMax ? -INF : INF;
  bool nan = false;
  if (isMax) {
#pragma omp simd reduction(max : m) reduction(| : nan)
    for (int64_t i = 0; i < n; i++) { m = x[i] > m ? x[i] : m; nan |= x[i] != x[i]; }
  } else {
#pragma omp simd reduction(min : m) reduction(| : nan)
    for (int64_t i = 0; i < n; i++) { m = x[i] < m ? x[i] : m; nan |= x[i] != x[i]; }
  }
  return nan ? QNAN : m;
}

static int32_t rowArg(const float* x, int64_t n, bool isMax) {
  const float m = rowExtreme(x, n, isMax);
  for (int64_t i = 0; i < n; i++)
    if (x[i] == m || (m != m && x[i] != x[i])) return (int32_t)i;
  return 0;
}

// out[a, b] = reduce_c x[a, c, b]
static bool isArg(ReduceOp op) { return op == ReduceOp::ARGMAX || op == ReduceOp::ARGMIN; }

static void reduceMiddle(ReduceOp op, const float* x, void* outp, int64_t A, int64_t C, int64_t B) {
  float* out = (float*)outp;
  const bool sum = op == ReduceOp::SUM, isMax = op == ReduceOp::MAX || op == ReduceOp::ARGMAX;
  if (B == 1 && A == 1 && C > 4 * PAR_MIN && !isArg(op)) {
    // One long row (a full reduction): split it so that every thread gets a part.
    constexpr int64_t PARTS = 64;
    const int64_t len = (C + PARTS - 1) / PARTS;
    double part[PARTS];
    parallelFor(PARTS, C, [&](int64_t p) {
      const int64_t s = p * len, n = std::max<int64_t>(0, std::min(len, C - s));
      part[p] = sum ? rowSum(x + s, n) : n == 0 ? (isMax ? -INF : INF) : rowExtreme(x + s, n, isMax);
    });
    double acc = sum ? 0.0 : part[0];
    for (int64_t p = 0; p < PARTS; p++) {
      if (sum) acc += part[p];
      else if (part[p] != part[p] || acc != acc) acc = acc != acc ? acc : part[p];
      else acc = isMax ? std::max(acc, part[p]) : std::min(acc, part[p]);
    }
    out[0] = (float)acc;
    return;
  }
  if (B == 1) {
    parallelFor(A, A * C, [&](int64_t a) {
      const float* r = x + a * C;
      if (sum) out[a] = (float)rowSum(r, C);
      else if (!isArg(op)) out[a] = rowExtreme(r, C, isMax);
      else ((int32_t*)outp)[a] = rowArg(r, C, isMax);
    });
    return;
  }
  // Vectorise over b; split b into chunks so that a small A still feeds every thread.
  const int64_t CH = 1024;
  const int64_t nch = (B + CH - 1) / CH;
  parallelFor(A * nch, A * C * B, [&](int64_t it) {
    const int64_t a = it / nch, b0 = (it % nch) * CH, n = std::min(CH, B - b0);
    const float* base = x + a * C * B + b0;
    float* o = out + a * B + b0;
    if (sum) {
      double acc[CH];
      for (int64_t i = 0; i < n; i++) acc[i] = 0;
      for (int64_t c = 0; c < C; c++) {
        const float* r = base + c * B;
#pragma omp simd
        for (int64_t i = 0; i < n; i++) acc[i] += r[i];
      }
      for (int64_t i = 0; i < n; i++) o[i] = (float)acc[i];
    } else {
      for (int64_t i = 0; i < n; i++) o[i] = isMax ? -INF : INF;
      for (int64_t c = 0; c < C; c++) {
        const float* r = base + c * B;
        for (int64_t i = 0; i < n; i++) {
          const float v = r[i];
          if (o[i] != o[i]) continue;
          if (v != v || (isMax ? v > o[i] : v < o[i])) o[i] = v;
        }
      }
    }
  });
}

// out[c] = reduce_{a, b} x[a, c, b]
static void reduceOuterInner(ReduceOp op, const float* x, float* out, int64_t A, int64_t C, int64_t B) {
  const bool isMax = op == ReduceOp::MAX;
  parallelFor(C, A * C * B, [&](int64_t c) {
    if (op == ReduceOp::SUM) {
      double s = 0;
      for (int64_t a = 0; a < A; a++) s += rowSum(x + (a * C + c) * B, B);
      out[c] = (float)s;
    } else {
      float m = isMax ? -INF : INF;
      for (int64_t a = 0; a < A; a++) {
        const float v = rowExtreme(x + (a * C + c) * B, B, isMax);
        if (v != v) { m = v; break; }
        m = isMax ? std::max(m, v) : std::min(m, v);
      }
      out[c] = m;
    }
  });
}

// P: [0] A, [1] C, [2] B, [3] mode, [4] xOff
void reduce(ReduceOp op, const float* x, void* out) {
  // The kernels branch on sum / max-like / arg-like; this switch (-Werror=switch) makes a new native
  // reduction in the registry fail to compile until it is placed in one of those branches.
  switch (op) {
    case ReduceOp::SUM: case ReduceOp::MAX: case ReduceOp::MIN: case ReduceOp::ARGMAX: case ReduceOp::ARGMIN: break;
  }
  const int64_t A = pi(0), C = pi(1), B = pi(2);
  x += pi(4);
  if (pi(3) == 0) reduceMiddle(op, x, out, A, C, B);
  else reduceOuterInner(op, x, (float*)out, A, C, B);
}

// P: [0] rows, [1] row length, [2] xOff
void softmax(const float* x, float* out, bool log) {
  const int64_t R = pi(0), K = pi(1);
  x += pi(2);
  parallelFor(R, R * K, [&](int64_t r) {
    const float* xr = x + r * K;
    float* o = out + r * K;
    const float m = rowExtreme(xr, K, true);
    double s = 0;
    if (log) {
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < K; i++) s += expf(xr[i] - m);
      const float lse = m + (float)std::log(s);
#pragma omp simd
      for (int64_t i = 0; i < K; i++) o[i] = xr[i] - lse;
    } else {
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < K; i++) { o[i] = expf(xr[i] - m); s += o[i]; }
      const float inv = (float)(1.0 / s);
#pragma omp simd
      for (int64_t i = 0; i < K; i++) o[i] *= inv;
    }
  });
}

}  // namespace tsg

// native/src/optim.cpp
// Fused Adam / AdamW step: one pass over param, grad, m and v (the composed version makes about
// ten passes and allocates temporaries). Same update as torch.optim.Adam(W) with foreach=False.
// P: [0] n, [1] lr, [2] beta1, [3] beta2, [4] eps, [5] weightDecay, [6] step, [7] decoupled
#include <algorithm>
#include <cmath>
#include "kernels.h"

namespace tsg {

void adamStep(float* p, const float* g, float* m, float* v) {
  const int64_t n = pi(0);
  // Constants in double, then rounded once, as the reference computes them.
  const double lrd = P[1], b1d = P[2], b2d = P[3], wdd = P[5];
  const float b1 = (float)b1d, b2 = (float)b2d, eps = (float)P[4];
  const float c1 = (float)(1.0 - b1d), c2 = (float)(1.0 - b2d);
  const double step = P[6];
  const bool decoupled = P[7] != 0;
  const float bc2sqrt = (float)std::sqrt(1.0 - std::pow(b2d, step));
  const float stepSize = (float)(lrd / (1.0 - std::pow(b1d, step)));
  const float decay = (float)(decoupled ? 1.0 - lrd * wdd : 1.0);
  const float l2 = (float)(decoupled ? 0.0 : wdd);
  const int64_t CH = 8192;
  parallelFor((n + CH - 1) / CH, n, [&](int64_t c) {
  const int64_t end = std::min(n, (c + 1) * CH);
#pragma omp simd
  for (int64_t i = c * CH; i < end; i++) {
    const float gi = g[i] + l2 * p[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - stepSize * mi / (std::sqrt(vi) / bc2sqrt + eps);
  }
  });
}

}  // namespace tsg

// native/src/pool.cpp
// Max and average 2-d pooling over contiguous NCHW float32, forward and backward, one OpenMP work
// item per (n, c) plane (planes never overlap, so the backward scatters need no atomics).
// Semantics follow PyTorch's CPU kernels: max pool ignores padding, propagates NaN and returns
// the flat index h * W + w within the plane; avg pool divides by the window clipped to the padded
// input (count_include_pad) or by the in-bounds count.
// P: [0] N, [1] C, [2] H, [3] W, [4] OH, [5] OW, [6] kh, [7] kw, [8] sh, [9] sw, [10] ph, [11] pw,
//    [12] dh, [13] dw, [14] countIncludePad
#include <algorithm>
#include <cstring>
#include <limits>
#include "kernels.h"

namespace tsg {

struct PoolGeom {
  int64_t planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw;
  bool includePad;
};

static PoolGeom geom() {
  return {pi(0) * pi(1), pi(2), pi(3), pi(4), pi(5), pi(6), pi(7), pi(8), pi(9), pi(10), pi(11),
          pi(12), pi(13), P[14] != 0};
}

void maxPool2d(const float* x, float* out, int32_t* idx) {
  const PoolGeom g = geom();
  const int64_t inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  const bool simple2x2 = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 &&
                         g.dh == 1 && g.dw == 1 && g.OH * 2 <= g.H && g.OW * 2 <= g.W;
  parallelFor(g.planes, g.planes * inPlane, [&](int64_t p) {
    const float* xp = x + p * inPlane;
    float* op = out + p * outPlane;
    int32_t* ip = idx + p * outPlane;
    if (simple2x2) {
      for (int64_t oh = 0; oh < g.OH; oh++) {
        const float* r0 = xp + (2 * oh) * g.W;
        const float* r1 = r0 + g.W;
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t w = 2 * ow;
          float m = r0[w];
          int64_t mi = 2 * oh * g.W + w;
          if (r0[w + 1] > m || r0[w + 1] != r0[w + 1]) { if (m == m) { m = r0[w + 1]; mi = 2 * oh * g.W + w + 1; } }
          if (r1[w] > m || r1[w] != r1[w]) { if (m == m) { m = r1[w]; mi = (2 * oh + 1) * g.W + w; } }
          if (r1[w + 1] > m || r1[w + 1] != r1[w + 1]) { if (m == m) { m = r1[w + 1]; mi = (2 * oh + 1) * g.W + w + 1; } }
          op[oh * g.OW + ow] = m;
          ip[oh * g.OW + ow] = (int32_t)mi;
        }
      }
      return;
    }
    for (int64_t oh = 0; oh < g.OH; oh++) {
      int64_t hs = oh * g.sh - g.ph;
      const int64_t he = std::min(hs + (g.kh - 1) * g.dh + 1, g.H);
      while (hs < 0) hs += g.dh;
      for (int64_t ow = 0; ow < g.OW; ow++) {
        int64_t ws = ow * g.sw - g.pw;
        const int64_t we = std::min(ws + (g.kw - 1) * g.dw + 1, g.W);
        while (ws < 0) ws += g.dw;
        float m = -std::numeric_limits<float>::infinity();
        int64_t mi = hs * g.W + ws;
        for (int64_t h = hs; h < he; h += g.dh)
          for (int64_t w = ws; w < we; w += g.dw) {
            const float v = xp[h * g.W + w];
            if ((v > m || v != v) && m == m) { m = v; mi = h * g.W + w; }
          }
        op[oh * g.OW + ow] = m;
        ip[oh * g.OW + ow] = (int32_t)mi;
      }
    }
  });
}

void maxPool2dBackward(const float* gy, const int32_t* idx, float* gx) {
  const PoolGeom g = geom();
  const int64_t inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  parallelFor(g.planes, g.planes * inPlane, [&](int64_t p) {
    float* gp = gx + p * inPlane;
    std::memset(gp, 0, sizeof(float) * inPlane);
    const float* gyp = gy + p * outPlane;
    const int32_t* ip = idx + p * outPlane;
    for (int64_t o = 0; o < outPlane; o++) gp[ip[o]] += gyp[o];
  });
}

// Window [hs, he) x [ws, we) clipped to the input, and its divisor.
template <class F>
static void avgWindows(const PoolGeom& g, F f) {
  for (int64_t oh = 0; oh < g.OH; oh++) {
    int64_t hs = oh * g.sh - g.ph;
    int64_t he = std::min(hs + g.kh, g.H + g.ph);
    const int64_t hpad = he - hs;
    hs = std::max<int64_t>(hs, 0);
    he = std::min(he, g.H);
    for (int64_t ow = 0; ow < g.OW; ow++) {
      int64_t ws = ow * g.sw - g.pw;
      int64_t we = std::min(ws + g.kw, g.W + g.pw);
      const int64_t wpad = we - ws;
      ws = std::max<int64_t>(ws, 0);
      we = std::min(we, g.W);
      const int64_t div = g.includePad ? hpad * wpad : (he - hs) * (we - ws);
      f(oh * g.OW + ow, hs, he, ws, we, div);
    }
  }
}

void avgPool2d(const float* x, float* out) {
  const PoolGeom g = geom();
  const int64_t inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  parallelFor(g.planes, g.planes * inPlane, [&](int64_t p) {
    const float* xp = x + p * inPlane;
    float* op = out + p * outPlane;
    avgWindows(g, [&](int64_t o, int64_t hs, int64_t he, int64_t ws, int64_t we, int64_t div) {
      float s = 0;
      for (int64_t h = hs; h < he; h++)
        for (int64_t w = ws; w < we; w++) s += xp[h * g.W + w];
      op[o] = s / (float)div;
    });
  });
}

void avgPool2dBackward(const float* gy, float* gx) {
  const PoolGeom g = geom();
  const int64_t inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  parallelFor(g.planes, g.planes * inPlane, [&](int64_t p) {
    float* gp = gx + p * inPlane;
    std::memset(gp, 0, sizeof(float) * inPlane);
    const float* gyp = gy + p * outPlane;
    avgWindows(g, [&](int64_t o, int64_t hs, int64_t he, int64_t ws, int64_t we, int64_t div) {
      const float v = gyp[o] / (float)div;
      for (int64_t h = hs; h < he; h++)
        for (int64_t w = ws; w < we; w++) gp[h * g.W + w] += v;
    });
  });
}

}  // namespace tsg

// native/src/pool.cpp
// Max and average 2-d pooling over contiguous NCHW float32, forward and backward, one OpenMP work
// item per (n, c) plane (planes never overlap, so the backward scatters need no atomics).
// Semantics follow PyTorch's CPU kernels: max pool ignores padding, propagates NaN and returns
// the flat index h * W + w within the plane; avg pool divides by the window clipped to the padded
// input (count_include_pad) or by the in-bounds count.
// Max pooling also runs on nChw16c arrays (conv.cpp's blocked activations, #17) for 2x2 windows
// of stride 2: values and indices come out in the same blocked layout, each index still the flat
// h * W + w within its (n, c) plane; unblock16 turns any such array back into NCHW.
// P: [0] N, [1] C, [2] H, [3] W, [4] OH, [5] OW, [6] kh, [7] kw, [8] sh, [9] sw, [10] ph, [11] pw,
//    [12] dh, [13] dw, [14] countIncludePad, [15] max pool only: the arrays are nChw16c
#include <algorithm>
#include <cstring>
#include <limits>
#ifdef __AVX512F__
#include <immintrin.h>
#endif
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

// One output row of a 2x2, stride-2 max pool: rows r0 and r1 of the input, `n` windows, the
// first at flat index i0. A window takes the next value when it is greater or NaN, unless its
// maximum is NaN already (PyTorch's rule), in the order r0[w], r0[w+1], r1[w], r1[w+1].
// Written without branches: on ReLU outputs (half zeros, in random order) a branching loop
// mispredicts about every other window, and GCC turns the plain selects back into branches
// (#17: 9.5 ms for a 64x64x28x28 input on one thread, 12 ns a window).
static void max2x2Row(const float* r0, const float* r1, int64_t n, int32_t i0, int32_t W, float* o, int32_t* oi) {
  int64_t ow = 0;
#ifdef __AVX512F__
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (; ow < n; ow += 16) {
    const int64_t k = std::min<int64_t>(16, n - ow);  // windows in this block; 2k inputs per row
    const __mmask16 lo = k >= 8 ? (__mmask16)0xFFFF : (__mmask16)((1u << (2 * k)) - 1);
    const __mmask16 hi = k > 8 ? (__mmask16)((1u << (2 * (k - 8))) - 1) : (__mmask16)0;
    const float* a = r0 + 2 * ow;
    const float* b = r1 + 2 * ow;
    const __m512 a0 = _mm512_maskz_loadu_ps(lo, a), a1 = _mm512_maskz_loadu_ps(hi, a + 16);
    const __m512 b0 = _mm512_maskz_loadu_ps(lo, b), b1 = _mm512_maskz_loadu_ps(hi, b + 16);
    const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(i0 + 2 * (int32_t)ow), even);
    __m512 m = _mm512_permutex2var_ps(a0, even, a1);
    __m512i mi = base;
    auto take = [&](__m512 v, int32_t off) {
      const __mmask16 t = _mm512_cmp_ps_mask(v, m, _CMP_NLE_UQ) & _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
      m = _mm512_mask_blend_ps(t, m, v);
      mi = _mm512_mask_blend_epi32(t, mi, _mm512_add_epi32(base, _mm512_set1_epi32(off)));
    };
    take(_mm512_permutex2var_ps(a0, odd, a1), 1);
    take(_mm512_permutex2var_ps(b0, even, b1), W);
    take(_mm512_permutex2var_ps(b0, odd, b1), W + 1);
    const __mmask16 out = (__mmask16)((1u << k) - 1);
    _mm512_mask_storeu_ps(o + ow, out, m);
    _mm512_mask_storeu_epi32(oi + ow, out, mi);
  }
#endif
  for (; ow < n; ow++) {
    const int32_t i = i0 + 2 * (int32_t)ow;
    const float c[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
    const int32_t ci[4] = {i, i + 1, i + W, i + W + 1};
    float m = c[0];
    int32_t mi = ci[0];
    for (int j = 1; j < 4; j++)
      if ((c[j] > m || c[j] != c[j]) && m == m) { m = c[j]; mi = ci[j]; }
    o[ow] = m;
    oi[ow] = mi;
  }
}

// 2x2 stride-2 max pool over nChw16c: the 16 channels of a block are one vector.
static void maxPool2dBlocked(const PoolGeom& g, const float* x, float* out, int32_t* idx) {
  const int64_t inBlock = g.H * g.W * 16, outBlock = g.OH * g.OW * 16;
  parallelFor(g.planes / 16, g.planes * g.H * g.W, [&](int64_t p) {
    const float* xp = x + p * inBlock;
    float* op = out + p * outBlock;
    int32_t* ip = idx + p * outBlock;
    for (int64_t oh = 0; oh < g.OH; oh++)
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int32_t i0 = (int32_t)(2 * oh * g.W + 2 * ow), W = (int32_t)g.W;
        const float* c[4] = {xp + (2 * oh * g.W + 2 * ow) * 16, xp + (2 * oh * g.W + 2 * ow + 1) * 16,
                             xp + ((2 * oh + 1) * g.W + 2 * ow) * 16, xp + ((2 * oh + 1) * g.W + 2 * ow + 1) * 16};
        const int32_t ci[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
        float* o = op + (oh * g.OW + ow) * 16;
        int32_t* oi = ip + (oh * g.OW + ow) * 16;
#ifdef __AVX512F__
        __m512 m = _mm512_loadu_ps(c[0]);
        __m512i mi = _mm512_set1_epi32(ci[0]);
        for (int j = 1; j < 4; j++) {
          const __m512 v = _mm512_loadu_ps(c[j]);
          const __mmask16 t = _mm512_cmp_ps_mask(v, m, _CMP_NLE_UQ) & _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
          m = _mm512_mask_blend_ps(t, m, v);
          mi = _mm512_mask_blend_epi32(t, mi, _mm512_set1_epi32(ci[j]));
        }
        _mm512_storeu_ps(o, m);
        _mm512_storeu_si512(oi, mi);
#else
        for (int l = 0; l < 16; l++) {
          float m = c[0][l];
          int32_t mi = ci[0];
          for (int j = 1; j < 4; j++)
            if ((c[j][l] > m || c[j][l] != c[j][l]) && m == m) { m = c[j][l]; mi = ci[j]; }
          o[l] = m;
          oi[l] = mi;
        }
#endif
      }
  });
}

void maxPool2d(const float* x, float* out, int32_t* idx) {
  const PoolGeom g = geom();
  if (P[15] != 0) return maxPool2dBlocked(g, x, out, idx);
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
        max2x2Row(r0, r0 + g.W, g.OW, (int32_t)(2 * oh * g.W), (int32_t)g.W, op + oh * g.OW, ip + oh * g.OW);
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
  if (P[15] != 0) {
    // nChw16c indices come only from maxPool2dBlocked, so the windows are 2x2 with stride 2 and
    // never overlap: each input position gets its window's gradient where it was the maximum,
    // else 0 (one store per position, no zeroing pass, no scatter); positions in no window (an
    // odd last row or column) get 0.
    parallelFor(g.planes / 16, g.planes * inPlane, [&](int64_t p) {
      float* gp = gx + p * inPlane * 16;
      const float* gyp = gy + p * outPlane * 16;
      const int32_t* ip = idx + p * outPlane * 16;
      for (int64_t oh = 0; oh < g.OH; oh++)
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t o = (oh * g.OW + ow) * 16, h = 2 * oh, w = 2 * ow;
          const int64_t pos[4] = {h * g.W + w, h * g.W + w + 1, (h + 1) * g.W + w, (h + 1) * g.W + w + 1};
#ifdef __AVX512F__
          const __m512 v = _mm512_loadu_ps(gyp + o);
          const __m512i iv = _mm512_loadu_si512(ip + o);
          for (int j = 0; j < 4; j++) {
            const __mmask16 hit = _mm512_cmpeq_epi32_mask(iv, _mm512_set1_epi32((int32_t)pos[j]));
            _mm512_storeu_ps(gp + pos[j] * 16, _mm512_maskz_mov_ps(hit, v));
          }
#else
          for (int j = 0; j < 4; j++)
            for (int l = 0; l < 16; l++) gp[pos[j] * 16 + l] = ip[o + l] == pos[j] ? gyp[o + l] : 0.f;
#endif
        }
      for (int64_t h = 0; h < g.H; h++)
        for (int64_t w = 0; w < g.W; w++)
          if (h >= 2 * g.OH || w >= 2 * g.OW) std::memset(gp + (h * g.W + w) * 16, 0, 16 * sizeof(float));
    });
    return;
  }
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

// nChw16c <-> NCHW for any 4-byte element (float values, int32 indices), dims N, C (a multiple
// of 16), H, W. To NCHW: what a blocked storage becomes when anything but the blocked-aware
// kernels reads it; to nChw16c: a small gradient meeting blocked pooling indices.
void relayout16(const uint32_t* src, uint32_t* dst, int64_t N, int64_t C, int64_t H, int64_t W, bool toBlocked) {
  const int64_t hw = H * W;
  parallelFor(N * C / 16, N * C * hw, [&](int64_t p) {
    // channel block p: hw * 16 elements at p * hw * 16 in nChw16c, planes 16p .. 16p + 15 in NCHW
    const int64_t base = p * hw * 16;
    for (int64_t i = 0; i < hw; i++)
      for (int l = 0; l < 16; l++) {
        if (toBlocked) dst[base + i * 16 + l] = src[base + l * hw + i];
        else dst[base + l * hw + i] = src[base + i * 16 + l];
      }
  });
}

}  // namespace tsg

// native/src/conv.cpp
// 2-d convolution (groups = 1) forward and both gradients plus the bias gradient, through oneDNN
// primitives (the library PyTorch's CPU convolution uses). Primitives are created once per shape
// and cached: creating one costs milliseconds. The primitives pick their own (blocked) layouts;
// the engine's NCHW/OIHW arrays are wrapped zero-copy and reordered in and out where the chosen
// layout differs, with cached reorder primitives.
// Blocked activations (#17): an array may arrive in oneDNN's nChw16c layout (the layout these
// primitives pick for 16k channels) instead of NCHW, and an output may be left in it, so that a
// conv -> relu -> pool -> conv chain reorders nothing in between; runtime/tensor/cpu/native.ts
// marks such storages and turns them back to NCHW when anything else reads them.
// P: [0] N, [1] C, [2] H, [3] W, [4] O, [5] kh, [6] kw, [7] OH, [8] OW, [9] sh, [10] sw,
//    [11] ph, [12] pw, [13] dh, [14] dw, [15] has bias,
//    [16] in: BLK_X (x is nChw16c) | BLK_GY (gy is) | BLK_OUT_OK (the output may be left blocked);
//         out: BLK_OUT when the output (y, or gx) was written in nChw16c,
//    [17] forward only: apply ReLU to the output as a post-op (conv + bias + ReLU in one pass),
//    [18] in: WINO_ALLOW (Winograd may run, below); out: the WINO_* passes that ran Winograd
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include <oneapi/dnnl/dnnl.hpp>
#include "dnnl_ctx.h"
#include "kernels.h"

namespace tsg {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

// nChw16c for a 4-d NCHW desc whose channels fill whole blocks (no padding: same size as NCHW).
static memory::desc blocked16(const memory::desc& plain) {
  const memory::dims d = plain.dims();
  if (d.size() != 4 || d[1] % 16 != 0) return memory::desc();
  return memory::desc(d, dt::f32, tag::nChw16c);
}

// A tensor as the caller holds it (plain layout over its pointer) and, when the primitive wants
// another layout, a library-owned copy in that layout with the reorders between them. An array
// already in nChw16c goes to the primitive as it is when that is the layout it wants (direct),
// else through a reorder made on first use.
struct Port {
  memory user, inner, direct, blockedUser;
  reorder toInner, toUser, fromBlocked;
  bool reordered = false, takesBlocked = false, hasFromBlocked = false;
  memory::desc blockedMd;

  void init(const memory::desc& userMd, const memory::desc& want, bool isInput) {
    user = memory(userMd, eng(), DNNL_MEMORY_NONE);
    if (want != userMd) {
      reordered = true;
      inner = memory(want, eng());
      if (isInput) toInner = reorder(user, inner);
      else toUser = reorder(inner, user);
    } else {
      inner = user;
    }
    blockedMd = blocked16(userMd);
    takesBlocked = blockedMd != memory::desc() && want == blockedMd;
    if (takesBlocked) direct = memory(want, eng(), DNNL_MEMORY_NONE);
  }
  memory& in(const void* p, bool blocked = false) {
    if (blocked) {
      if (takesBlocked) {
        direct.set_data_handle(const_cast<void*>(p));
        return direct;
      }
      if (!hasFromBlocked) {
        blockedUser = memory(blockedMd, eng(), DNNL_MEMORY_NONE);
        if (!reordered) inner = memory(user.get_desc(), eng());  // a copy: never write the caller's
        fromBlocked = reorder(blockedUser, inner);
        hasFromBlocked = true;
      }
      blockedUser.set_data_handle(const_cast<void*>(p));
      fromBlocked.execute(strm(), blockedUser, inner);
      return inner;
    }
    user.set_data_handle(const_cast<void*>(p));
    if (reordered) toInner.execute(strm(), user, inner);
    return hasFromBlocked && !reordered ? user : inner;
  }
  // The primitive's output memory over p: p itself in nChw16c when `blockedOk` and the primitive
  // wants that layout (then *wroteBlocked is set and flush() has nothing to do).
  bool lastDirect = false;
  memory& out(void* p, bool blockedOk = false) {
    lastDirect = blockedOk && takesBlocked;
    if (lastDirect) {
      direct.set_data_handle(p);
      return direct;
    }
    user.set_data_handle(p);
    return inner;
  }
  void flush() {
    if (reordered && !lastDirect) toUser.execute(strm(), inner, user);
  }
};

constexpr int BLK_X = 1, BLK_GY = 2, BLK_OUT_OK = 4, BLK_OUT = 1;
static int blockFlags() { return (int)P[16]; }
static void reportBlocked(bool outBlocked) { const_cast<double*>(P)[16] = outBlocked ? BLK_OUT : 0; }

// Winograd F(4x4, 3x3) (#17): oneDNN's jit_wino_4x3 kernels (AVX-512) for the 3x3, stride-1,
// undilated convolutions with 16k channels in and out and enough of a batch (entry()), forward and
// both gradients. It does 2.25x fewer multiplications than the direct kernel; measured here for
// the MNIST CNN's second convolution ([64,64,14,14] -> 128 channels, 2 threads, oneDNN alone):
// forward 7.9 -> 4.7 ms, data gradient 8.7 -> 5.2 ms, weight gradient 9.8 -> 5.3 ms. Its
// transforms add and subtract neighbouring values (up to ~1e4 times an input's magnitude in
// between), so a pass runs it only when every value it reads is finite and below 2^50 in
// magnitude: an infinity would turn a whole 4x4 tile into NaN, where the direct convolution gives
// inf in one place. Otherwise, and when oneDNN declines the shape, the pass runs the direct
// kernel. Its rounding differs from the direct kernel's by a few ulps of the tile's largest term
// (TSGRAD_CONV_WINOGRAD=0 turns it off).
constexpr int WINO_ALLOW = 1;                                 // P[18] in
constexpr int WINO_FWD = 1, WINO_BWD_DATA = 2, WINO_BWD_WEIGHTS = 4;  // P[18] out

// 0 when every value of p[0, n) is finite and below 2^50 in magnitude, 1 when all are finite,
// 2 when some is an infinity or a NaN (all exponent bits set).
static int magnitude(const float* p, int64_t n) {
  uint32_t top = 0;
#pragma omp parallel for simd reduction(max : top) if (n > PAR_MIN * 8)
  for (int64_t i = 0; i < n; i++) {
    uint32_t u;
    std::memcpy(&u, p + i, sizeof u);
    top = std::max(top, (u >> 23) & 0xffu);
  }
  return top == 0xffu ? 2 : top >= 127u + 50u ? 1 : 0;
}

// The primitives of one algorithm, each made on first use. For Winograd, a primitive oneDNN
// declines is remembered (state -1) and that pass runs the direct one.
struct Algo {
  int fwdState = 0, reluState = 0, dataState = 0, weightsState = 0;  // 0 not made, 1 made, -1 declined
  convolution_forward::primitive_desc fwdPd;  // also the hint the gradients' primitives need
  convolution_forward fwd;
  Port fSrc, fWei, fDst;
  // The forward with ReLU as a post-op: its own ports, since the layouts a primitive picks may
  // differ with its attributes.
  convolution_forward fwdRelu;
  Port rSrc, rWei, rDst;
  convolution_backward_data bwdData;
  Port dDiffDst, dWei, dDiffSrc;
  convolution_backward_weights bwdWeights;
  Port wSrc, wDiffDst, wDiffWei;
};

struct ConvEntry {
  memory::desc src, wei, bias, dst;
  memory::dims strides, dil, padL, padR;
  Algo direct, wino;
  memory fBias, wDiffBias;
  std::vector<float> zeroBias;  // for a convolution without bias, kept: no allocation per call
  std::vector<float> scratchW, scratchB;  // when the caller wants only one of gw / gb
};

static algorithm algOf(const ConvEntry& e, const Algo& a) {
  return &a == &e.wino ? algorithm::convolution_winograd : algorithm::convolution_direct;
}

static memory::desc anyOf(const memory::desc& d) { return memory::desc(d.dims(), dt::f32, tag::any); }

static convolution_forward::desc forwardDesc(const ConvEntry& e, const Algo& a) {
  return convolution_forward::desc(prop_kind::forward_training, algOf(e, a), anyOf(e.src), anyOf(e.wei), e.bias,
                                   anyOf(e.dst), e.strides, e.dil, e.padL, e.padR);
}

// Makes one primitive of `a` on first use (make() sets it up): true when it exists. The direct
// algorithm's errors propagate (the addon reports them); Winograd's mean oneDNN declines the shape.
template <class Make>
static bool ready(const ConvEntry& e, const Algo& a, int& state, Make make) {
  if (state == 0) {
    try {
      make();
      state = 1;
    } catch (const dnnl::error&) {
      if (&a != &e.wino) throw;
      state = -1;
    }
  }
  return state == 1;
}

static bool forwardReady(ConvEntry& e, Algo& a) {
  return ready(e, a, a.fwdState, [&] {
    a.fwdPd = convolution_forward::primitive_desc(forwardDesc(e, a), eng());
    a.fwd = convolution_forward(a.fwdPd);
    a.fSrc.init(e.src, a.fwdPd.src_desc(), true);
    a.fWei.init(e.wei, a.fwdPd.weights_desc(), true);
    a.fDst.init(e.dst, a.fwdPd.dst_desc(), false);
  });
}

static bool reluReady(ConvEntry& e, Algo& a) {
  return forwardReady(e, a) && ready(e, a, a.reluState, [&] {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    primitive_attr attr;
    attr.set_post_ops(ops);
    convolution_forward::primitive_desc pd(forwardDesc(e, a), attr, eng());
    a.fwdRelu = convolution_forward(pd);
    a.rSrc.init(e.src, pd.src_desc(), true);
    a.rWei.init(e.wei, pd.weights_desc(), true);
    a.rDst.init(e.dst, pd.dst_desc(), false);
  });
}

static bool dataReady(ConvEntry& e, Algo& a) {
  return forwardReady(e, a) && ready(e, a, a.dataState, [&] {
    convolution_backward_data::desc bd(algOf(e, a), anyOf(e.src), anyOf(e.wei), anyOf(e.dst), e.strides, e.dil,
                                       e.padL, e.padR);
    convolution_backward_data::primitive_desc pd(bd, eng(), a.fwdPd);
    a.bwdData = convolution_backward_data(pd);
    a.dDiffDst.init(e.dst, pd.diff_dst_desc(), true);
    a.dWei.init(e.wei, pd.weights_desc(), true);
    a.dDiffSrc.init(e.src, pd.diff_src_desc(), false);
  });
}

static bool weightsReady(ConvEntry& e, Algo& a) {
  return forwardReady(e, a) && ready(e, a, a.weightsState, [&] {
    convolution_backward_weights::desc bd(algOf(e, a), anyOf(e.src), anyOf(e.wei), e.bias, anyOf(e.dst), e.strides,
                                          e.dil, e.padL, e.padR);
    convolution_backward_weights::primitive_desc pd(bd, eng(), a.fwdPd);
    a.bwdWeights = convolution_backward_weights(pd);
    a.wSrc.init(e.src, pd.src_desc(), true);
    a.wDiffDst.init(e.dst, pd.diff_dst_desc(), true);
    a.wDiffWei.init(e.wei, pd.diff_weights_desc(), false);
  });
}

using Key = std::array<int64_t, 16>;
static std::map<Key, std::unique_ptr<ConvEntry>> cache;
static std::mutex cacheMutex;

static ConvEntry& entry() {
  Key key;
  for (int i = 0; i < 16; i++) key[i] = pi(i);
  // Slot 15 (bias or not) does not change the primitives (forward always has a bias md); the
  // thread count does: oneDNN sizes its work split when a primitive is created.
  key[15] = omp_get_max_threads();
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto e = std::make_unique<ConvEntry>();
  const int64_t N = pi(0), C = pi(1), H = pi(2), W = pi(3), O = pi(4), kh = pi(5), kw = pi(6);
  const int64_t OH = pi(7), OW = pi(8);
  e->src = memory::desc({N, C, H, W}, dt::f32, tag::nchw);
  e->wei = memory::desc({O, C, kh, kw}, dt::f32, tag::oihw);
  e->bias = memory::desc({O}, dt::f32, tag::x);
  e->dst = memory::desc({N, O, OH, OW}, dt::f32, tag::nchw);
  e->strides = {pi(9), pi(10)};
  e->dil = {pi(13) - 1, pi(14) - 1};
  e->padL = {pi(11), pi(12)};
  // Right padding that makes oneDNN's output size equal the requested one (PyTorch floors).
  e->padR = {(OH - 1) * pi(9) + (kh - 1) * pi(13) + 1 - H - pi(11),
             (OW - 1) * pi(10) + (kw - 1) * pi(14) + 1 - W - pi(12)};
  forwardReady(*e, e->direct);
  // Winograd is tried only where it wins (measured on 2 threads): 3x3, stride 1, no dilation,
  // whole 16-channel blocks in and out (with 3 input channels, the MNIST CNN's first convolution,
  // oneDNN runs it but 3.8x slower), and 64 or more 4x4 output tiles (at 16, a batch of one
  // through the CNN's second convolution, it is 20% slower; at 64 level; at 128, 1.7x faster).
  const int64_t tiles = N * ((OH + 3) / 4) * ((OW + 3) / 4);
  const bool winoShape = kh == 3 && kw == 3 && pi(9) == 1 && pi(10) == 1 && pi(13) == 1 && pi(14) == 1 &&
                         C % 16 == 0 && O % 16 == 0 && tiles >= 64;
  if (!winoShape) e->wino.fwdState = e->wino.reluState = e->wino.dataState = e->wino.weightsState = -1;
  e->fBias = memory(e->bias, eng(), DNNL_MEMORY_NONE);
  e->wDiffBias = memory(e->bias, eng(), DNNL_MEMORY_NONE);
  auto& ref = *e;
  cache.emplace(key, std::move(e));
  return ref;
}

static bool winoAllowed() { return ((int)P[18] & WINO_ALLOW) != 0; }

void conv2d(const float* x, const float* w, const float* bias, float* out) {
  ConvEntry& e = entry();
  if (!bias) {
    e.zeroBias.assign(pi(4), 0.f);
    bias = e.zeroBias.data();
  }
  const int f = blockFlags();
  // oneDNN's ReLU post-op is max(x, 0), which turns NaN into 0 where torch.relu keeps it. An
  // infinity or NaN among the inputs is what makes a NaN output (inf * 0, inf - inf), so then the
  // convolution runs without the post-op and the ReLU below keeps NaN. The scan reads x once
  // (3 MB for the MNIST CNN's second convolution: ~0.1 ms against its 5 ms); Winograd needs it too.
  const bool wantRelu = P[17] != 0;
  const bool tryWino = winoAllowed() && e.wino.fwdState >= 0;
  const int64_t N = pi(0), C = pi(1), H = pi(2), W = pi(3), O = pi(4), kh = pi(5), kw = pi(6);
  const int mag = wantRelu || tryWino
      ? std::max({magnitude(x, N * C * H * W), magnitude(w, O * C * kh * kw), magnitude(bias, O)}) : 0;
  const bool relu = wantRelu && mag < 2;
  const bool wino = tryWino && mag == 0 && (relu ? reluReady(e, e.wino) : forwardReady(e, e.wino));
  Algo& a = wino ? e.wino : e.direct;
  if (relu) reluReady(e, a);
  Port &src = relu ? a.rSrc : a.fSrc, &wei = relu ? a.rWei : a.fWei, &dst = relu ? a.rDst : a.fDst;
  e.fBias.set_data_handle(const_cast<float*>(bias));
  (relu ? a.fwdRelu : a.fwd).execute(strm(), {{DNNL_ARG_SRC, src.in(x, f & BLK_X)},
                                              {DNNL_ARG_WEIGHTS, wei.in(w)},
                                              {DNNL_ARG_BIAS, e.fBias},
                                              {DNNL_ARG_DST, dst.out(out, f & BLK_OUT_OK)}});
  dst.flush();
  strm().wait();
  reportBlocked(dst.lastDirect);
  const_cast<double*>(P)[18] = wino ? WINO_FWD : 0;
  if (wantRelu && !relu) {
    // Every element of the output, in whichever layout it was written (nChw16c has no padding here).
    const int64_t n = N * O * pi(7) * pi(8);
    parallelFor((n + 8191) / 8192, n, [&](int64_t c) {
      for (int64_t i = c * 8192; i < std::min(n, (c + 1) * 8192); i++) out[i] = out[i] < 0.f ? 0.f : out[i];
    });
  }
}

void conv2dBackward(const float* x, const float* w, const float* gy, float* gx, float* gw, float* gb) {
  ConvEntry& e = entry();
  const int f = blockFlags();
  const bool xBlocked = f & BLK_X, gyBlocked = f & BLK_GY;
  const int64_t N = pi(0), C = pi(1), H = pi(2), W = pi(3), O = pi(4), kh = pi(5), kw = pi(6);
  // Winograd for a pass whose inputs are all tame (magnitude 0); each scanned once, when needed.
  const bool tryData = gx && winoAllowed() && e.wino.dataState >= 0;
  const bool tryWeights = (gw || gb) && winoAllowed() && e.wino.weightsState >= 0;
  const int gyMag = tryData || tryWeights ? magnitude(gy, N * O * pi(7) * pi(8)) : 2;
  const bool dataWino = tryData && gyMag == 0 && magnitude(w, O * C * kh * kw) == 0 && dataReady(e, e.wino);
  const bool weightsWino = tryWeights && gyMag == 0 && magnitude(x, N * C * H * W) == 0 && weightsReady(e, e.wino);
  bool gxBlocked = false;
  Port* gyReordered = nullptr;  // the data gradient's copy of gy in a primitive's layout
  if (gx) {
    Algo& a = dataWino ? e.wino : e.direct;
    dataReady(e, a);
    a.bwdData.execute(strm(), {{DNNL_ARG_DIFF_DST, a.dDiffDst.in(gy, gyBlocked)},
                               {DNNL_ARG_WEIGHTS, a.dWei.in(w)},
                               {DNNL_ARG_DIFF_SRC, a.dDiffSrc.out(gx, f & BLK_OUT_OK)}});
    a.dDiffSrc.flush();
    gxBlocked = a.dDiffSrc.lastDirect;
    if (!gyBlocked && a.dDiffDst.reordered) gyReordered = &a.dDiffDst;
  }
  if (gw || gb) {
    Algo& a = weightsWino ? e.wino : e.direct;
    weightsReady(e, a);
    if (!gw) {
      e.scratchW.resize(e.wei.get_size() / sizeof(float));
      gw = e.scratchW.data();
    }
    if (!gb) {
      e.scratchB.resize(pi(4));
      gb = e.scratchB.data();
    }
    e.wDiffBias.set_data_handle(gb);
    // The data gradient above already brought gy into a blocked layout; reuse it when the weight
    // gradient wants the same one (the usual case) instead of reordering gy twice.
    // A blocked gy that both primitives take as it is needs no sharing: it is read in place.
    const bool shareGy = gyReordered && a.wDiffDst.reordered &&
                         gyReordered->inner.get_desc() == a.wDiffDst.inner.get_desc();
    a.bwdWeights.execute(strm(), {{DNNL_ARG_SRC, a.wSrc.in(x, xBlocked)},
                                  {DNNL_ARG_DIFF_DST, shareGy ? gyReordered->inner : a.wDiffDst.in(gy, gyBlocked)},
                                  {DNNL_ARG_DIFF_WEIGHTS, a.wDiffWei.out(gw)},
                                  {DNNL_ARG_DIFF_BIAS, e.wDiffBias}});
    a.wDiffWei.flush();
  }
  strm().wait();
  reportBlocked(gxBlocked);
  const_cast<double*>(P)[18] =
      (gx && dataWino ? WINO_BWD_DATA : 0) | ((gw || gb) && weightsWino ? WINO_BWD_WEIGHTS : 0);
}

}  // namespace tsg

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
//    [17] forward only: apply ReLU to the output as a post-op (conv + bias + ReLU in one pass)
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

struct ConvEntry {
  memory::desc src, wei, bias, dst;
  memory::dims strides, dil, padL, padR;
  convolution_forward::primitive_desc fwdPd;
  convolution_forward fwd;
  Port fSrc, fWei, fDst;
  memory fBias;
  // The forward with ReLU as a post-op (made on first use): its own ports, since the layouts a
  // primitive picks may differ with its attributes.
  bool hasFwdRelu = false;
  convolution_forward fwdRelu;
  Port rSrc, rWei, rDst;
  std::vector<float> zeroBias;  // for a convolution without bias, kept: no allocation per call
  bool hasBwdData = false, hasBwdWeights = false;
  convolution_backward_data bwdData;
  Port dDiffDst, dWei, dDiffSrc;
  convolution_backward_weights bwdWeights;
  Port wSrc, wDiffDst, wDiffWei;
  memory wDiffBias;
  std::vector<float> scratchW, scratchB;  // when the caller wants only one of gw / gb
};

static convolution_forward::desc forwardDesc(const ConvEntry& e) {
  memory::desc anySrc(e.src.dims(), dt::f32, tag::any), anyWei(e.wei.dims(), dt::f32, tag::any),
      anyDst(e.dst.dims(), dt::f32, tag::any);
  return convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, anySrc, anyWei,
                                   e.bias, anyDst, e.strides, e.dil, e.padL, e.padR);
}

// Whether p[0, n) holds an infinity or a NaN (all exponent bits set).
static bool anyNonFinite(const float* p, int64_t n) {
  int bad = 0;
#pragma omp parallel for simd reduction(| : bad) if (n > PAR_MIN * 8)
  for (int64_t i = 0; i < n; i++) {
    uint32_t u;
    std::memcpy(&u, p + i, sizeof u);
    bad |= (u & 0x7f800000u) == 0x7f800000u;
  }
  return bad != 0;
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
  e->fwdPd = convolution_forward::primitive_desc(forwardDesc(*e), eng());
  e->fwd = convolution_forward(e->fwdPd);
  e->fSrc.init(e->src, e->fwdPd.src_desc(), true);
  e->fWei.init(e->wei, e->fwdPd.weights_desc(), true);
  e->fDst.init(e->dst, e->fwdPd.dst_desc(), false);
  e->fBias = memory(e->bias, eng(), DNNL_MEMORY_NONE);
  auto& ref = *e;
  cache.emplace(key, std::move(e));
  return ref;
}

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
  // (3 MB for the MNIST CNN's second convolution: ~0.1 ms against its 5 ms).
  const bool wantRelu = P[17] != 0;
  const int64_t N = pi(0), C = pi(1), H = pi(2), W = pi(3), O = pi(4), kh = pi(5), kw = pi(6);
  const bool relu = wantRelu && !anyNonFinite(x, N * C * H * W) && !anyNonFinite(w, O * C * kh * kw) && !anyNonFinite(bias, O);
  if (relu && !e.hasFwdRelu) {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    primitive_attr attr;
    attr.set_post_ops(ops);
    convolution_forward::primitive_desc pd(forwardDesc(e), attr, eng());
    e.fwdRelu = convolution_forward(pd);
    e.rSrc.init(e.src, pd.src_desc(), true);
    e.rWei.init(e.wei, pd.weights_desc(), true);
    e.rDst.init(e.dst, pd.dst_desc(), false);
    e.hasFwdRelu = true;
  }
  Port &src = relu ? e.rSrc : e.fSrc, &wei = relu ? e.rWei : e.fWei, &dst = relu ? e.rDst : e.fDst;
  e.fBias.set_data_handle(const_cast<float*>(bias));
  (relu ? e.fwdRelu : e.fwd).execute(strm(), {{DNNL_ARG_SRC, src.in(x, f & BLK_X)},
                                              {DNNL_ARG_WEIGHTS, wei.in(w)},
                                              {DNNL_ARG_BIAS, e.fBias},
                                              {DNNL_ARG_DST, dst.out(out, f & BLK_OUT_OK)}});
  dst.flush();
  strm().wait();
  reportBlocked(dst.lastDirect);
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
  const memory::dims d = e.dst.dims();
  memory::desc anySrc(e.src.dims(), dt::f32, tag::any), anyWei(e.wei.dims(), dt::f32, tag::any),
      anyDst(d, dt::f32, tag::any);
  const int f = blockFlags();
  const bool xBlocked = f & BLK_X, gyBlocked = f & BLK_GY;
  bool gxBlocked = false;
  if (gx) {
    if (!e.hasBwdData) {
      convolution_backward_data::desc bd(algorithm::convolution_direct, anySrc, anyWei, anyDst, e.strides,
                                         e.dil, e.padL, e.padR);
      convolution_backward_data::primitive_desc pd(bd, eng(), e.fwdPd);
      e.bwdData = convolution_backward_data(pd);
      e.dDiffDst.init(e.dst, pd.diff_dst_desc(), true);
      e.dWei.init(e.wei, pd.weights_desc(), true);
      e.dDiffSrc.init(e.src, pd.diff_src_desc(), false);
      e.hasBwdData = true;
    }
    e.bwdData.execute(strm(), {{DNNL_ARG_DIFF_DST, e.dDiffDst.in(gy, gyBlocked)},
                               {DNNL_ARG_WEIGHTS, e.dWei.in(w)},
                               {DNNL_ARG_DIFF_SRC, e.dDiffSrc.out(gx, f & BLK_OUT_OK)}});
    e.dDiffSrc.flush();
    gxBlocked = e.dDiffSrc.lastDirect;
  }
  if (gw || gb) {
    if (!e.hasBwdWeights) {
      convolution_backward_weights::desc bd(algorithm::convolution_direct, anySrc, anyWei, e.bias, anyDst,
                                            e.strides, e.dil, e.padL, e.padR);
      convolution_backward_weights::primitive_desc pd(bd, eng(), e.fwdPd);
      e.bwdWeights = convolution_backward_weights(pd);
      e.wSrc.init(e.src, pd.src_desc(), true);
      e.wDiffDst.init(e.dst, pd.diff_dst_desc(), true);
      e.wDiffWei.init(e.wei, pd.diff_weights_desc(), false);
      e.wDiffBias = memory(e.bias, eng(), DNNL_MEMORY_NONE);
      e.hasBwdWeights = true;
    }
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
    const bool shareGy = gx && !gyBlocked && e.dDiffDst.reordered && e.wDiffDst.reordered &&
                         e.dDiffDst.inner.get_desc() == e.wDiffDst.inner.get_desc();
    e.bwdWeights.execute(strm(), {{DNNL_ARG_SRC, e.wSrc.in(x, xBlocked)},
                                  {DNNL_ARG_DIFF_DST, shareGy ? e.dDiffDst.inner : e.wDiffDst.in(gy, gyBlocked)},
                                  {DNNL_ARG_DIFF_WEIGHTS, e.wDiffWei.out(gw)},
                                  {DNNL_ARG_DIFF_BIAS, e.wDiffBias}});
    e.wDiffWei.flush();
  }
  strm().wait();
  reportBlocked(gxBlocked);
}

}  // namespace tsg

// native/src/elementwise.cpp
// Float32 unary, binary and where element-wise kernels and strided copy, over the shared strided walk.
// Op codes are the registry's (ops.h, generated); semantics follow PyTorch (NaN propagates through
// relu, clamp, maximum and minimum).
#include <cmath>
#include "strided.h"

// glibc's libmvec has AVX-512 versions of these; declaring them SIMD-callable lets GCC vectorise
// the loops without -ffast-math (which would break NaN handling). glibc declares them itself
// only under __FAST_MATH__.
extern "C" {
float expf(float) __attribute__((simd("notinbranch")));
float logf(float) __attribute__((simd("notinbranch")));
float tanhf(float) __attribute__((simd("notinbranch")));
float expm1f(float) __attribute__((simd("notinbranch")));
float log1pf(float) __attribute__((simd("notinbranch")));
float sinf(float) __attribute__((simd("notinbranch")));
float cosf(float) __attribute__((simd("notinbranch")));
float erff(float) __attribute__((simd("notinbranch")));
float powf(float, float) __attribute__((simd("notinbranch")));
}

namespace tsg {

template <class F>
static void unaryRun(const Layout<1>& L, const float* x, float* out, F f) {
  const int64_t s = L.st[0][L.nd - 1];
  forEachChunk<1>(L, [&](const int64_t* off, int64_t o, int64_t n) {
    const float* xp = x + off[0];
    float* op = out + o;
    if (s == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = f(xp[i]);
    } else {
      for (int64_t i = 0; i < n; i++) op[i] = f(xp[i * s]);
    }
  });
}

// P: layout<1> (nd, shape, strides, offset), then UNARY_PARAM, UNARY_PARAM2.
void unary(UnaryOp op, const float* x, float* out) {
  const Layout<1> L = readLayout<1>();
  const float p = (float)P[UNARY_PARAM], p2 = (float)P[UNARY_PARAM2];
  switch (op) {
    case UnaryOp::NEG: return unaryRun(L, x, out, [](float v) { return -v; });
    case UnaryOp::ABS: return unaryRun(L, x, out, [](float v) { return std::fabs(v); });
    case UnaryOp::EXP: return unaryRun(L, x, out, [](float v) { return expf(v); });
    case UnaryOp::LOG: return unaryRun(L, x, out, [](float v) { return logf(v); });
    case UnaryOp::SQRT: return unaryRun(L, x, out, [](float v) { return std::sqrt(v); });
    case UnaryOp::RSQRT: return unaryRun(L, x, out, [](float v) { return 1.f / std::sqrt(v); });
    case UnaryOp::SQUARE: return unaryRun(L, x, out, [](float v) { return v * v; });
    case UnaryOp::RECIPROCAL: return unaryRun(L, x, out, [](float v) { return 1.f / v; });
    case UnaryOp::SIGMOID: return unaryRun(L, x, out, [](float v) { return 1.f / (1.f + expf(-v)); });
    case UnaryOp::RELU: return unaryRun(L, x, out, [](float v) { return v < 0.f ? 0.f : v; });
    case UnaryOp::TANH: return unaryRun(L, x, out, [](float v) { return tanhf(v); });
    case UnaryOp::SILU: return unaryRun(L, x, out, [](float v) { return v / (1.f + expf(-v)); });
    case UnaryOp::LEAKY_RELU: return unaryRun(L, x, out, [p](float v) { return v < 0.f ? v * p : v; });
    case UnaryOp::CLAMP: return unaryRun(L, x, out, [p, p2](float v) { return v < p ? p : (v > p2 ? p2 : v); });
    case UnaryOp::POW_SCALAR:
      if (p == 2.f) return unaryRun(L, x, out, [](float v) { return v * v; });
      return unaryRun(L, x, out, [p](float v) { return powf(v, p); });
    case UnaryOp::ELU: return unaryRun(L, x, out, [p](float v) { return v > 0.f ? v : p * expm1f(v); });
    case UnaryOp::SIN: return unaryRun(L, x, out, [](float v) { return sinf(v); });
    case UnaryOp::COS: return unaryRun(L, x, out, [](float v) { return cosf(v); });
    case UnaryOp::EXPM1: return unaryRun(L, x, out, [](float v) { return expm1f(v); });
    case UnaryOp::LOG1P: return unaryRun(L, x, out, [](float v) { return log1pf(v); });
    case UnaryOp::GELU:
      return unaryRun(L, x, out, [](float v) { return 0.5f * v * (1.f + erff(v * 0.70710678118654752f)); });
    case UnaryOp::GELU_TANH:
      return unaryRun(L, x, out, [](float v) {
        return 0.5f * v * (1.f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
      });
    case UnaryOp::SOFTPLUS: return unaryRun(L, x, out, [](float v) { return v > 20.f ? v : log1pf(expf(v)); });
    case UnaryOp::FLOOR: return unaryRun(L, x, out, [](float v) { return std::floor(v); });
    case UnaryOp::CEIL: return unaryRun(L, x, out, [](float v) { return std::ceil(v); });
    case UnaryOp::ROUND: return unaryRun(L, x, out, [](float v) { return std::nearbyint(v); });
    case UnaryOp::ERF: return unaryRun(L, x, out, [](float v) { return erff(v); });
  }
}

void copyStrided(const float* x, float* out) {
  const Layout<1> L = readLayout<1>();
  unaryRun(L, x, out, [](float v) { return v; });
}

template <class T, class F>
static void binaryRun(const Layout<2>& L, const float* a, const float* b, T* out, F f) {
  const int64_t sa = L.st[0][L.nd - 1], sb = L.st[1][L.nd - 1];
  forEachChunk<2>(L, [&](const int64_t* off, int64_t o, int64_t n) {
    const float* ap = a + off[0];
    const float* bp = b + off[1];
    T* op = out + o;
    if (sa == 1 && sb == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = (T)f(ap[i], bp[i]);
    } else if (sa == 1 && sb == 0) {
      const float bv = bp[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = (T)f(ap[i], bv);
    } else if (sa == 0 && sb == 1) {
      const float av = ap[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = (T)f(av, bp[i]);
    } else {
      for (int64_t i = 0; i < n; i++) op[i] = (T)f(ap[i * sa], bp[i * sb]);
    }
  });
}

// P: layout<2>, then BINARY_B_IS_SCALAR (b may be null) and BINARY_SCALAR.
void binary(BinaryOp op, const float* a, const float* b, void* outp) {
  Layout<2> L = readLayout<2>();
  float scalar = (float)P[BINARY_SCALAR];
  if (P[BINARY_B_IS_SCALAR] != 0) {
    b = &scalar;
    L.off[1] = 0;
    for (int d = 0; d < MAX_DIMS; d++) L.st[1][d] = 0;
  }
  float* out = (float*)outp;
  uint8_t* bout = (uint8_t*)outp;
  switch (op) {
    case BinaryOp::ADD: return binaryRun(L, a, b, out, [](float x, float y) { return x + y; });
    case BinaryOp::SUB: return binaryRun(L, a, b, out, [](float x, float y) { return x - y; });
    case BinaryOp::MUL: return binaryRun(L, a, b, out, [](float x, float y) { return x * y; });
    case BinaryOp::DIV: return binaryRun(L, a, b, out, [](float x, float y) { return x / y; });
    case BinaryOp::MAXIMUM: return binaryRun(L, a, b, out, [](float x, float y) { return (x > y || x != x) ? x : y; });
    case BinaryOp::MINIMUM: return binaryRun(L, a, b, out, [](float x, float y) { return (x < y || x != x) ? x : y; });
    case BinaryOp::POW: return binaryRun(L, a, b, out, [](float x, float y) { return powf(x, y); });
    case BinaryOp::EQ: return binaryRun(L, a, b, bout, [](float x, float y) { return x == y; });
    case BinaryOp::NE: return binaryRun(L, a, b, bout, [](float x, float y) { return x != y; });
    case BinaryOp::LT: return binaryRun(L, a, b, bout, [](float x, float y) { return x < y; });
    case BinaryOp::LE: return binaryRun(L, a, b, bout, [](float x, float y) { return x <= y; });
    case BinaryOp::GT: return binaryRun(L, a, b, bout, [](float x, float y) { return x > y; });
    case BinaryOp::GE: return binaryRun(L, a, b, bout, [](float x, float y) { return x >= y; });
    // relu's backward in one pass: a = the incoming gradient, b = relu's output.
    case BinaryOp::RELU_BACKWARD: return binaryRun(L, a, b, out, [](float g, float y) { return y > 0.f ? g : 0.f; });
  }
}

}  // namespace tsg

namespace tsg {

// where(cond, a, b): cond is bool (one byte per element), a and b float32; all three already
// broadcast to out's shape. P: layout<3> (cond, a, b) in [0..35].
void where(const uint8_t* c, const float* a, const float* b, float* out) {
  const Layout<3> L = readLayout<3>();
  const int64_t sc = L.st[0][L.nd - 1], sa = L.st[1][L.nd - 1], sb = L.st[2][L.nd - 1];
  forEachChunk<3>(L, [&](const int64_t* off, int64_t o, int64_t n) {
    const uint8_t* cp = c + off[0];
    const float* ap = a + off[1];
    const float* bp = b + off[2];
    float* op = out + o;
    if (sc == 1 && sa == 1 && sb == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = cp[i] ? ap[i] : bp[i];
    } else if (sc == 1 && sa == 1 && sb == 0) {
      const float bv = bp[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = cp[i] ? ap[i] : bv;
    } else if (sc == 1 && sa == 0 && sb == 1) {
      const float av = ap[0];
#pragma omp simd
      for (int64_t i = 0; i < n; i++) op[i] = cp[i] ? av : bp[i];
    } else {
      for (int64_t i = 0; i < n; i++) op[i] = cp[i * sc] ? ap[i * sa] : bp[i * sb];
    }
  });
}

}  // namespace tsg

// native/src/kernels.h
// Declarations shared by the addon's kernel files. Every kernel reads its shapes, strides, offsets
// and scalars from P, a Float64Array that runtime/tensor/cpu/native.ts shares with the addon once
// (init), so a call passes only the data arrays: no JS objects are built or read per call.
// The layout of P for each kernel is written beside the kernel and mirrored in cpu/native.ts; the
// sizes, scalar slots and op codes the two sides share are generated into ops.h.
#pragma once
#include <cstdint>
#include <cstddef>
#include <omp.h>
#include "ops.h"

namespace tsg {

extern const double* P;  // the shared parameter block (P_LEN doubles; data addresses from PTR_BASE)

inline int64_t pi(int i) { return (int64_t)P[i]; }

// Elements below which a kernel runs on the calling thread only: waking the OpenMP team costs a
// few microseconds, more than the work.
constexpr int64_t PAR_MIN = 32768;

// fn(i) for i in [0, n): on the calling thread when `work` (elements touched) is small, since even
// a serialised OpenMP region (an `if` clause that is false) costs about a microsecond in libgomp,
// ten times a small kernel; across the OpenMP team otherwise.
template <class F>
inline void parallelFor(int64_t n, int64_t work, F fn) {
  if (work <= PAR_MIN || n <= 1) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) fn(i);
}

void gemm();
constexpr int PAIR_BASE = 16;  // gemmPair's second product in P (gemm.cpp)
void gemmPair();
void unary(UnaryOp op, const float* x, float* out);
void binary(BinaryOp op, const float* a, const float* b, void* out);
void reduce(ReduceOp op, const float* x, void* out);
void softmax(const float* x, float* out, bool log);
void copyStrided(const float* x, float* out);
void where(const uint8_t* cond, const float* a, const float* b, float* out);
void conv2d(const float* x, const float* w, const float* bias, float* out);
void conv2dBackward(const float* x, const float* w, const float* gy, float* gx, float* gw, float* gb);
void maxPool2d(const float* x, float* out, int32_t* idx);
void maxPool2dBackward(const float* gy, const int32_t* idx, float* gx);
void avgPool2d(const float* x, float* out);
void avgPool2dBackward(const float* gy, float* gx);
void relayout16(const uint32_t* src, uint32_t* dst, int64_t N, int64_t C, int64_t H, int64_t W, bool toBlocked);
void adamStep(float* p, const float* g, float* m, float* v);
const char* dnnlVersion();

}  // namespace tsg

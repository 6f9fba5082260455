// native/src/strided.h
// The loop every element-wise kernel shares: an N-d strided walk over a contiguous output, split
// into (row, chunk) work items for OpenMP. runtime/tensor/cpu/native.ts merges mergeable dims
// first, so a contiguous or simply broadcast operand reaches here as 1-2 dims and the innermost
// loop sees stride 1 or 0 (vectorised) in the common cases.
#pragma once
#include <algorithm>
#include "kernels.h"

namespace tsg {

template <int NIN>
struct Layout {
  int nd;
  int64_t shape[MAX_DIMS];
  int64_t st[NIN][MAX_DIMS];
  int64_t off[NIN];
};

// P: [0] nd, [1..8] shape, then NIN blocks of 8 strides from [9], then NIN offsets.
template <int NIN>
inline Layout<NIN> readLayout() {
  Layout<NIN> L;
  L.nd = (int)pi(0);
  for (int d = 0; d < MAX_DIMS; d++) {
    L.shape[d] = pi(1 + d);
    for (int i = 0; i < NIN; i++) L.st[i][d] = pi(9 + i * MAX_DIMS + d);
  }
  for (int i = 0; i < NIN; i++) L.off[i] = pi(9 + NIN * MAX_DIMS + i);
  if (L.nd == 0) {  // a scalar is one row of one element
    L.nd = 1;
    L.shape[0] = 1;
    for (int i = 0; i < NIN; i++) L.st[i][0] = 0;
  }
  return L;
}
template <int NIN>
constexpr int scalarSlot() { return 9 + NIN * MAX_DIMS + NIN; }  // first free P slot after a layout
static_assert(scalarSlot<1>() == UNARY_PARAM && scalarSlot<2>() == BINARY_B_IS_SCALAR,
              "ops.h's scalar slots follow this layout (runtime/tensor/cpu/native_abi.ts LAYOUT)");

// body(const int64_t* inOffsets, int64_t outOffset, int64_t count): `count` elements of the
// innermost dim starting at the given offsets; inner strides are L.st[i][nd-1].
template <int NIN, class Body>
inline void forEachChunk(const Layout<NIN>& L, Body body) {
  const int nd = L.nd;
  const int64_t inner = L.shape[nd - 1];
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= L.shape[d];
  const int64_t total = rows * inner;
  if (total == 0) return;
  int64_t chunk = inner;
  if (rows < 64 && inner > 16384) chunk = 16384;
  const int64_t nch = (inner + chunk - 1) / chunk;
  const int64_t items = rows * nch;
  parallelFor(items, total, [&](int64_t it) {
    const int64_t r = it / nch, c = it % nch;
    int64_t offs[NIN];
    for (int i = 0; i < NIN; i++) offs[i] = L.off[i];
    int64_t rem = r;
    for (int d = nd - 2; d >= 0; d--) {
      const int64_t idx = rem % L.shape[d];
      rem /= L.shape[d];
      for (int i = 0; i < NIN; i++) offs[i] += idx * L.st[i][d];
    }
    const int64_t j0 = c * chunk;
    for (int i = 0; i < NIN; i++) offs[i] += j0 * L.st[i][nd - 1];
    body(offs, r * inner + j0, std::min(chunk, inner - j0));
  });
}

}  // namespace tsg

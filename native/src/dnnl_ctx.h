// native/src/dnnl_ctx.h
// The one oneDNN CPU engine and stream every primitive of the addon runs on (conv.cpp, gemm.cpp).
// Inline functions: one instance of each static across the files that include this.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

namespace tsg {

inline dnnl::engine& eng() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
inline dnnl::stream& strm() {
  static dnnl::stream s(eng());
  return s;
}

}  // namespace tsg

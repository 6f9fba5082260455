// native/src/addon.cpp
// N-API glue. Kernels work zero-copy on the engine's TypedArrays: their addresses, shapes and
// scalars travel through the shared parameter block P (see kernels.h), so a call passes at most an
// op code and costs about as much as an empty N-API call. Uses the plain C N-API (node_api.h).
#include <node_api.h>
#include <omp.h>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include "kernels.h"
#include "signals.h"

namespace tsg { const double* P = nullptr; }
using namespace tsg;

static napi_ref paramRef = nullptr;

static void* dataOf(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return nullptr;
  void* data = nullptr;
  size_t len;
  napi_typedarray_type tt;
  if (napi_get_typedarray_info(env, v, &tt, &len, &data, nullptr, nullptr) != napi_ok) {
    napi_throw_type_error(env, nullptr, "tsgrad_native: expected a TypedArray");
    return nullptr;
  }
  return data;
}

static int32_t intOf(napi_env env, napi_value v) {
  int32_t r = 0;
  napi_get_value_int32(env, v, &r);
  return r;
}

#define ARGS(n)                                                   \
  size_t argc = n;                                                \
  napi_value argv[n];                                             \
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);

// Kernels may throw (oneDNN's C++ API throws dnnl::error); turn that into a JS Error.
template <class F>
static napi_value guarded(napi_env env, F f) {
  try {
    f();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("tsgrad_native: ") + e.what()).c_str());
  }
  return nullptr;
}

static napi_value Init(napi_env env, napi_callback_info info) {
  ARGS(1);
  size_t len;
  void* data;
  napi_typedarray_type tt;
  if (napi_get_typedarray_info(env, argv[0], &tt, &len, &data, nullptr, nullptr) != napi_ok ||
      tt != napi_float64_array || len < (size_t)P_LEN) {
    napi_throw_type_error(env, nullptr, "tsgrad_native.init: expected a Float64Array(256)");
    return nullptr;
  }
  // Keep the block alive for the life of the process: P points into it.
  if (paramRef) napi_delete_reference(env, paramRef);
  napi_create_reference(env, argv[0], 1, &paramRef);
  P = static_cast<const double*>(data);
  blockSignalsInWorkers();
  return nullptr;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n = intOf(env, argv[0]);
  if (n > 0) {
    omp_set_num_threads(n);
    blockSignalsInWorkers();  // a larger team starts new workers
  }
  return nullptr;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r;
  napi_create_int32(env, omp_get_max_threads(), &r);
  return r;
}

static napi_value Version(napi_env env, napi_callback_info info) {
  napi_value r;
  std::string s = std::string("oneDNN ") + dnnlVersion();
  napi_create_string_utf8(env, s.c_str(), s.size(), &r);
  return r;
}

static napi_value Noop(napi_env env, napi_callback_info info) { return nullptr; }

// Data pointers: runtime/tensor/cpu/native.ts asks once per array for its address (address(),
// below) and passes addresses in P[PTR_BASE + i], because unwrapping a TypedArray through N-API
// costs about 150 ns per array per call, more than a small kernel. The engine keeps every array
// it hands over alive for the duration of the call; V8 never moves an ArrayBuffer's backing store.
template <class T = float>
static T* ptr(int i) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(P[PTR_BASE + i]));
}

static napi_value Address(napi_env env, napi_callback_info info) {
  ARGS(1);
  void* p = dataOf(env, argv[0]);
  napi_value r;
  napi_create_double(env, (double)reinterpret_cast<uintptr_t>(p), &r);
  return r;
}

static napi_value Gemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] { gemm(); });  // oneDNN's matmul primitive may throw
}

static napi_value GemmPair(napi_env env, napi_callback_info info) {
  gemmPair();
  return nullptr;
}
static napi_value Unary(napi_env env, napi_callback_info info) {
  ARGS(1);
  unary(static_cast<UnaryOp>(intOf(env, argv[0])), ptr(0), ptr(1));
  return nullptr;
}

static napi_value Binary(napi_env env, napi_callback_info info) {
  ARGS(1);
  binary(static_cast<BinaryOp>(intOf(env, argv[0])), ptr(0), ptr(1), ptr<void>(2));
  return nullptr;
}

static napi_value Reduce(napi_env env, napi_callback_info info) {
  ARGS(1);
  reduce(static_cast<ReduceOp>(intOf(env, argv[0])), ptr(0), ptr<void>(1));
  return nullptr;
}

static napi_value Softmax(napi_env env, napi_callback_info info) {
  ARGS(1);
  softmax(ptr(0), ptr(1), intOf(env, argv[0]) != 0);
  return nullptr;
}

static napi_value Where(napi_env env, napi_callback_info info) {
  where(ptr<uint8_t>(0), ptr(1), ptr(2), ptr(3));
  return nullptr;
}

static napi_value Copy(napi_env env, napi_callback_info info) {
  copyStrided(ptr(0), ptr(1));
  return nullptr;
}

static napi_value Conv2d(napi_env env, napi_callback_info info) {
  SignalGuard guard;  // oneDNN inside (signals.h)
  return guarded(env, [&] { conv2d(ptr(0), ptr(1), ptr(2), ptr(3)); });
}

static napi_value Conv2dBackward(napi_env env, napi_callback_info info) {
  SignalGuard guard;  // oneDNN inside (signals.h)
  return guarded(env, [&] { conv2dBackward(ptr(0), ptr(1), ptr(2), ptr(3), ptr(4), ptr(5)); });
}

static napi_value MaxPool(napi_env env, napi_callback_info info) {
  maxPool2d(ptr(0), ptr(1), ptr<int32_t>(2));
  return nullptr;
}

static napi_value MaxPoolBackward(napi_env env, napi_callback_info info) {
  maxPool2dBackward(ptr(0), ptr<int32_t>(1), ptr(2));
  return nullptr;
}

static napi_value AvgPool(napi_env env, napi_callback_info info) {
  avgPool2d(ptr(0), ptr(1));
  return nullptr;
}

static napi_value AvgPoolBackward(napi_env env, napi_callback_info info) {
  avgPool2dBackward(ptr(0), ptr(1));
  return nullptr;
}

// relayout16(src, dst, N, C, H, W, toBlocked): arguments, not P, since it runs in the middle of
// writing another kernel's P (native.ts turns a blocked storage back to NCHW when its data is
// asked for).
static napi_value Relayout(napi_env env, napi_callback_info info) {
  ARGS(7);
  relayout16(static_cast<const uint32_t*>(dataOf(env, argv[0])), static_cast<uint32_t*>(dataOf(env, argv[1])),
             intOf(env, argv[2]), intOf(env, argv[3]), intOf(env, argv[4]), intOf(env, argv[5]), intOf(env, argv[6]) != 0);
  return nullptr;
}

static napi_value Adam(napi_env env, napi_callback_info info) {
  adamStep(ptr(0), ptr(1), ptr(2), ptr(3));
  return nullptr;
}

static napi_value Module(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
#define FN(name, f) {name, nullptr, f, nullptr, nullptr, nullptr, napi_default, nullptr}
    FN("init", Init), FN("setThreads", SetThreads), FN("getThreads", GetThreads),
    FN("version", Version), FN("noop", Noop), FN("address", Address), FN("gemm", Gemm), FN("gemmPair", GemmPair), FN("unary", Unary),
    FN("binary", Binary), FN("reduce", Reduce), FN("softmax", Softmax), FN("copy", Copy), FN("where", Where),
    FN("conv2d", Conv2d), FN("conv2dBackward", Conv2dBackward), FN("maxPool2d", MaxPool),
    FN("maxPool2dBackward", MaxPoolBackward), FN("avgPool2d", AvgPool),
    FN("avgPool2dBackward", AvgPoolBackward), FN("adamStep", Adam), FN("relayout16", Relayout),
#undef FN
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  // The registry's native ops this build was compiled with (ops.h): the TypeScript side refuses an
  // addon built from another registry, whose op codes would mean other ops.
  napi_value signature;
  napi_create_string_utf8(env, OPS_SIGNATURE, NAPI_AUTO_LENGTH, &signature);
  napi_set_named_property(env, exports, "opsSignature", signature);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Module)

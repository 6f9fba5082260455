// native/src/addon.cpp
// N-API glue: unwraps TypedArrays (zero-copy: the kernels write straight into the engine's
// Float32Arrays) and forwards to the kernels. Shapes and scalars travel through the shared
// parameter block P (see kernels.h), so each call costs one napi_get_cb_info plus one
// napi_get_typedarray_info per array. Uses the plain C N-API (node_api.h) for the least overhead.
#include <node_api.h>
#include <omp.h>
#include <cstdio>
#include <exception>
#include <string>
#include "kernels.h"

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
  return nullptr;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n = intOf(env, argv[0]);
  if (n > 0) omp_set_num_threads(n);
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

static napi_value Gemm(napi_env env, napi_callback_info info) {
  ARGS(3);
  gemm((const float*)dataOf(env, argv[0]), (const float*)dataOf(env, argv[1]), (float*)dataOf(env, argv[2]));
  return nullptr;
}

static napi_value Unary(napi_env env, napi_callback_info info) {
  ARGS(3);
  unary(intOf(env, argv[0]), (const float*)dataOf(env, argv[1]), (float*)dataOf(env, argv[2]));
  return nullptr;
}

static napi_value Binary(napi_env env, napi_callback_info info) {
  ARGS(4);
  binary(intOf(env, argv[0]), (const float*)dataOf(env, argv[1]), (const float*)dataOf(env, argv[2]),
         dataOf(env, argv[3]));
  return nullptr;
}

static napi_value Reduce(napi_env env, napi_callback_info info) {
  ARGS(3);
  reduce(intOf(env, argv[0]), (const float*)dataOf(env, argv[1]), dataOf(env, argv[2]));
  return nullptr;
}

static napi_value Softmax(napi_env env, napi_callback_info info) {
  ARGS(3);
  softmax((const float*)dataOf(env, argv[0]), (float*)dataOf(env, argv[1]), intOf(env, argv[2]) != 0);
  return nullptr;
}

static napi_value Copy(napi_env env, napi_callback_info info) {
  ARGS(2);
  copyStrided((const float*)dataOf(env, argv[0]), (float*)dataOf(env, argv[1]));
  return nullptr;
}

static napi_value Conv2d(napi_env env, napi_callback_info info) {
  ARGS(4);
  auto x = (const float*)dataOf(env, argv[0]);
  auto w = (const float*)dataOf(env, argv[1]);
  auto b = (const float*)dataOf(env, argv[2]);
  auto y = (float*)dataOf(env, argv[3]);
  return guarded(env, [&] { conv2d(x, w, b, y); });
}

static napi_value Conv2dBackward(napi_env env, napi_callback_info info) {
  ARGS(6);
  auto x = (const float*)dataOf(env, argv[0]);
  auto w = (const float*)dataOf(env, argv[1]);
  auto gy = (const float*)dataOf(env, argv[2]);
  auto gx = (float*)dataOf(env, argv[3]);
  auto gw = (float*)dataOf(env, argv[4]);
  auto gb = (float*)dataOf(env, argv[5]);
  return guarded(env, [&] { conv2dBackward(x, w, gy, gx, gw, gb); });
}

static napi_value MaxPool(napi_env env, napi_callback_info info) {
  ARGS(3);
  maxPool2d((const float*)dataOf(env, argv[0]), (float*)dataOf(env, argv[1]), (int32_t*)dataOf(env, argv[2]));
  return nullptr;
}

static napi_value MaxPoolBackward(napi_env env, napi_callback_info info) {
  ARGS(3);
  maxPool2dBackward((const float*)dataOf(env, argv[0]), (const int32_t*)dataOf(env, argv[1]),
                    (float*)dataOf(env, argv[2]));
  return nullptr;
}

static napi_value AvgPool(napi_env env, napi_callback_info info) {
  ARGS(2);
  avgPool2d((const float*)dataOf(env, argv[0]), (float*)dataOf(env, argv[1]));
  return nullptr;
}

static napi_value AvgPoolBackward(napi_env env, napi_callback_info info) {
  ARGS(2);
  avgPool2dBackward((const float*)dataOf(env, argv[0]), (float*)dataOf(env, argv[1]));
  return nullptr;
}

static napi_value Adam(napi_env env, napi_callback_info info) {
  ARGS(4);
  adamStep((float*)dataOf(env, argv[0]), (const float*)dataOf(env, argv[1]), (float*)dataOf(env, argv[2]),
           (float*)dataOf(env, argv[3]));
  return nullptr;
}

static napi_value Module(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
#define FN(name, f) {name, nullptr, f, nullptr, nullptr, nullptr, napi_default, nullptr}
    FN("init", Init), FN("setThreads", SetThreads), FN("getThreads", GetThreads),
    FN("version", Version), FN("noop", Noop), FN("gemm", Gemm), FN("unary", Unary),
    FN("binary", Binary), FN("reduce", Reduce), FN("softmax", Softmax), FN("copy", Copy),
    FN("conv2d", Conv2d), FN("conv2dBackward", Conv2dBackward), FN("maxPool2d", MaxPool),
    FN("maxPool2dBackward", MaxPoolBackward), FN("avgPool2d", AvgPool),
    FN("avgPool2dBackward", AvgPoolBackward), FN("adamStep", Adam),
#undef FN
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Module)

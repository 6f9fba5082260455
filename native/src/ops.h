// native/src/ops.h
// GENERATED from runtime/tensor/op_registry.ts by runtime/tensor/cpu/native_abi.ts: do not edit.
// Rewrite with `npm run gen:native`; test/tensor/native_abi.test.ts fails when it is stale.
// The parameter block's slots and the op codes the TypeScript side (cpu/native.ts) uses: each
// kernel's switch covers its enum, so the compiler (-Werror=switch) names a missing op.
#pragma once

namespace tsg {

constexpr int P_LEN = 256;
constexpr int PTR_BASE = 240;  // P[PTR_BASE + i]: the data address of a call's i-th array
constexpr int MAX_DIMS = 8;

// Scalar slots after an element-wise layout (strided.h).
constexpr int UNARY_PARAM = 18;
constexpr int UNARY_PARAM2 = 19;
constexpr int BINARY_B_IS_SCALAR = 27;
constexpr int BINARY_SCALAR = 28;

enum class UnaryOp : int {
  NEG = 0,
  ABS = 1,
  EXP = 2,
  LOG = 3,
  SQRT = 4,
  RSQRT = 5,
  SQUARE = 6,
  RECIPROCAL = 7,
  SIGMOID = 8,
  RELU = 9,
  TANH = 10,
  SILU = 11,
  LEAKY_RELU = 12,
  CLAMP = 13,
  POW_SCALAR = 14,
  ELU = 15,
  SIN = 16,
  COS = 17,
  EXPM1 = 18,
  LOG1P = 19,
  GELU = 20,
  GELU_TANH = 21,
  SOFTPLUS = 22,
  FLOOR = 23,
  CEIL = 24,
  ROUND = 25,
  ERF = 26,
};

enum class BinaryOp : int {
  ADD = 0,
  SUB = 1,
  MUL = 2,
  DIV = 3,
  MAXIMUM = 4,
  MINIMUM = 5,
  POW = 6,
  EQ = 7,
  NE = 8,
  LT = 9,
  LE = 10,
  GT = 11,
  GE = 12,
  RELU_BACKWARD = 13,
};

enum class ReduceOp : int {
  SUM = 0,
  MAX = 1,
  MIN = 2,
  ARGMAX = 3,
  ARGMIN = 4,
};

constexpr const char* OPS_SIGNATURE = "unary:neg,abs,exp,log,sqrt,rsqrt,square,reciprocal,sigmoid,relu,tanh,silu,leaky_relu,clamp,pow_scalar,elu,sin,cos,expm1,log1p,gelu,gelu_tanh,softplus,floor,ceil,round,erf;binary:add,sub,mul,div,maximum,minimum,pow,eq,ne,lt,le,gt,ge,relu_backward;reduce:sum,max,min,argmax,argmin";

}  // namespace tsg

// runtime/tensor/cpu/native_abi.ts
// The contract between the native CPU backend's TypeScript side (native.ts) and its C++ addon
// (native/): the shared parameter block (size, the slot of each array address, the element-wise
// layout and the scalar slots after it) and the op codes, which are the registry's native ops
// (../op_registry.ts) in registry order. nativeHeader() writes the same facts as C++:
// native/src/ops.h is checked in so a clean clone builds it with plain node-gyp;
// `npm run gen:native` rewrites it, and test/tensor/native_abi.test.ts fails when it is stale.
// The addon reports OPS_SIGNATURE, and an addon built from another registry is refused at load.

import {
  BINARY_NAMES, BINARY_OPS, REDUCE_NAMES, REDUCE_OPS, UNARY_NAMES, UNARY_OPS,
  type BinaryOp, type ReduceOp, type UnaryOp,
} from "../op_registry";

/** Doubles in the parameter block. */
export const P_LEN = 256;
/** P[PTR_BASE + i]: the data address of a call's i-th array. */
export const PTR_BASE = 240;
/** Most dims an element-wise layout holds (more: the TypeScript reference runs the op). */
export const MAX_DIMS = 8;

/** Slots of an element-wise layout for `nin` operands (native/src/strided.h readLayout):
 * [0] nd, [1..MAX_DIMS] shape, then nin blocks of MAX_DIMS strides, then nin offsets; `free` is
 * the first slot after it, where an op's scalars go. */
export const LAYOUT = {
  nd: 0,
  shape: 1,
  strides: (operand: number): number => 1 + MAX_DIMS + operand * MAX_DIMS,
  offset: (nin: number, operand: number): number => 1 + MAX_DIMS + nin * MAX_DIMS + operand,
  free: (nin: number): number => 1 + MAX_DIMS + nin * MAX_DIMS + nin,
};

/** unary: the op's param and param2. */
export const UNARY_PARAM = LAYOUT.free(1);
export const UNARY_PARAM2 = UNARY_PARAM + 1;
/** binary: 1 when b is a scalar (then its value follows), else 0. */
export const BINARY_B_IS_SCALAR = LAYOUT.free(2);
export const BINARY_SCALAR = BINARY_B_IS_SCALAR + 1;

/** Native-only kernels that share a table's op codes, after the registry's ops. relu_backward:
 * out = g where y > 0, else 0 (a = g, b = y), relu's backward in one pass. */
const BINARY_EXTRA = ["relu_backward"] as const;

function nativeNames<K extends string>(names: readonly K[], table: Readonly<Record<K, { native?: false }>>): K[] {
  return names.filter((n) => table[n].native !== false);
}

const NATIVE_UNARY = nativeNames(UNARY_NAMES, UNARY_OPS);
const NATIVE_BINARY = [...nativeNames(BINARY_NAMES, BINARY_OPS), ...BINARY_EXTRA];
const NATIVE_REDUCE = nativeNames(REDUCE_NAMES, REDUCE_OPS);

function codes<K extends string>(names: readonly K[]): Partial<Record<K, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Partial<Record<K, number>>;
}

/** The addon's op code of each op it implements; undefined: left to the TypeScript reference. */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = codes(NATIVE_UNARY);
export const BINARY_CODES: Partial<Record<BinaryOp | (typeof BINARY_EXTRA)[number], number>> = codes(NATIVE_BINARY);
export const REDUCE_CODES: Partial<Record<ReduceOp, number>> = codes(NATIVE_REDUCE);

/** The native ops, as the addon reports them (opsSignature): a build from another registry is refused. */
export const OPS_SIGNATURE = `unary:${NATIVE_UNARY.join(",")};binary:${NATIVE_BINARY.join(",")};reduce:${NATIVE_REDUCE.join(",")}`;

function cppEnum(name: string, names: readonly string[]): string {
  return `enum class ${name} : int {\n${names.map((n, i) => `  ${n.toUpperCase()} = ${i},`).join("\n")}\n};`;
}

/** native/src/ops.h, as it must read. */
export function nativeHeader(): string {
  return `// native/src/ops.h
// GENERATED from runtime/tensor/op_registry.ts by runtime/tensor/cpu/native_abi.ts: do not edit.
// Rewrite with \`npm run gen:native\`; test/tensor/native_abi.test.ts fails when it is stale.
// The parameter block's slots and the op codes the TypeScript side (cpu/native.ts) uses: each
// kernel's switch covers its enum, so the compiler (-Werror=switch) names a missing op.
#pragma once

namespace tsg {

constexpr int P_LEN = ${P_LEN};
constexpr int PTR_BASE = ${PTR_BASE};  // P[PTR_BASE + i]: the data address of a call's i-th array
constexpr int MAX_DIMS = ${MAX_DIMS};

// Scalar slots after an element-wise layout (strided.h).
constexpr int UNARY_PARAM = ${UNARY_PARAM};
constexpr int UNARY_PARAM2 = ${UNARY_PARAM2};
constexpr int BINARY_B_IS_SCALAR = ${BINARY_B_IS_SCALAR};
constexpr int BINARY_SCALAR = ${BINARY_SCALAR};

${cppEnum("UnaryOp", NATIVE_UNARY)}

${cppEnum("BinaryOp", NATIVE_BINARY)}

${cppEnum("ReduceOp", NATIVE_REDUCE)}

constexpr const char* OPS_SIGNATURE = "${OPS_SIGNATURE}";

}  // namespace tsg
`;
}

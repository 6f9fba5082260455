# native/binding.gyp
# Builds tsgrad_native.node: the N-API CPU kernels (GEMM and convolution through oneDNN, pooling,
# element-wise, reductions, Adam) with OpenMP. Built by scripts/install.d/30-native.sh with
#   node-gyp rebuild --nodedir=/usr   (Debian's Node headers, so nothing is downloaded)
# -march=native: the addon is built on the machine that runs it (install.sh), never shipped.
# -Werror=switch: every kernel switch covers its op enum (src/ops.h, generated from the registry).
{
  "targets": [{
    "target_name": "tsgrad_native",
    "sources": [
      "src/addon.cpp", "src/gemm.cpp", "src/conv.cpp", "src/pool.cpp",
      "src/elementwise.cpp", "src/reduce.cpp", "src/optim.cpp"
    ],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp", "-fexceptions",
                  "-fno-math-errno", "-fno-trapping-math", "-Werror=switch"],
    "libraries": ["-ldnnl", "-lgomp", "-lmvec"],
    "defines": ["NAPI_VERSION=8"]
  }]
}

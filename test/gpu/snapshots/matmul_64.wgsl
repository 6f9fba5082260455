@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<storage, read> A: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;
var<workgroup> As: array<f32, 512>;
var<workgroup> Bs: array<f32, 512>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let M = P[0]; let N = P[1]; let K = P[2];
  let z = wg.z;
  var ao = P[3];
  var bo = P[6];
  var zr = z;
  let RB = P[9];
  for (var d = RB; d > 0u; d--) {
    let s_ = P[9u + d]; let c_ = zr % s_; zr = zr / s_;
    ao += c_ * P[9u + RB + d]; bo += c_ * P[9u + 2u * RB + d];
  }
  let co = z * M * N;
  let k_begin = 0u; let k_end = K;
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  var c0_0 = 0.0; var c0_1 = 0.0; var c0_2 = 0.0; var c0_3 = 0.0;
  var c1_0 = 0.0; var c1_1 = 0.0; var c1_2 = 0.0; var c1_3 = 0.0;
  var c2_0 = 0.0; var c2_1 = 0.0; var c2_2 = 0.0; var c2_3 = 0.0;
  var c3_0 = 0.0; var c3_1 = 0.0; var c3_2 = 0.0; var c3_3 = 0.0;
  let ar0 = row0 + (lid + 0u) / 8u; let akk0 = (lid + 0u) % 8u;
  let arow0 = ao + ar0 * P[4];
  let ar1 = row0 + (lid + 256u) / 8u; let akk1 = (lid + 256u) % 8u;
  let arow1 = ao + ar1 * P[4];
  let bc0 = col0 + (lid + 0u) % 64u; let bkk0 = (lid + 0u) / 64u;
  let bcol0 = bo + bc0 * P[8];
  let bc1 = col0 + (lid + 256u) % 64u; let bkk1 = (lid + 256u) / 64u;
  let bcol1 = bo + bc1 * P[8];
  for (var k0 = k_begin; k0 < k_end; k0 += 8u) {
    { let gk = k0 + akk0; var v = 0.0;
      if (ar0 < M && gk < k_end) { v = A[arow0 + gk * P[5]]; }
      As[akk0 * 64u + ar0 - row0] = v; }
    { let gk = k0 + akk1; var v = 0.0;
      if (ar1 < M && gk < k_end) { v = A[arow1 + gk * P[5]]; }
      As[akk1 * 64u + ar1 - row0] = v; }
    { let gk = k0 + bkk0; var v = 0.0;
      if (bc0 < N && gk < k_end) { v = B[bcol0 + gk * P[7]]; }
      Bs[bkk0 * 64u + bc0 - col0] = v; }
    { let gk = k0 + bkk1; var v = 0.0;
      if (bc1 < N && gk < k_end) { v = B[bcol1 + gk * P[7]]; }
      Bs[bkk1 * 64u + bc1 - col0] = v; }
    workgroupBarrier();
    for (var kk = 0u; kk < 8u; kk++) {
      let a0 = As[kk * 64u + ty + 0u];
      let a1 = As[kk * 64u + ty + 16u];
      let a2 = As[kk * 64u + ty + 32u];
      let a3 = As[kk * 64u + ty + 48u];
      let b0 = Bs[kk * 64u + tx + 0u];
      let b1 = Bs[kk * 64u + tx + 16u];
      let b2 = Bs[kk * 64u + tx + 32u];
      let b3 = Bs[kk * 64u + tx + 48u];
      c0_0 = fma(a0, b0, c0_0);
      c0_1 = fma(a0, b1, c0_1);
      c0_2 = fma(a0, b2, c0_2);
      c0_3 = fma(a0, b3, c0_3);
      c1_0 = fma(a1, b0, c1_0);
      c1_1 = fma(a1, b1, c1_1);
      c1_2 = fma(a1, b2, c1_2);
      c1_3 = fma(a1, b3, c1_3);
      c2_0 = fma(a2, b0, c2_0);
      c2_1 = fma(a2, b1, c2_1);
      c2_2 = fma(a2, b2, c2_2);
      c2_3 = fma(a2, b3, c2_3);
      c3_0 = fma(a3, b0, c3_0);
      c3_1 = fma(a3, b1, c3_1);
      c3_2 = fma(a3, b2, c3_2);
      c3_3 = fma(a3, b3, c3_3);
    }
    workgroupBarrier();
  }
  { let r = row0 + ty + 0u; let c = col0 + tx + 0u;
    if (r < M && c < N) { C[co + r * N + c] = c0_0; } }
  { let r = row0 + ty + 0u; let c = col0 + tx + 16u;
    if (r < M && c < N) { C[co + r * N + c] = c0_1; } }
  { let r = row0 + ty + 0u; let c = col0 + tx + 32u;
    if (r < M && c < N) { C[co + r * N + c] = c0_2; } }
  { let r = row0 + ty + 0u; let c = col0 + tx + 48u;
    if (r < M && c < N) { C[co + r * N + c] = c0_3; } }
  { let r = row0 + ty + 16u; let c = col0 + tx + 0u;
    if (r < M && c < N) { C[co + r * N + c] = c1_0; } }
  { let r = row0 + ty + 16u; let c = col0 + tx + 16u;
    if (r < M && c < N) { C[co + r * N + c] = c1_1; } }
  { let r = row0 + ty + 16u; let c = col0 + tx + 32u;
    if (r < M && c < N) { C[co + r * N + c] = c1_2; } }
  { let r = row0 + ty + 16u; let c = col0 + tx + 48u;
    if (r < M && c < N) { C[co + r * N + c] = c1_3; } }
  { let r = row0 + ty + 32u; let c = col0 + tx + 0u;
    if (r < M && c < N) { C[co + r * N + c] = c2_0; } }
  { let r = row0 + ty + 32u; let c = col0 + tx + 16u;
    if (r < M && c < N) { C[co + r * N + c] = c2_1; } }
  { let r = row0 + ty + 32u; let c = col0 + tx + 32u;
    if (r < M && c < N) { C[co + r * N + c] = c2_2; } }
  { let r = row0 + ty + 32u; let c = col0 + tx + 48u;
    if (r < M && c < N) { C[co + r * N + c] = c2_3; } }
  { let r = row0 + ty + 48u; let c = col0 + tx + 0u;
    if (r < M && c < N) { C[co + r * N + c] = c3_0; } }
  { let r = row0 + ty + 48u; let c = col0 + tx + 16u;
    if (r < M && c < N) { C[co + r * N + c] = c3_1; } }
  { let r = row0 + ty + 48u; let c = col0 + tx + 32u;
    if (r < M && c < N) { C[co + r * N + c] = c3_2; } }
  { let r = row0 + ty + 48u; let c = col0 + tx + 48u;
    if (r < M && c < N) { C[co + r * N + c] = c3_3; } }
}
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> PARAM: array<f32>;
@group(0) @binding(2) var<storage, read> GRAD: array<f32>;
@group(0) @binding(3) var<storage, read_write> M1: array<f32>;
@group(0) @binding(4) var<storage, read_write> V2: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid3_: vec3<u32>, @builtin(num_workgroups) nwg_: vec3<u32>) {
  let gid = gid3_.x + gid3_.y * nwg_.x * 256u;
  if (gid >= P[0]) { return; }
  let lr = bitcast<f32>(P[1]); let b1 = bitcast<f32>(P[2]); let b2 = bitcast<f32>(P[3]); let eps = bitcast<f32>(P[4]); let wd = bitcast<f32>(P[5]);
  var p = PARAM[gid];
  var g = GRAD[gid];
  if (P[8] != 0u) { p = p * (1.0 - lr * wd); } else { g = g + wd * p; }
  let m = b1 * M1[gid] + (1.0 - b1) * g;
  let v = b2 * V2[gid] + (1.0 - b2) * g * g;
  M1[gid] = m;
  V2[gid] = v;
  PARAM[gid] = p - bitcast<f32>(P[6]) * m / (sqrt(v) / bitcast<f32>(P[7]) + eps);
}
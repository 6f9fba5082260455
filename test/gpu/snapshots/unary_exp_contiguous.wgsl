@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;
@group(0) @binding(2) var<storage, read> IN0: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid3_: vec3<u32>, @builtin(num_workgroups) nwg_: vec3<u32>) {
  let gid = gid3_.x + gid3_.y * nwg_.x * 256u;
  if (gid >= P[0]) { return; }
  let i0 = P[2] + gid;
  let v0 = IN0[i0];
  let x0 = v0;
  OUT[gid] = exp(x0);
}
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;
@group(0) @binding(2) var<storage, read> IN0: array<f32>;
@group(0) @binding(3) var<storage, read> IN1: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid3_: vec3<u32>, @builtin(num_workgroups) nwg_: vec3<u32>) {
  let gid = gid3_.x + gid3_.y * nwg_.x * 256u;
  if (gid >= P[0]) { return; }
  var i0 = P[4];
  var r_ = gid;
  { let s_ = P[3]; let c_ = r_ % s_; r_ = r_ / s_;
    i0 += c_ * P[7];
  }
  { let s_ = P[2]; let c_ = r_ % s_; r_ = r_ / s_;
    i0 += c_ * P[6];
  }
  { let s_ = P[1]; let c_ = r_ % s_; r_ = r_ / s_;
    i0 += c_ * P[5];
  }
  let v0 = IN0[i0];
  let i1 = P[8] + gid;
  let v1 = IN1[i1];
  let a0 = v0;
  let b0 = v1;
  OUT[gid] = (a0 + b0);
}
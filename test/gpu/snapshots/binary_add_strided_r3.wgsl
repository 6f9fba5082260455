@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;
@group(0) @binding(2) var<storage, read> IN0: array<f32>;
@group(0) @binding(3) var<storage, read> IN1: array<f32>;

var<private> INF_BITS_: u32 = 0x7f800000u;
fn inf_() -> f32 { return bitcast<f32>(INF_BITS_); }
fn nan_() -> f32 { return bitcast<f32>(INF_BITS_ | 0x400000u); }
fn erf_(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}
fn expm1_(x: f32) -> f32 {
  // Kahan's trick: exact where exp(x) rounds to 1, accurate to a few ulp elsewhere.
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (abs(x) > 0.5) { return um1; }
  return um1 * x / log(u);
}
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (abs(x) > 0.5) { return log(u); }
  return log(u) * x / (u - 1.0);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (a == 0.0) { return select(0.0, inf_(), b < 0.0); }
  if (a < 0.0) {
    if (floor(b) != b) { return nan_(); }
    let r = exp2(b * log2(-a));
    return select(r, -r, (abs(b) % 2.0) == 1.0);
  }
  return exp2(b * log2(a));
}
fn tanh_(x: f32) -> f32 {
  // Clamped: some drivers compute tanh through exp and overflow to NaN past |x| ~ 44.
  return tanh(clamp(x, -15.0, 15.0));
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

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
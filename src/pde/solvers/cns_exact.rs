//! Exact solution of the Riemann problem for the 1D Euler equations of an ideal gas, the oracle of
//! the [`super::cns`] tests (Toro, *Riemann Solvers and Numerical Methods for Fluid Dynamics*,
//! ch. 4; our own implementation).
//!
//! # Math
//! Left and right constant states `W_K = (ρ_K, u_K, p_K)` separated at `x = 0` evolve self-similarly
//! in `ξ = x/t`. The star pressure `p*` is the root of
//! `f(p) = f_L(p) + f_R(p) + u_R − u_L`, with
//! * shock (`p > p_K`): `f_K = (p − p_K) √(A_K/(p + B_K))`, `A_K = 2/((γ+1)ρ_K)`,
//!   `B_K = (γ−1)/(γ+1) p_K`;
//! * rarefaction (`p ≤ p_K`): `f_K = 2c_K/(γ−1) ((p/p_K)^{(γ−1)/(2γ)} − 1)`;
//!
//! found by Newton's method from the primitive-variable (PVRS) guess. Then
//! `u* = (u_L + u_R)/2 + (f_R(p*) − f_L(p*))/2`, and the solution at `ξ` is sampled from the
//! shock / rarefaction-fan formulas (Toro §4.5). Vacuum generation is refused.

use super::error::{Result, SolverError};

/// A primitive state `(ρ, u, p)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Primitive {
    /// Density.
    pub rho: f64,
    /// Velocity.
    pub u: f64,
    /// Pressure.
    pub p: f64,
}

impl Primitive {
    /// Shorthand constructor.
    pub fn new(rho: f64, u: f64, p: f64) -> Self {
        Self { rho, u, p }
    }
}

/// The solved Riemann problem: star state and a sampler of the self-similar solution.
#[derive(Debug, Clone, Copy)]
pub struct ExactRiemann {
    left: Primitive,
    right: Primitive,
    gamma: f64,
    /// Pressure between the two nonlinear waves.
    pub p_star: f64,
    /// Velocity of the contact discontinuity.
    pub u_star: f64,
}

impl ExactRiemann {
    /// Solves the Riemann problem `left | right` for ratio of specific heats `gamma`.
    pub fn new(left: Primitive, right: Primitive, gamma: f64) -> Result<Self> {
        let positive = |w: Primitive| w.rho > 0.0 && w.p > 0.0 && w.u.is_finite();
        if !(gamma > 1.0 && gamma.is_finite() && positive(left) && positive(right)) {
            return Err(SolverError::InvalidConfig(format!(
                "Riemann problem needs gamma > 1 and positive density and pressure: gamma = {gamma}, left {left:?}, right {right:?}"
            )));
        }
        let mut s = Self { left, right, gamma, p_star: 0.0, u_star: 0.0 };
        let (cl, cr) = (s.sound(left), s.sound(right));
        let du = right.u - left.u;
        if 2.0 / (gamma - 1.0) * (cl + cr) <= du {
            return Err(SolverError::InvalidConfig(format!(
                "Riemann problem generates vacuum: u_R - u_L = {du} >= 2(c_L + c_R)/(gamma - 1)"
            )));
        }
        let pv = 0.5 * (left.p + right.p) - 0.125 * du * (left.rho + right.rho) * (cl + cr);
        let mut p = pv.max(1e-10 * left.p.min(right.p));
        for it in 0..100 {
            let ((fl, dl), (fr, dr)) = (s.f_k(p, left), s.f_k(p, right));
            let next = (p - (fl + fr + du) / (dl + dr)).max(1e-14 * p);
            let change = 2.0 * (next - p).abs() / (next + p);
            p = next;
            if change < 1e-15 {
                break;
            }
            if it == 99 {
                return Err(SolverError::NotConverged { iterations: 100, residual: change });
            }
        }
        s.p_star = p;
        s.u_star = 0.5 * (left.u + right.u) + 0.5 * (s.f_k(p, right).0 - s.f_k(p, left).0);
        Ok(s)
    }

    fn sound(&self, w: Primitive) -> f64 {
        (self.gamma * w.p / w.rho).sqrt()
    }

    /// `f_K(p)` and its derivative.
    fn f_k(&self, p: f64, w: Primitive) -> (f64, f64) {
        let g = self.gamma;
        if p > w.p {
            let a = 2.0 / ((g + 1.0) * w.rho);
            let b = (g - 1.0) / (g + 1.0) * w.p;
            let q = (a / (p + b)).sqrt();
            ((p - w.p) * q, q * (1.0 - 0.5 * (p - w.p) / (b + p)))
        } else {
            let c = self.sound(w);
            let r = p / w.p;
            let f = 2.0 * c / (g - 1.0) * (r.powf((g - 1.0) / (2.0 * g)) - 1.0);
            (f, r.powf(-(g + 1.0) / (2.0 * g)) / (w.rho * c))
        }
    }

    /// Density just left of the contact.
    pub fn rho_star_left(&self) -> f64 {
        self.rho_star(self.left)
    }

    /// Density just right of the contact.
    pub fn rho_star_right(&self) -> f64 {
        self.rho_star(self.right)
    }

    fn rho_star(&self, w: Primitive) -> f64 {
        let (g, r) = (self.gamma, self.p_star / w.p);
        if r > 1.0 {
            let m = (g - 1.0) / (g + 1.0);
            w.rho * (r + m) / (m * r + 1.0)
        } else {
            w.rho * r.powf(1.0 / g)
        }
    }

    /// The solution at `ξ = x/t` (Toro §4.5).
    pub fn sample(&self, xi: f64) -> Primitive {
        if xi <= self.u_star {
            self.sample_side(xi, self.left, 1.0)
        } else {
            self.sample_side(xi, self.right, -1.0)
        }
    }

    /// One side of the contact; `sign = +1` for the left state, `−1` for the right (mirror).
    fn sample_side(&self, xi: f64, w: Primitive, sign: f64) -> Primitive {
        let g = self.gamma;
        let c = self.sound(w);
        let r = self.p_star / w.p;
        let star = Primitive::new(self.rho_star(w), self.u_star, self.p_star);
        // In mirrored coordinates every wave of this side moves to the left.
        let (xm, um, usm) = (sign * xi, sign * w.u, sign * self.u_star);
        if r > 1.0 {
            let s = um - c * ((g + 1.0) / (2.0 * g) * r + (g - 1.0) / (2.0 * g)).sqrt();
            return if xm <= s { w } else { star };
        }
        let head = um - c;
        let tail = usm - c * r.powf((g - 1.0) / (2.0 * g));
        if xm <= head {
            w
        } else if xm > tail {
            star
        } else {
            let br = 2.0 / (g + 1.0) + (g - 1.0) / ((g + 1.0) * c) * (um - xm);
            let u = 2.0 / (g + 1.0) * (c + 0.5 * (g - 1.0) * um + xm);
            Primitive::new(w.rho * br.powf(2.0 / (g - 1.0)), sign * u, w.p * br.powf(2.0 * g / (g - 1.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Toro's Table 4.3 star states (5 significant digits, so tolerance 1e-5 relative + rounding).
    #[test]
    fn matches_toro_star_states() {
        let cases = [
            // (left, right, p*, u*, rho*L, rho*R)
            ((1.0, 0.0, 1.0), (0.125, 0.0, 0.1), 0.30313, 0.92745, 0.42632, 0.26557),
            ((1.0, -2.0, 0.4), (1.0, 2.0, 0.4), 0.00189, 0.0, 0.02185, 0.02185),
            ((1.0, 0.0, 1000.0), (1.0, 0.0, 0.01), 460.894, 19.5975, 0.57506, 5.99924),
            ((1.0, 0.0, 0.01), (1.0, 0.0, 100.0), 46.0950, -6.19633, 5.99242, 0.57511),
        ];
        for (l, r, ps, us, rl, rr) in cases {
            let e = ExactRiemann::new(Primitive::new(l.0, l.1, l.2), Primitive::new(r.0, r.1, r.2), 1.4).unwrap();
            let close = |a: f64, b: f64, what| {
                assert!((a - b).abs() <= 6e-6 * b.abs().max(1.0) + 5e-6, "{what}: {a} vs {b}");
            };
            close(e.p_star, ps, "p*");
            close(e.u_star, us, "u*");
            close(e.rho_star_left(), rl, "rho*L");
            close(e.rho_star_right(), rr, "rho*R");
        }
    }

    /// The fan joins its head and tail states continuously, and far states are the inputs.
    #[test]
    fn sampling_is_continuous_across_the_fan() {
        let (l, r) = (Primitive::new(1.0, 0.0, 1.0), Primitive::new(0.125, 0.0, 0.1));
        let e = ExactRiemann::new(l, r, 1.4).unwrap();
        let c = (1.4f64).sqrt();
        let head = e.sample(-c + 1e-9);
        assert!((head.rho - 1.0).abs() < 1e-8 && head.u.abs() < 1e-8);
        let c_star = c * (e.p_star).powf(0.4 / 2.8);
        let tail = e.sample(e.u_star - c_star - 1e-9);
        assert!((tail.p - e.p_star).abs() < 1e-7 && (tail.u - e.u_star).abs() < 1e-7);
        assert_eq!(e.sample(10.0), r);
        assert_eq!(e.sample(-10.0), l);
        let vac = ExactRiemann::new(Primitive::new(1.0, -5.0, 0.4), Primitive::new(1.0, 5.0, 0.4), 1.4);
        assert!(matches!(vac, Err(SolverError::InvalidConfig(_))));
    }
}

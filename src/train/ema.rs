//! Exponential moving average of weights (Polyak & Juditsky 1992; the EMA used by DDPM and
//! score_sde): `ema ← decay · ema + (1 - decay) · θ` after every optimiser step.
//!
//! The update walks both modules in the same (derive-generated) parameter order: a visitor
//! collects the current weights, a mapper blends them into the EMA copy. Everything stays on
//! the device as tensor operations.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

struct Collect<B: Backend> {
    flat: Vec<Tensor<B, 1>>,
}

impl<B: Backend> ModuleVisitor<B> for Collect<B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.flat.push(param.val().reshape([-1]));
    }
}

struct Blend<B: Backend> {
    flat: std::vec::IntoIter<Tensor<B, 1>>,
    decay: f32,
}

impl<B: Backend> ModuleMapper<B> for Blend<B> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let (id, old, mapper) = param.consume();
        let cur = self.flat.next().expect("EMA and model have the same parameters");
        let shape = old.dims();
        let new = old.mul_scalar(self.decay) + cur.reshape(shape).mul_scalar(1.0 - self.decay);
        Param::from_mapped_value(id, new.detach(), mapper)
    }
}

/// Blend `current` into `ema` with weight `1 - decay`.
pub fn ema_update<B: Backend, M: Module<B>>(ema: M, current: &M, decay: f64) -> M {
    let mut c = Collect { flat: vec![] };
    current.visit(&mut c);
    let n = c.flat.len();
    let mut blend = Blend { flat: c.flat.into_iter(), decay: decay as f32 };
    let out = ema.map(&mut blend);
    debug_assert_eq!(blend.flat.len(), 0, "EMA had fewer parameters than the model ({n})");
    out
}

struct Flatten {
    values: Vec<f32>,
}

impl<B: Backend> ModuleVisitor<B> for Flatten {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let v: Vec<f32> = param.val().into_data().convert::<f32>().into_vec().expect("float data");
        self.values.extend(v);
    }
}

/// All float parameters of a module, in declaration order, copied to the host (for
/// comparisons and diagnostics; parameter ids are not included).
pub fn flat_parameters<B: Backend, M: Module<B>>(m: &M) -> Vec<f32> {
    let mut f = Flatten { values: vec![] };
    m.visit(&mut f);
    f.values
}

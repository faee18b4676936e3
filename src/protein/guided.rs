//! DRAKES' inference-time baselines (classifier guidance, SMC, TDS; brief `drakes.md` §4.1) on
//! the protein track: the same [`crate::drakes::guidance::guided_sample`] as for DNA, with
//! ProteinMPNN as the [`MaskedDenoiser`] and a contact energy as the [`HostReward`].
//!
//! Time grid: `guided_sample` walks `t = 1 → 0` in `steps` uniform steps with unmasked
//! fraction `α(t) = 1 − (1 − t_min) t` ([`MaskSchedule::LogLinear`] with `eps = t_min`), i.e.
//! the protein sampler's grid `t_min, …, 1` of `steps + 1` points and its unmask probabilities
//! `(t' − t)/(1 − t)` ([`crate::protein::design`]). Residue probabilities are
//! `softmax(logits/T)` over the 20 amino acids at masked positions and one-hot at known ones.

use burn::tensor::activation::softmax;
use burn::tensor::backend::Backend;
use ndarray::{Array2, Array3};

use super::design::DesignConfig;
use super::energy::{Contacts, Energy};
use super::mpnn::{Encoded, ProteinMpnn, Visibility, one_hot};
use crate::discrete::MaskedDenoiser;
use crate::discrete::schedule::MaskSchedule;
use crate::drakes::guidance::{Guidance, HostReward, guided_sample};

const AA: usize = 20;

/// ProteinMPNN on one encoded backbone as a host-side masked denoiser (mask token = 20).
pub struct MpnnDenoiser<'a, B: Backend> {
    /// Network.
    pub net: &'a ProteinMpnn<B>,
    /// The backbone, encoded.
    pub enc: &'a Encoded<B>,
    /// Sampling temperature T.
    pub temperature: f64,
}

impl<B: Backend> MaskedDenoiser for MpnnDenoiser<'_, B> {
    fn vocab(&self) -> usize {
        AA
    }
    fn probs(&mut self, z: &Array2<usize>, _t: f64) -> Array3<f64> {
        let (n, l) = z.dim();
        let seqs: Vec<Vec<u8>> = z.rows().into_iter().map(|r| r.iter().map(|&c| c.min(AA) as u8).collect()).collect();
        let known: Vec<Vec<bool>> = z.rows().into_iter().map(|r| r.iter().map(|&c| c < AA).collect()).collect();
        let d = self.enc.nodes.device();
        let logits = self.net.decode(self.enc, one_hot(&seqs, &d), &Visibility::Unmasked(known));
        let p = softmax(logits.narrow(2, 0, AA).div_scalar(self.temperature as f32), 2);
        let flat: Vec<f32> = p.into_data().convert::<f32>().into_vec().expect("f32 data");
        Array3::from_shape_fn((n, l, AA), |(i, j, a)| match z[[i, j]] {
            c if c < AA => f64::from(u8::from(c == a)),
            _ => f64::from(flat[(i * l + j) * AA + a]),
        })
    }
}

/// A contact energy on one backbone as a guidance reward (`−E/L`, gradient `−∂E/∂p / L`).
pub struct EnergyReward<'a> {
    /// Potential.
    pub energy: &'a Energy,
    /// Contacts of the backbone.
    pub contacts: &'a Contacts,
}

impl HostReward for EnergyReward<'_> {
    fn values(&self, x: &Array2<usize>) -> Vec<f64> {
        x.rows().into_iter().map(|r| self.energy.reward(self.contacts, &r.iter().map(|&c| c as u8).collect::<Vec<_>>())).collect()
    }
    fn grad(&self, p: &Array3<f64>) -> Array3<f64> {
        let (n, l, _) = p.dim();
        let mut out = Array3::zeros((n, l, AA));
        for i in 0..n {
            let rows: Vec<[f64; AA]> = (0..l).map(|j| std::array::from_fn(|a| p[[i, j, a]])).collect();
            let (_, g) = self.energy.energy_soft(self.contacts, &rows);
            for (j, gj) in g.iter().enumerate() {
                for a in 0..AA {
                    out[[i, j, a]] = -gj[a] / l as f64;
                }
            }
        }
        out
    }
}

/// `n` designs for one encoded backbone with a guidance baseline (particles = `cfg.batch`
/// designs at a time, so SMC/TDS resample within each batch).
#[allow(clippy::too_many_arguments)]
pub fn guided_design<B: Backend>(
    net: &ProteinMpnn<B>,
    enc: &Encoded<B>,
    reward: &EnergyReward,
    method: Guidance,
    n: usize,
    cfg: &DesignConfig,
    rng: &mut rand::rngs::StdRng,
    on_step: &mut dyn FnMut(usize),
) -> Vec<Vec<u8>> {
    let schedule = MaskSchedule::LogLinear { eps: cfg.t_min };
    let mut den = MpnnDenoiser { net, enc, temperature: cfg.temperature };
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let z = guided_sample(&mut den, reward, method, b, enc.graph.len, &schedule, cfg.steps - 1, rng, on_step);
        out.extend(z.rows().into_iter().map(|r| r.iter().map(|&c| c as u8).collect::<Vec<u8>>()));
    }
    out
}

/// [`guided_design`] for every backbone, each with its own random stream (as
/// [`crate::protein::run::design_set`], so `--limit N` reproduces the first N backbones).
#[allow(clippy::too_many_arguments)]
pub fn guided_set<B: Backend>(
    net: &ProteinMpnn<B>,
    backbones: &[super::Backbone],
    n: usize,
    cfg: &DesignConfig,
    seed: u64,
    method: Guidance,
    energy: &Energy,
    on_step: &mut dyn FnMut(usize),
) -> Result<Vec<super::run::Designs>, super::ProteinError> {
    cfg.validate()?;
    Ok(backbones
        .iter()
        .enumerate()
        .map(|(i, bb)| {
            let enc = net.encode(&super::features::featurize(bb, net.k));
            let contacts = Contacts::of(bb);
            let reward = EnergyReward { energy, contacts: &contacts };
            let mut rng = crate::rng(super::run::stream_seed(seed, i));
            let seqs = guided_design(net, &enc, &reward, method, n, cfg, &mut rng, on_step);
            super::run::Designs { name: bb.name.clone(), seqs }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protein::features::featurize;
    use crate::protein::features::tests::helix;
    use burn::backend::NdArray;

    #[test]
    fn the_schedule_reproduces_the_protein_grid() {
        let cfg = DesignConfig { steps: 16, ..DesignConfig::default() };
        let s = MaskSchedule::LogLinear { eps: cfg.t_min };
        let steps = cfg.steps - 1;
        for (k, g) in cfg.grid().iter().enumerate() {
            assert!((s.alpha(1.0 - k as f64 / steps as f64) - g).abs() < 1e-12, "grid point {k}");
        }
    }

    #[test]
    fn denoiser_is_one_hot_at_known_residues_and_the_tempered_decoder_elsewhere() {
        let d = Default::default();
        let net = ProteinMpnn::<NdArray<f32>>::new(48, &d);
        let enc = net.encode(&featurize(&helix(9), 48));
        let mut den = MpnnDenoiser { net: &net, enc: &enc, temperature: 0.3 };
        let z = Array2::from_shape_fn((2, 9), |(i, j)| if (i + j) % 3 == 0 { (i * 5 + j) % 20 } else { AA });
        let p = den.probs(&z, 0.5);
        let seqs: Vec<Vec<u8>> = z.rows().into_iter().map(|r| r.iter().map(|&c| c.min(AA) as u8).collect()).collect();
        let known: Vec<Vec<bool>> = z.rows().into_iter().map(|r| r.iter().map(|&c| c < AA).collect()).collect();
        let logits = net.decode(&enc, one_hot(&seqs, &d), &Visibility::Unmasked(known));
        let want: Vec<f32> = softmax(logits.narrow(2, 0, AA).div_scalar(0.3), 2).into_data().convert::<f32>().into_vec().unwrap();
        for i in 0..2 {
            for j in 0..9 {
                let sum: f64 = (0..AA).map(|a| p[[i, j, a]]).sum();
                assert!((sum - 1.0).abs() < 1e-5);
                for a in 0..AA {
                    let w = if z[[i, j]] < AA { f64::from(u8::from(z[[i, j]] == a)) } else { f64::from(want[(i * 9 + j) * AA + a]) };
                    assert!((p[[i, j, a]] - w).abs() < 1e-6);
                }
            }
        }
    }
}

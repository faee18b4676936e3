//! GDSS on molecules (Jo et al. 2022, §4.2 and appendix C.2): the dense tensors of a molecule
//! set, the task configuration and optimisation of a molecule preset, and the decoding of
//! sampled states into molecules.
//!
//! A molecule of `k ≤ N_max` heavy atoms becomes `X ∈ {0,1}^{N_max×F}` (one-hot atom type, no
//! virtual column, padding rows zero), `A ∈ {0,1,2,3}^{N_max×N_max}` (kekulized bond orders,
//! one weighted channel) and node flags `m = (1,…,1,0,…,0)` with `k` ones ([`super::encode`]).
//! GDSS derives the flags from `A`'s row sums, so a one-atom molecule (methane) trains as an
//! empty graph there; here its single atom is flagged, which is the intended behaviour.
//! Training and sampling then run unchanged through [`crate::graph::gdss`]: the same DSM losses,
//! the shared trainer and the same samplers; [`decode_batch`] applies GDSS's decoder, validity
//! check and valency correction to each sampled graph.

use ndarray::ArrayView2;

use super::encode::{GdssDecoded, encode, gdss_decode};
use super::{AtomVocab, ChemError, Molecule};
use crate::graph::gdss::train::{DenseGraphs, GdssTaskConfig};
use crate::graph::gdss::{GdssModelConfig, GdssPreset, MOL_PRESETS};
use crate::train::schedule::LrSchedule;
use crate::train::trainer::TrainConfig;

/// A molecule preset by name: `qm9`, `moses` (also `zinc250k-csv`, which shares its settings).
pub fn mol_preset(name: &str) -> Option<&'static GdssPreset> {
    let key = name.to_ascii_lowercase();
    let key = if key.starts_with("zinc250k") { "moses" } else { key.as_str() };
    MOL_PRESETS.iter().find(|p| p.name == key)
}

/// The atom vocabulary of a molecule preset: QM9's four types, else ZINC250k's nine.
pub fn vocab_for(preset: &GdssPreset) -> AtomVocab {
    if preset.max_feat_num == 4 { AtomVocab::qm9() } else { AtomVocab::zinc250k() }
}

/// The model definition of a molecule preset: its SDEs, `N_max`, `F` and GDSS's networks
/// (QM9: X depth 2 × 16, A 3 layers × 16; MOSES takes ZINC250k's: A 6 layers × 16).
pub fn mol_task_config(preset: &GdssPreset, train_node_counts: Vec<usize>) -> GdssTaskConfig {
    let mut c = GdssTaskConfig::from_preset(preset, train_node_counts);
    c.model = if preset.max_feat_num == 4 { GdssModelConfig::qm9() } else { GdssModelConfig::zinc250k() };
    c
}

/// Dense GDSS tensors of `mols` padded to `n` atoms; fails on the first molecule that does not
/// fit (too many atoms, an element outside `vocab`, not kekulizable) with its index.
pub fn dense_molecules(mols: &[Molecule], vocab: &AtomVocab, n: usize) -> Result<DenseGraphs, (usize, ChemError)> {
    let f = vocab.len();
    let mut d = DenseGraphs { n, f, x: Vec::with_capacity(mols.len() * n * f), adj: Vec::with_capacity(mols.len() * n * n), flags: Vec::with_capacity(mols.len() * n) };
    for (i, m) in mols.iter().enumerate() {
        let (x, a) = encode(m, vocab, n).map_err(|e| (i, e))?;
        let atoms = (0..n).filter(|&r| x.row(r).iter().any(|&v| v > 0.0)).count();
        d.x.extend(x.iter());
        d.adj.extend(a.iter());
        d.flags.extend((0..n).map(|r| if r < atoms { 1.0 } else { 0.0 }));
    }
    Ok(d)
}

/// Decodes a sampled batch (`x` `[b, n, f]`, `adj` `[b, n, n]`, row-major) graph by graph with
/// GDSS's decoder, validity check and valency correction.
pub fn decode_batch(x: &[f32], adj: &[f32], dims: (usize, usize, usize), vocab: &AtomVocab) -> Vec<GdssDecoded> {
    let (b, n, f) = dims;
    (0..b)
        .map(|g| {
            let xv = ArrayView2::from_shape((n, f), &x[g * n * f..(g + 1) * n * f]).expect("x has b·n·f entries");
            let av = ArrayView2::from_shape((n, n), &adj[g * n * n..(g + 1) * n * n]).expect("adj has b·n·n entries");
            gdss_decode(&xv, &av, vocab)
        })
        .collect()
}

/// GDSS's QM9 optimisation (`config/qm9.yaml`): Adam lr 5e-3, `ExponentialLR(0.999)` per epoch
/// (here per step: `0.999^(1/steps_per_epoch)`), weight decay 1e-4, gradient clip 1.0, EMA
/// 0.999, batch 1024, 300 epochs (QM9: 116 steps an epoch → 34,800 steps). MOSES reuses it
/// (GDSS has no MOSES configuration).
pub fn mol_paper_train_config(n_train: usize) -> TrainConfig {
    let batch = 1024;
    let per_epoch = n_train.div_ceil(batch).max(1) as u64;
    TrainConfig {
        steps: 300 * per_epoch,
        batch_size: batch,
        lr: LrSchedule { peak: 5e-3, warmup: 0, decay_steps: 0, floor: 1.0, gamma: Some(0.999f64.powf(1.0 / per_epoch as f64)) },
        weight_decay: 1e-4,
        grad_clip: Some(1.0),
        ema_decay: 0.999,
        checkpoint_every: 500,
        validate_every: 500,
        log_every: 20,
        accumulate: 1,
    }
}

/// The `quick` preset: GDSS's optimiser with batch 256 for 1,500 steps (≈ 3.3 epochs of QM9),
/// the learning rate held at 5e-3 and decayed as after ~13 epochs (`0.999^13` overall is
/// negligible, so it is simply constant); sized to train in under 15 minutes on 2 CPU cores
/// (measured: see `docs/molecules.md`).
pub fn mol_quick_train_config() -> TrainConfig {
    TrainConfig {
        steps: 1500,
        batch_size: 256,
        lr: LrSchedule { peak: 5e-3, warmup: 0, decay_steps: 0, floor: 1.0, gamma: Some(1.0) },
        weight_decay: 1e-4,
        grad_clip: Some(1.0),
        ema_decay: 0.999,
        checkpoint_every: 250,
        validate_every: 250,
        log_every: 10,
        accumulate: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::gdss::sample::flat_yaml;
    use crate::graph::gdss::GdssSde;
    use crate::graph::mol::parse_smiles;

    #[test]
    fn dense_tensors_of_ethanol_and_decode_round_trip() {
        let mols: Vec<Molecule> = ["CCO", "C#N", "c1ccoc1"].iter().map(|s| parse_smiles(s).unwrap()).collect();
        let vocab = AtomVocab::qm9();
        let d = dense_molecules(&mols, &vocab, 9).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(&d.flags[..9], &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(d.flags[9..18].iter().sum::<f32>(), 2.0);
        assert_eq!(d.flags[18..27].iter().sum::<f32>(), 5.0);
        // HCN: C≡N is bond order 3 in both triangle entries.
        assert_eq!(d.adj[81 + 1], 3.0);
        assert_eq!(d.adj[81 + 9], 3.0);
        // Decoding the clean tensors gives back the same molecules, all valid as built.
        let out = decode_batch(&d.x, &d.adj, (3, 9, 4), &vocab);
        for (o, m) in out.iter().zip(&mols) {
            assert!(o.valid_without_correction);
            let back = o.corrected.as_ref().unwrap();
            let mut set = crate::graph::mol::MolSet::new();
            set.insert(m).unwrap();
            assert!(set.contains(back).unwrap(), "{} decoded to {}", crate::graph::mol::write_smiles(m), crate::graph::mol::write_smiles(back));
        }
    }

    #[test]
    fn too_large_and_foreign_atoms_are_named() {
        let mols: Vec<Molecule> = ["CCO", "CCCCCCCCCC", "CCS"].iter().map(|s| parse_smiles(s).unwrap()).collect();
        let err = dense_molecules(&mols, &AtomVocab::qm9(), 9).unwrap_err();
        assert_eq!(err.0, 1);
        let err = dense_molecules(&[mols[0].clone(), mols[2].clone()], &AtomVocab::qm9(), 9).unwrap_err();
        assert_eq!(err.0, 1);
        assert!(err.1.to_string().contains('S'), "{}", err.1);
    }

    /// The QM9 preset against GDSS's released `config_qm9.yaml` (sizes, SDEs, network widths).
    #[test]
    fn qm9_preset_matches_released_yaml() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gdss-checkpoints/config_qm9.yaml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} not present", path.display());
            return;
        };
        let y = flat_yaml(&text);
        let p = mol_preset("qm9").unwrap();
        assert_eq!(y["data.max_node_num"].parse::<usize>().unwrap(), p.max_node_num);
        assert_eq!(y["data.max_feat_num"].parse::<usize>().unwrap(), p.max_feat_num);
        for (c, sde) in [("x", p.sde_x), ("adj", p.sde_adj)] {
            let lo: f64 = y[&format!("sde.{c}.beta_min")].parse().unwrap();
            let hi: f64 = y[&format!("sde.{c}.beta_max")].parse().unwrap();
            assert_eq!(GdssSde::from_yaml(&y[&format!("sde.{c}.type")], lo, hi), Some(sde));
        }
        let cfg = mol_task_config(p, vec![9]);
        assert_eq!(cfg.model, GdssModelConfig::qm9());
        assert_eq!(y["train.lr"].parse::<f64>().unwrap(), mol_paper_train_config(117_917).lr.peak);
        assert_eq!(y["data.batch_size"].parse::<usize>().unwrap(), mol_paper_train_config(117_917).batch_size);
    }
}

#[cfg(test)]
mod single_atom {
    use super::*;
    use crate::graph::gdss::train::{GdssTask, dsm_losses};
    use crate::graph::mol::parse_smiles;
    use burn::backend::{Autodiff, NdArray};

    #[test]
    fn single_atom_molecules_give_finite_losses_and_gradients() {
        type B = Autodiff<NdArray>;
        let device = Default::default();
        let mols: Vec<Molecule> = ["C", "N", "O", "CCO"].iter().map(|s| parse_smiles(s).unwrap()).collect();
        let p = mol_preset("qm9").unwrap();
        let d = dense_molecules(&mols, &AtomVocab::qm9(), 9).unwrap();
        let task = GdssTask::from_dense(mol_task_config(p, vec![1, 1, 1, 3]), d.clone(), d.clone()).unwrap();
        let nets = task.init_nets::<B>(&device);
        for seed in 0..20u64 {
            let mut rng = crate::rng(seed);
            let batch = task.noisy_batch(&d, &[0, 1, 2, 3], &mut rng);
            let (lx, la) = dsm_losses(&nets, &batch, &device);
            let loss = lx + la;
            let v: f32 = loss.clone().into_scalar();
            assert!(v.is_finite(), "seed {seed}: loss {v}");
            let grads = loss.backward();
            let g = nets.adj.clone();
            let _ = (g, grads);
        }
    }
}

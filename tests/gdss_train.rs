//! GDSS training: the two denoising score-matching losses and the training task.
//! Oracles: permutation invariance (a property of equivariant networks with masked, per-entry
//! losses), the structure of GDSS's noise (symmetric, zero diagonal, masked, unit variance),
//! and a short run of the shared trainer lowering the EMA test loss.

use burn::backend::{Autodiff, NdArray};
use burn::module::AutodiffModule;
use petgraph::graph::UnGraph;
use rand::SeedableRng;
use rand::rngs::StdRng;
use scidiff::graph::gdss::train::{DenseGraphs, GdssTask, GdssTaskConfig, dsm_losses, perturb, training_noise};
use scidiff::graph::gdss::{GdssPreset, GraphState};
use scidiff::train::trainer::{Task, TrainConfig, train};

type B = NdArray<f32>;
type AB = Autodiff<B>;

/// Small graphs: a path, a triangle with a tail, a star and a 4-cycle with a chord.
fn graphs() -> Vec<UnGraph<(), ()>> {
    let e: [&[(u32, u32)]; 4] = [&[(0, 1), (1, 2), (2, 3), (3, 4)], &[(0, 1), (1, 2), (2, 0), (2, 3)], &[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)], &[(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]];
    e.iter().map(|es| UnGraph::from_edges(es.iter().copied())).collect()
}

fn small_config(n: usize, f: usize) -> GdssTaskConfig {
    let mut c = GdssTaskConfig::custom("test", &graphs(), &graphs());
    (c.max_node_num, c.max_feat_num) = (n, f);
    c.model.x.max_feat_num = f;
    c.model.adj.max_feat_num = f;
    (c.model.x.depth, c.model.x.nhid) = (2, 8);
    (c.model.adj.num_layers, c.model.adj.nhid, c.model.adj.adim) = (2, 8, 8);
    c
}

/// Applies the node permutation `perm` (new position `i` holds old node `perm[i]`) to every
/// graph of a `[b, n, w]` row tensor and, with `square`, to the columns too.
fn permute(v: &[f32], b: usize, n: usize, w: usize, perm: &[usize], square: bool) -> Vec<f32> {
    let mut out = vec![0.0; v.len()];
    for g in 0..b {
        for i in 0..n {
            for k in 0..w {
                let src_k = if square { perm[k] } else { k };
                out[(g * n + i) * w + k] = v[(g * n + perm[i]) * w + src_k];
            }
        }
    }
    out
}

#[test]
fn loss_is_invariant_under_node_permutation() {
    let (n, f) = (8, 6);
    let cfg = small_config(n, f);
    let task = GdssTask::new(cfg.clone(), &graphs(), &graphs()).unwrap();
    let data = DenseGraphs::new(&graphs(), n, f).unwrap();
    let b = data.len();
    let device = Default::default();
    let nets = task.init_nets::<B>(&device);
    let (x0, adj0, flags) = data.gather(&(0..b).collect::<Vec<_>>());
    let mut rng = StdRng::seed_from_u64(3);
    let (zx, za) = training_noise(&flags, b, n, f, &mut rng);
    let t = [0.9, 0.3, 0.05, 0.6];
    let base = perturb(&cfg, (b, n, f), &x0, &adj0, flags.clone(), &t, zx.clone(), za.clone());
    let (lx, la) = dsm_losses(&nets, &base, &device);
    let (lx, la): (f32, f32) = (lx.into_scalar(), la.into_scalar());
    // A permutation that also moves padding nodes in front of real ones.
    let perm = [7, 2, 5, 0, 6, 1, 4, 3];
    let p = |v: &[f32], w: usize, sq: bool| permute(v, b, n, w, &perm, sq);
    let moved = perturb(&cfg, (b, n, f), &p(&x0, f, false), &p(&adj0, n, true), p(&flags, 1, false), &t, p(&zx, f, false), p(&za, n, true));
    let (px, pa) = dsm_losses(&nets, &moved, &device);
    let (px, pa): (f32, f32) = (px.into_scalar(), pa.into_scalar());
    // f32 sums of a few hundred O(1) terms in a different order: relative error ~1e-6.
    assert!((lx - px).abs() <= 1e-5 * lx.abs().max(1.0), "X loss {lx} vs permuted {px}");
    assert!((la - pa).abs() <= 1e-5 * la.abs().max(1.0), "A loss {la} vs permuted {pa}");
    assert!(lx > 0.0 && la > 0.0);
}

#[test]
fn training_noise_is_symmetric_zero_diagonal_masked_unit_variance() {
    let (b, n, f) = (60, 12, 3);
    let counts: Vec<usize> = (0..b).map(|g| 4 + g % 9).collect();
    let flags: Vec<f32> = GraphState::<B>::flags_from_counts(&counts, n, &Default::default()).into_data().to_vec().unwrap();
    let (zx, za) = training_noise(&flags, b, n, f, &mut StdRng::seed_from_u64(11));
    let (mut sum2, mut m) = (0.0f64, 0usize);
    for g in 0..b {
        for i in 0..n {
            let real_i = i < counts[g];
            for k in 0..f {
                assert!(real_i || zx[(g * n + i) * f + k] == 0.0, "X noise on a padding row");
            }
            for j in 0..n {
                let z = za[(g * n + i) * n + j];
                assert_eq!(z, za[(g * n + j) * n + i], "A noise not symmetric");
                if i == j || !real_i || j >= counts[g] {
                    assert_eq!(z, 0.0, "A noise must vanish on the diagonal and on padding");
                } else if i < j {
                    sum2 += (z as f64).powi(2);
                    m += 1;
                }
            }
        }
    }
    // ~2,400 independent N(0,1) entries: the variance estimate has sd √(2/m) ≈ 0.03; allow 4 sd.
    let var = sum2 / m as f64;
    assert!((var - 1.0).abs() < 4.0 * (2.0 / m as f64).sqrt(), "off-diagonal variance {var} over {m} entries");
    // The perturbed adjacency the networks see is symmetric with a zero diagonal too.
    let task = GdssTask::new(small_config(8, 6), &graphs(), &graphs()).unwrap();
    let data = DenseGraphs::new(&graphs(), 8, 6).unwrap();
    let nb = task.noisy_batch(&data, &[0, 1, 2, 3], &mut StdRng::seed_from_u64(5));
    for g in 0..4 {
        for i in 0..8 {
            assert_eq!(nb.adj_t[(g * 8 + i) * 8 + i], 0.0);
            for j in 0..8 {
                assert_eq!(nb.adj_t[(g * 8 + i) * 8 + j], nb.adj_t[(g * 8 + j) * 8 + i]);
            }
        }
    }
}

#[test]
fn vp_loss_of_a_zero_network_is_half_the_noise_energy() {
    // With every weight zero, both networks output 0 (the biases are zero too), so for VP SDEs
    // the residual is the noise itself: L = 1/B Σ ½‖z‖² exactly.
    use burn::module::Module;
    use burn::module::ModuleMapper;
    use burn::tensor::Tensor;
    struct Zero;
    impl ModuleMapper<B> for Zero {
        fn map_float<const D: usize>(&mut self, p: burn::module::Param<Tensor<B, D>>) -> burn::module::Param<Tensor<B, D>> {
            p.map(|t| t.zeros_like())
        }
    }
    let (n, f) = (8, 6);
    let cfg = small_config(n, f);
    let task = GdssTask::new(cfg.clone(), &graphs(), &graphs()).unwrap();
    let nets = task.init_nets::<B>(&Default::default()).map(&mut Zero);
    let data = DenseGraphs::new(&graphs(), n, f).unwrap();
    let nb = task.noisy_batch(&data, &[0, 1, 2, 3], &mut StdRng::seed_from_u64(9));
    let (lx, la) = dsm_losses(&nets, &nb, &Default::default());
    let half = |z: &[f32]| z.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() * 0.5 / 4.0;
    assert!((lx.into_scalar() as f64 - half(&nb.z_x)).abs() < 1e-4);
    assert!((la.into_scalar() as f64 - half(&nb.z_adj)).abs() < 1e-4);
}

#[test]
fn short_training_run_lowers_the_test_loss() {
    let gs = graphs();
    let all: Vec<_> = gs.iter().cycle().take(16).cloned().collect();
    let cfg = small_config(8, 6);
    let task = GdssTask::new(cfg, &all, &gs).unwrap();
    let device = Default::default();
    let seed = 4;
    <AB as burn::tensor::backend::Backend>::seed(&device, seed);
    let init = <GdssTask as Task<AB>>::init_model(&task, &device).valid();
    let before = <GdssTask as Task<AB>>::validate(&task, &init, seed, &device);
    let dir = tempfile::tempdir().unwrap();
    let mut tc = TrainConfig { steps: 80, batch_size: 8, ..TrainConfig::default() };
    tc.lr.peak = 5e-3;
    tc.lr.warmup = 5;
    tc.validate_every = 80;
    let report = train::<AB, GdssTask>(&task, &tc, dir.path(), seed, false, &device, false).unwrap();
    let after = report.val_loss.unwrap();
    // The initial loss is ≈ ½E‖z − net‖² ≥ ½E‖z‖²; 80 steps must remove a clear part of it.
    assert!(after < 0.8 * before, "EMA test loss {after} not below 0.8 × initial {before}");
    // The run directory samples: EMA weights reload and the preset's sampler settings exist.
    let p = task.config.sampling_preset();
    assert_eq!(p.max_node_num, 8);
    assert!(GdssPreset::by_name("community-small").is_some());
}

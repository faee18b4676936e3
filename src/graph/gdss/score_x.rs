//! GDSS node-feature score network `s_X(X_t, A_t)` (`ScoreNetworkX`).
//!
//! ```text
//! H₀ = X,   H_{l+1} = tanh(GCN_l(H_l, A))          l = 0 … depth−1
//! s_X = mask( MLP₃([H₀ ‖ H₁ ‖ … ‖ H_depth]) )
//! ```
//! The MLP has widths `fdim → 2·fdim → 2·fdim → F` with `fdim = F + depth·nhid` and ELU
//! between layers; `mask` zeroes the rows of padding nodes. The network takes no time input.

use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::activation::tanh;
use burn::tensor::backend::Backend;

use super::checkpoint::{CheckpointError, ParamLoader, StateDict};
use super::config::ScoreNetworkXConfig;
use super::layers::{DenseGcnConv, Mlp, mask_x};

/// GCN-based score network for node features (state-dict layout `layers.{l}.{weight,bias}`,
/// `final.linears.{0,1,2}.{weight,bias}`).
#[derive(Module, Debug)]
pub struct ScoreNetworkX<B: Backend> {
    /// The `depth` GCN layers (`F → nhid`, then `nhid → nhid`).
    pub layers: Vec<DenseGcnConv<B>>,
    /// Final 3-layer ELU MLP (`final` in the state dict).
    pub final_mlp: Mlp<B>,
}

impl ScoreNetworkXConfig {
    /// Randomly initialised network (Glorot weights, zero biases).
    pub fn init<B: Backend>(&self, device: &B::Device) -> ScoreNetworkX<B> {
        assert!(self.depth >= 1, "ScoreNetworkX needs depth >= 1");
        let layers = (0..self.depth)
            .map(|l| {
                let d_in = if l == 0 { self.max_feat_num } else { self.nhid };
                DenseGcnConv::new(d_in, self.nhid, device)
            })
            .collect();
        let fdim = self.fdim();
        ScoreNetworkX {
            layers,
            final_mlp: Mlp::new(3, fdim, 2 * fdim, self.max_feat_num, device),
        }
    }
}

impl<B: Backend> ScoreNetworkX<B> {
    /// `x: [b, n, F]`, `adj: [b, n, n]` (noisy, one channel), `flags: [b, n]` → `[b, n, F]`.
    pub fn forward(&self, x: Tensor<B, 3>, adj: Tensor<B, 3>, flags: Tensor<B, 2>) -> Tensor<B, 3> {
        let mut hs = vec![x.clone()];
        let mut h = x;
        for layer in &self.layers {
            h = tanh(layer.forward(h, adj.clone()));
            hs.push(h.clone());
        }
        mask_x(self.final_mlp.forward(Tensor::cat(hs, 2)), flags)
    }

    /// Replaces every parameter by the tensor of the same name in a GDSS state dict.
    /// Fails on a missing key, a shape mismatch or a key the network does not use.
    pub fn load_state_dict(self, sd: &StateDict) -> Result<Self, CheckpointError> {
        let mut ld = ParamLoader::new(sd);
        let mut layers = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.into_iter().enumerate() {
            layers.push(layer.load(&mut ld, &format!("layers.{l}"))?);
        }
        let final_mlp = self.final_mlp.load(&mut ld, "final")?;
        ld.finish()?;
        Ok(Self { layers, final_mlp })
    }
}

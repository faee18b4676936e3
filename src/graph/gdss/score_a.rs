//! GDSS adjacency score network `s_A(X_t, A_t)` (`ScoreNetworkA`).
//!
//! ```text
//! 𝒜⁰ = [A, A², …, A^{c_init}]                          (c_init channels)
//! (H_{l+1}, 𝒜^{l+1}) = GMH_l(H_l, 𝒜^l, flags)           l = 0 … L−1, H₀ = X
//! s_A = mask( (1 − I) ⊙ MLP₃([𝒜⁰ ‖ 𝒜¹ ‖ … ‖ 𝒜^L]) )     (per entry (i, j))
//! ```
//! Layer 0 maps `F → nhid` features and `c_init → c_hid` channels with attention width
//! `nhid`; middle layers `nhid → nhid`, `c_hid → c_hid`, attention width `adim`; the last
//! layer `c_hid → c_final`. The final MLP has widths `fdim → 2·fdim → 2·fdim → 1` with
//! `fdim = c_init + c_hid·(L−1) + c_final` and ELU. Each GMH output channel is `E + Eᵀ`
//! so `s_A` is symmetric; its diagonal and padding rows/columns are zero. The node states
//! only feed the attention maps; the last layer's node output is discarded.

use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::checkpoint::{CheckpointError, ParamLoader, StateDict};
use super::config::ScoreNetworkAConfig;
use super::layers::{AttentionLayer, Mlp, adjacency_powers, mask_adj};

/// GMH-attention score network for the adjacency (state-dict layout
/// `layers.{l}.attn.{c}.gnn_{q,k,v}.*`, `layers.{l}.mlp.linears.*`,
/// `layers.{l}.multi_channel.linears.*`, `final.linears.*`).
#[derive(Module, Debug)]
pub struct ScoreNetworkA<B: Backend> {
    /// The `L` GMH attention layers.
    pub layers: Vec<AttentionLayer<B>>,
    /// Final per-entry 3-layer ELU MLP (`final`).
    pub final_mlp: Mlp<B>,
    /// Number of adjacency powers fed to layer 0.
    pub c_init: usize,
}

impl ScoreNetworkAConfig {
    /// Randomly initialised network (Glorot weights, zero biases).
    pub fn init<B: Backend>(&self, device: &B::Device) -> ScoreNetworkA<B> {
        assert!(self.num_layers >= 2, "ScoreNetworkA needs num_layers >= 2");
        let l_last = self.num_layers - 1;
        let layers = (0..self.num_layers)
            .map(|l| {
                let (f_in, attn, c_in, c_out) = if l == 0 {
                    (self.max_feat_num, self.nhid, self.c_init, self.c_hid)
                } else if l == l_last {
                    (self.nhid, self.adim, self.c_hid, self.c_final)
                } else {
                    (self.nhid, self.adim, self.c_hid, self.c_hid)
                };
                AttentionLayer::new(
                    self.num_linears,
                    f_in,
                    attn,
                    self.nhid,
                    c_in,
                    c_out,
                    self.num_heads,
                    device,
                )
            })
            .collect();
        let fdim = self.fdim();
        ScoreNetworkA {
            layers,
            final_mlp: Mlp::new(3, fdim, 2 * fdim, 1, device),
            c_init: self.c_init,
        }
    }
}

impl<B: Backend> ScoreNetworkA<B> {
    /// `x: [b, n, F]`, `adj: [b, n, n]` (noisy, one channel), `flags: [b, n]` → `[b, n, n]`.
    pub fn forward(&self, x: Tensor<B, 3>, adj: Tensor<B, 3>, flags: Tensor<B, 2>) -> Tensor<B, 3> {
        let [_, n, _] = adj.dims();
        let device = adj.device();
        let mut adjc = adjacency_powers(adj, self.c_init);
        let mut all = vec![adjc.clone()];
        let mut h = x;
        for layer in &self.layers {
            let (h_new, a_new) = layer.forward(h, adjc, flags.clone());
            h = h_new;
            adjc = a_new;
            all.push(adjc.clone());
        }
        let feats = Tensor::cat(all, 1).permute([0, 2, 3, 1]); // [b,n,n,fdim]
        let score: Tensor<B, 3> = self.final_mlp.forward(feats).squeeze_dim(3);
        let off_diag = Tensor::<B, 2>::eye(n, &device)
            .neg()
            .add_scalar(1.0)
            .unsqueeze::<3>();
        mask_adj(score * off_diag, flags)
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
        Ok(Self {
            layers,
            final_mlp,
            c_init: self.c_init,
        })
    }
}

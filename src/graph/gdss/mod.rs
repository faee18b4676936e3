//! GDSS score networks — Jo, Lee & Hwang, *Score-based Generative Modeling of Graphs via the
//! System of Stochastic Differential Equations*, ICML 2022 (arXiv:2202.02514), §3 and
//! Appendix (model architecture).
//!
//! A graph with at most `N` nodes is a pair `(X, A)`, `X ∈ ℝ^{N×F}` (node features),
//! `A ∈ ℝ^{N×N}` (weighted, symmetric adjacency), plus node flags `m ∈ {0,1}^N` (ones for
//! real nodes, zeros for padding). GDSS diffuses `X` and `A` by two SDEs and learns the two
//! *partial* scores `∇_X log p_t(X, A)` and `∇_A log p_t(X, A)` with two networks that both
//! see `(X_t, A_t)` and — notably — **not** the time `t`.
//!
//! # Dense GCN layer ([`layers::DenseGcnConv`])
//! `GCN(H, A) = D̃^{-1/2} Ã D̃^{-1/2} H W + b`, where `Ã` is `A` with its diagonal set to 1
//! and `D̃_ii = max(1, Σ_j Ã_ij)`.
//!
//! # X-network ([`ScoreNetworkX`], paper eq. for `s_θ,t`)
//! `H₀ = X`, `H_{l+1} = tanh(GCN_l(H_l, A_t))` for `l < depth`;
//! `s_X = m ⊙ MLP([H₀ ‖ … ‖ H_depth])` (3 linear layers, hidden `2·fdim`, ELU).
//!
//! # A-network ([`ScoreNetworkA`], graph multi-head attention, Baek et al. 2021)
//! Input channels `𝒜⁰ = [A_t, A_t², …, A_t^{c_init}]`. A GMH layer with input channels
//! `A_1..A_C` and node states `H` computes, per channel `c`,
//! `Q_c = GCN_q(H, A_c)`, `K_c = GCN_k(H, A_c)`, `V_c = GCN_v(H, A_c)`,
//! `M_c = sym( (1/h) Σ_heads tanh(Q_{c,k} K_{c,k}ᵀ / √d_V) )`, `sym(M) = (M+Mᵀ)/2`;
//! node output `H' = tanh(m ⊙ MLP₂([V_1 ‖ … ‖ V_C]))`; edge output per entry
//! `E_{ij} = MLP_L([M_{1,ij}..M_{C,ij}, A_{1,ij}..A_{C,ij}])`, `𝒜' = m mᵀ ⊙ (E + Eᵀ)`.
//! After `L` layers, `s_A = m mᵀ ⊙ (1 − I) ⊙ MLP₃([𝒜⁰ ‖ 𝒜¹ ‖ … ‖ 𝒜^L])` per entry, so `s_A`
//! is symmetric with zero diagonal and zero padding rows/columns.
//!
//! Both networks are permutation equivariant: `s_X(PX, PAPᵀ) = P s_X(X, A)` and
//! `s_A(PX, PAPᵀ) = P s_A(X, A) Pᵀ`.
//!
//! # Sampling
//! [`GraphState`] (X, A, flags) is a two-component [`crate::state::State`]; [`GdssModel`]
//! turns the network outputs into scores (VP: `−out/σ(t)`, VE: `out`) so that every core
//! sampler and GDSS's S4 ([`s4`]) can drive the released weights ([`sample`]).
//!
//! # Training
//! [`train::GdssTask`] trains both networks with the shared trainer (GDSS's two
//! denoising score-matching losses with node-flag masking and symmetric noise for `A`).
//!
//! # Checkpoints
//! [`GdssCheckpoint`] reads the released `torch.save` files natively (stored-zip reader +
//! pickle subset, see [`torch_pickle`]) and loads raw or EMA weights, checking every key
//! and shape.
//!
//! ```no_run
//! use burn::backend::NdArray;
//! use scidiff::graph::gdss::{GdssCheckpoint, WeightKind};
//! let ck = GdssCheckpoint::load("gdss_qm9.pth").unwrap();
//! let device = Default::default();
//! let net_x = ck.score_x::<NdArray>(WeightKind::Raw, &device).unwrap();
//! let net_a = ck.score_adj::<NdArray>(WeightKind::Raw, &device).unwrap();
//! # let _ = (net_x, net_a);
//! ```

pub mod checkpoint;
pub mod config;
pub mod layers;
pub mod reverse;
pub mod s4;
pub mod sample;
pub mod score_a;
pub mod score_x;
pub mod state;
pub mod torch_pickle;
pub mod train;

pub use checkpoint::{CheckpointError, GdssCheckpoint, RawTensor, StateDict, WeightKind};
pub use config::{ConvKind, GdssModelConfig, ScoreNetworkAConfig, ScoreNetworkXConfig};
pub use layers::{AttentionHead, AttentionLayer, DenseGcnConv, Mlp};
pub use score_a::ScoreNetworkA;
pub use score_x::ScoreNetworkX;
pub use sample::{GdssModel, GdssPreset, GdssSde, GraphSampler, MOL_PRESETS, PRESETS, sample_graph_batch};
pub use state::GraphState;
pub use train::{GdssNets, GdssTask, GdssTaskConfig, GdssTrainError};

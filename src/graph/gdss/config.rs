//! Hyper-parameters of the two GDSS score networks, with the presets of the released
//! checkpoints (`config/*.yaml` of the reference code, confirmed by the `params_x` /
//! `params_adj` dictionaries stored inside the `.pth` files).
//!
//! Field names follow GDSS's YAML/`params_*` keys so that configs round-trip through serde
//! unchanged. Missing fields take the community-small values.

use serde::{Deserialize, Serialize};

/// Hyper-parameters of [`ScoreNetworkX`](super::ScoreNetworkX).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreNetworkXConfig {
    /// Node-feature width `F` (input and output).
    pub max_feat_num: usize,
    /// Number of GCN layers.
    pub depth: usize,
    /// GCN hidden width.
    pub nhid: usize,
}

impl Default for ScoreNetworkXConfig {
    /// Community-small: `F = 10`, depth 3, width 32.
    fn default() -> Self {
        Self {
            max_feat_num: 10,
            depth: 3,
            nhid: 32,
        }
    }
}

impl ScoreNetworkXConfig {
    /// Width of the concatenation `[H₀, H₁, …, H_depth]` fed to the final MLP.
    pub fn fdim(&self) -> usize {
        self.max_feat_num + self.depth * self.nhid
    }
}

/// Graph convolution used inside the attention heads. GDSS's released models all use GCN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ConvKind {
    /// Dense GCN (`conv: GCN`).
    #[default]
    #[serde(rename = "GCN")]
    Gcn,
}

/// Hyper-parameters of [`ScoreNetworkA`](super::ScoreNetworkA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreNetworkAConfig {
    /// Node-feature width `F` of the input `X`.
    pub max_feat_num: usize,
    /// `N_max` (informational: the burn network accepts any `n`).
    pub max_node_num: usize,
    /// Node width of the attention layers (`conv_output_dim`; also the first layer's attention width).
    pub nhid: usize,
    /// Number of GMH attention layers `L` (≥ 2).
    pub num_layers: usize,
    /// Number of linear layers of each layer's edge MLP.
    pub num_linears: usize,
    /// Number of adjacency powers fed to the first layer (`[A, A², …]`).
    pub c_init: usize,
    /// Adjacency channels between layers.
    pub c_hid: usize,
    /// Adjacency channels of the last layer.
    pub c_final: usize,
    /// Attention (query/key) width of layers `1..L`.
    pub adim: usize,
    /// Number of attention heads.
    pub num_heads: usize,
    /// Graph convolution of the heads.
    pub conv: ConvKind,
}

impl Default for ScoreNetworkAConfig {
    /// Community-small: `F = 10`, `N_max = 20`, 5 layers, width 32, channels (2, 8, 4).
    fn default() -> Self {
        Self {
            max_feat_num: 10,
            max_node_num: 20,
            nhid: 32,
            num_layers: 5,
            num_linears: 2,
            c_init: 2,
            c_hid: 8,
            c_final: 4,
            adim: 32,
            num_heads: 4,
            conv: ConvKind::Gcn,
        }
    }
}

impl ScoreNetworkAConfig {
    /// Channels of the final per-entry MLP: `c_init + c_hid·(L−1) + c_final`.
    pub fn fdim(&self) -> usize {
        self.c_init + self.c_hid * (self.num_layers - 1) + self.c_final
    }
}

/// The pair of network configs of one GDSS model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GdssModelConfig {
    /// X-network.
    pub x: ScoreNetworkXConfig,
    /// A-network.
    pub adj: ScoreNetworkAConfig,
}

impl GdssModelConfig {
    fn preset(
        f: usize,
        n_max: usize,
        depth: usize,
        hid: usize,
        layers: usize,
        num_linears: usize,
    ) -> Self {
        Self {
            x: ScoreNetworkXConfig {
                max_feat_num: f,
                depth,
                nhid: hid,
            },
            adj: ScoreNetworkAConfig {
                max_feat_num: f,
                max_node_num: n_max,
                nhid: hid,
                num_layers: layers,
                num_linears,
                adim: hid,
                ..ScoreNetworkAConfig::default()
            },
        }
    }

    /// Community-small (F 10, N 20; X: depth 3 × 32; A: 5 layers × 32, 2 linears).
    pub fn community_small() -> Self {
        Self::preset(10, 20, 3, 32, 5, 2)
    }
    /// Ego-small (F 17, N 18; X: depth 2 × 32; A: 5 layers × 32, 2 linears).
    pub fn ego_small() -> Self {
        Self::preset(17, 18, 2, 32, 5, 2)
    }
    /// ENZYMES (F 10, N 125; X: depth 5 × 32; A: 7 layers × 32, 2 linears).
    pub fn enzymes() -> Self {
        Self::preset(10, 125, 5, 32, 7, 2)
    }
    /// Grid (F 5, N 361; X: depth 5 × 32; A: 7 layers × 32, 2 linears).
    pub fn grid() -> Self {
        Self::preset(5, 361, 5, 32, 7, 2)
    }
    /// QM9 (F 4, N 9; X: depth 2 × 16; A: 3 layers × 16, 3 linears).
    pub fn qm9() -> Self {
        Self::preset(4, 9, 2, 16, 3, 3)
    }
    /// ZINC250k (F 9, N 38; X: depth 2 × 16; A: 6 layers × 16, 3 linears).
    pub fn zinc250k() -> Self {
        Self::preset(9, 38, 2, 16, 6, 3)
    }

    /// Preset by GDSS dataset name (`community_small`, `ego_small`, `ENZYMES`, `grid`, `QM9`,
    /// `ZINC250k`; case-insensitive).
    pub fn for_dataset(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "community_small" => Some(Self::community_small()),
            "ego_small" => Some(Self::ego_small()),
            "enzymes" => Some(Self::enzymes()),
            "grid" => Some(Self::grid()),
            "qm9" => Some(Self::qm9()),
            "zinc250k" => Some(Self::zinc250k()),
            _ => None,
        }
    }
}

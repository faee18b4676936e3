//! Run-time backend choice: `--device cpu | cuda | cuda:N`.
//!
//! Code that trains or samples is written once as a [`BackendTask`], generic over an
//! autodiff backend; [`dispatch`] instantiates it for `Autodiff<NdArray>` or, in builds with the
//! `cuda` feature, `Autodiff<Cuda>`. Asking for CUDA in a CPU-only build is an error, never a
//! silent fallback.

use burn::tensor::backend::AutodiffBackend;
use std::str::FromStr;
use thiserror::Error;

/// The CPU training backend.
pub type Cpu = burn::backend::Autodiff<burn::backend::NdArray<f32>>;
/// The GPU training backend.
#[cfg(feature = "cuda")]
pub type Gpu = burn::backend::Autodiff<burn::backend::Cuda<f32>>;
/// The CPU training backend with burn's activation checkpointing: outputs of operations burn
/// marks memory-bound (element-wise, activations) are not kept for the backward pass but
/// recomputed from their checkpointed inputs; compute-bound outputs (matmul, conv) are kept.
pub type CpuCheckpointed = burn::backend::Autodiff<burn::backend::NdArray<f32>, burn::backend::autodiff::checkpoint::strategy::BalancedCheckpointing>;
/// The GPU backend with activation checkpointing (see [`CpuCheckpointed`]).
#[cfg(feature = "cuda")]
pub type GpuCheckpointed = burn::backend::Autodiff<burn::backend::Cuda<f32>, burn::backend::autodiff::checkpoint::strategy::BalancedCheckpointing>;

/// A device choice that could not be honoured.
#[derive(Debug, Error)]
pub enum DeviceError {
    /// Unparseable `--device`.
    #[error("unknown device '{0}' (expected cpu, cuda or cuda:N)")]
    Unknown(String),
    /// CUDA requested in a build without it.
    #[error("device '{0}' needs a build with the `cuda` feature (cargo build --release --features cuda)")]
    NoCuda(String),
}

/// Where to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    /// burn's NdArray backend on the host.
    Cpu,
    /// CUDA device `N`.
    Cuda(usize),
}

impl FromStr for DeviceChoice {
    type Err = DeviceError;
    fn from_str(s: &str) -> Result<Self, DeviceError> {
        match s {
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| DeviceError::Unknown(s.to_string())),
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceChoice::Cpu => write!(f, "cpu"),
            DeviceChoice::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

/// Work that runs on any autodiff backend.
pub trait BackendTask {
    /// What the task returns.
    type Output;
    /// Run on backend `B` and `device`.
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output;
}

/// Run `task` on the chosen device with activation checkpointing ([`CpuCheckpointed`]) or
/// without it ([`dispatch`]); the gradients are the same (tested), the memory is not.
pub fn dispatch_with<T: BackendTask>(choice: DeviceChoice, checkpointing: bool, task: T) -> Result<T::Output, DeviceError> {
    if !checkpointing {
        return dispatch(choice, task);
    }
    match choice {
        DeviceChoice::Cpu => Ok(task.run::<CpuCheckpointed>(burn::backend::ndarray::NdArrayDevice::Cpu)),
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda(n) => Ok(task.run::<GpuCheckpointed>(burn::backend::cuda::CudaDevice::new(n))),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda(_) => Err(DeviceError::NoCuda(choice.to_string())),
    }
}

/// Peak resident memory of this process in bytes (`VmHWM` of `/proc/self/status`; `None` off
/// Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Run `task` on the chosen device.
pub fn dispatch<T: BackendTask>(choice: DeviceChoice, task: T) -> Result<T::Output, DeviceError> {
    match choice {
        DeviceChoice::Cpu => Ok(task.run::<Cpu>(burn::backend::ndarray::NdArrayDevice::Cpu)),
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda(n) => Ok(task.run::<Gpu>(burn::backend::cuda::CudaDevice::new(n))),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda(_) => Err(DeviceError::NoCuda(choice.to_string())),
    }
}

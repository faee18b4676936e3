//! Error type shared by all PDE solvers in this module.

use thiserror::Error;

/// Errors returned by the PDE solvers and data generators.
#[derive(Debug, Error)]
pub enum SolverError {
    /// A configuration value is out of its admissible range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// An input array has the wrong shape.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An input array holds NaN or infinite values.
    #[error("non-finite value in input `{0}`")]
    NonFiniteInput(&'static str),
    /// A fixed time step violates a stability limit (only raised when substepping is disabled).
    #[error(
        "stability limit `{limit}` violated: {value:.4} > {max:.4} (reduce dt or enable automatic substepping)"
    )]
    StabilityLimit {
        /// Name of the violated limit, e.g. `nu*dt/dx^2`.
        limit: &'static str,
        /// The value reached.
        value: f64,
        /// The admissible maximum.
        max: f64,
    },
    /// The solution became NaN or infinite during time stepping.
    #[error("solution became non-finite at report step {step}")]
    NonFiniteSolution {
        /// Report index (0-based) at which the blow-up was detected.
        step: usize,
    },
    /// A state with density or pressure <= 0 or a non-finite value appeared (compressible flow).
    #[error("non-physical state in cell {cell} at t = {time:.6e}: rho = {rho:.4e}, p = {pressure:.4e}")]
    NonPhysicalState {
        /// Cell index (0-based).
        cell: usize,
        /// Simulation time at which it was detected.
        time: f64,
        /// Density there.
        rho: f64,
        /// Pressure there.
        pressure: f64,
    },
    /// A data-generation trajectory failed; wraps the underlying error.
    #[error("trajectory {index}: {source}")]
    Trajectory {
        /// Index of the failing trajectory within the batch.
        index: usize,
        /// The underlying solver error.
        #[source]
        source: Box<SolverError>,
    },
    /// The pressure solver did not reach its tolerance.
    #[error(
        "conjugate gradient did not converge: residual {residual:.3e} after {iterations} iterations"
    )]
    NotConverged {
        /// Iterations performed.
        iterations: usize,
        /// Final relative residual.
        residual: f64,
    },
}

/// Convenience alias.
pub type Result<T> = std::result::Result<T, SolverError>;

/// Returns `Err(NonFiniteInput(name))` when any value is not finite.
pub(crate) fn check_finite<'a>(
    values: impl IntoIterator<Item = &'a f64>,
    name: &'static str,
) -> Result<()> {
    if values.into_iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(SolverError::NonFiniteInput(name))
    }
}

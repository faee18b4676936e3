//! Exact resume (issue contract): on CPU with the same seed and build,
//! * a run of N steps and a run of N/2 steps resumed to N give byte-identical samples;
//! * a run killed with SIGKILL after a checkpoint and resumed gives byte-identical weights;
//! * truncated or foreign checkpoints are clear errors, never panics.
//! Oracle: the uninterrupted run itself (bitwise equality, no tolerance).

use std::path::Path;
use std::process::Command;

const TARGET: &str = "[sde]\nkind = \"vp\"\nbeta_min = 0.1\nbeta_max = 20.0\nt_end = 1e-3\n[gmm]\nweights = [0.5, 0.5]\nmeans = [[-1.0, 0.0], [1.0, 0.0]]\nstds = [[0.3, 0.3], [0.3, 0.3]]\n";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

fn train(dir: &Path, target: &Path, steps: u64, resume: bool) -> std::process::Output {
    let mut c = bin();
    c.args(["sde", "train", "--steps", &steps.to_string(), "--batch-size", "64", "--checkpoint-every", "20", "--seed", "5"]);
    if resume {
        c.arg("--resume").arg(dir);
    } else {
        c.arg("--target").arg(target).arg("--out").arg(dir);
    }
    c.output().unwrap()
}

fn samples(dir: &Path, out: &Path) -> Vec<u8> {
    let o = bin().args(["sde", "sample", "--sampler", "dpm-solver++2m", "--nfe", "20", "--n", "256", "--seed", "1", "--model"]).arg(dir).arg("--out").arg(out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let x = scidiff::io::read_matrix(out, "x").unwrap();
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn weights(dir: &Path) -> Vec<u32> {
    // The EMA weights' bit patterns (parameter ids are random per process, so the checkpoint
    // bytes themselves are not compared).
    use scidiff::train::sde_task::{GmmTask, load_denoiser};
    let text = std::fs::read_to_string(dir.join("run.toml")).unwrap();
    let run: toml::Value = toml::from_str(&text).unwrap();
    let mut task_cfg = run.as_table().unwrap().clone();
    task_cfg.remove("seed");
    task_cfg.remove("train");
    let task = GmmTask::new(toml::Value::Table(task_cfg).try_into().unwrap()).unwrap();
    let den = load_denoiser::<scidiff::train::device::Cpu>(&task, dir, &burn::backend::ndarray::NdArrayDevice::Cpu).unwrap();
    scidiff::train::ema::flat_parameters(&den.net).into_iter().map(f32::to_bits).collect()
}

#[test]
fn resumed_runs_are_bit_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("t.toml");
    std::fs::write(&t, TARGET).unwrap();
    let (full, half) = (tmp.path().join("full"), tmp.path().join("half"));
    assert!(train(&full, &t, 60, false).status.success());
    assert!(train(&half, &t, 30, false).status.success());
    let o = train(&half, &t, 60, true);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(weights(&full), weights(&half), "weights differ after resume");
    assert_eq!(samples(&full, &tmp.path().join("a.h5")), samples(&half, &tmp.path().join("b.h5")), "samples differ");
    // Metrics of the resumed run continue the first part: steps strictly increase to 60.
    let m = std::fs::read_to_string(half.join("metrics.jsonl")).unwrap();
    let steps: Vec<u64> = m.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["step"].as_u64().unwrap()).collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]) && steps.last() == Some(&60), "{steps:?}");

    // SIGKILL between checkpoints (after step 50, last checkpoint at 40), then resume.
    let killed = tmp.path().join("killed");
    let o = bin()
        .env("SCIDIFF_ABORT_AFTER_STEP", "50")
        .args(["sde", "train", "--steps", "60", "--batch-size", "64", "--checkpoint-every", "20", "--seed", "5", "--target"])
        .arg(&t)
        .arg("--out")
        .arg(&killed)
        .output()
        .unwrap();
    assert!(!o.status.success(), "the abort hook should have killed the run");
    let (h, _) = scidiff::train::checkpoint::read(&killed.join("checkpoint.bin")).unwrap();
    assert_eq!(h.step, 40);
    assert!(train(&killed, &t, 60, true).status.success());
    assert_eq!(weights(&full), weights(&killed), "weights differ after a kill and resume");

    // A real SIGKILL at an arbitrary moment after the first checkpoint exists.
    let real = tmp.path().join("real");
    let mut child = bin()
        .args(["sde", "train", "--steps", "60", "--batch-size", "64", "--checkpoint-every", "20", "--seed", "5", "--target"])
        .arg(&t)
        .arg("--out")
        .arg(&real)
        .spawn()
        .unwrap();
    while !real.join("checkpoint.bin").exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(train(&real, &t, 60, true).status.success());
    assert_eq!(weights(&full), weights(&real), "weights differ after SIGKILL and resume");
}

#[test]
fn broken_checkpoints_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("t.toml");
    std::fs::write(&t, TARGET).unwrap();
    let dir = tmp.path().join("run");
    assert!(train(&dir, &t, 20, false).status.success());
    let ck = dir.join("checkpoint.bin");
    let full = std::fs::read(&ck).unwrap();
    for (bytes, needle) in [(full[..full.len() / 2].to_vec(), "truncated"), (b"PK\x03\x04not ours".to_vec(), "not a scidiff checkpoint")] {
        std::fs::write(&ck, &bytes).unwrap();
        for o in [train(&dir, &t, 40, true), bin().args(["sde", "sample", "--sampler", "ddim", "--nfe", "5", "--n", "4", "--out"]).arg(tmp.path().join("x.h5")).arg("--model").arg(&dir).output().unwrap()] {
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(err.contains(needle) && !err.contains("panicked"), "{err}");
        }
    }
    // Starting a fresh run over an existing one is refused; CUDA in a CPU build is refused.
    std::fs::write(&ck, &full).unwrap();
    let o = train(&dir, &t, 40, false);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    let o = bin().args(["sde", "train", "--steps", "5", "--device", "cuda", "--target"]).arg(&t).arg("--out").arg(tmp.path().join("gpu")).output().unwrap();
    if !cfg!(feature = "cuda") {
        assert!(String::from_utf8_lossy(&o.stderr).contains("cuda"));
        assert_eq!(o.status.code(), Some(2));
    }
}

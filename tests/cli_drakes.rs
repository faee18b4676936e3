//! The `scidiff seq finetune` contract (issue 9, item 6) on the bundled DHS sample: a fine-tuned
//! directory that `seq sample` accepts, exact resume (2 + 1 steps = 3 steps, byte-equal samples),
//! guided sampling baselines, and clear errors.
//! Oracles: the FASTA contract; byte equality of outputs of runs that must be identical.

use std::path::Path;
use std::process::Command;

const SAMPLE_TSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/dhs_sample.tsv");
const MOTIFS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/motifs.json");

fn bin(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scidiff"));
    c.env("SCIDIFF_DATA", data);
    c
}

fn run_ok(data: &Path, args: &[&str]) -> String {
    let out = bin(data).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn run_err(data: &Path, args: &[&str]) -> String {
    let out = bin(data).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail cleanly");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check_fasta(text: &str, n: usize) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 * n);
    for pair in lines.chunks(2) {
        assert!(pair[0].starts_with('>') && pair[1].len() == 200 && pair[1].bytes().all(|c| b"ACGT".contains(&c)));
    }
}

#[test]
fn finetune_resume_sample_and_guidance() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("dhs")).unwrap();
    std::fs::copy(MOTIFS, data.join("dhs/motifs.json")).unwrap();
    let p = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    run_ok(&data, &["seq", "pretrain", "--dataset", SAMPLE_TSV, "--preset", "quick", "--out", &p("pre"), "--steps", "1", "--batch-size", "2", "--seed", "5"]);
    // A small DRAKES configuration: 4 steps, the last 2 relaxed.
    let cfg = tmp.path().join("ft.toml");
    std::fs::write(&cfg, "[drakes]\nsteps = 4\ntruncate = 2\nalpha = 0.01\nvalidate_samples = 2\n[train]\nbatch_size = 2\nsteps = 3\ncheckpoint_every = 1\nvalidate_every = 3\nlog_every = 1\n").unwrap();
    let pre = p("pre");
    let ft = |out: &str, steps: &str, resume: bool| {
        let mut args = vec!["seq", "finetune", "--model", &pre, "--method", "drakes", "--reward", "motif", "--preset", "quick", "--config", cfg.to_str().unwrap(), "--out", out, "--steps", steps, "--seed", "3"];
        if resume {
            args = vec!["seq", "finetune", "--resume", "--out", out, "--steps", steps];
        }
        run_ok(&data, &args)
    };
    let whole = ft(&p("ft3"), "3", false);
    assert!(whole.contains("fine-tuned"), "{whole}");
    ft(&p("ft21"), "2", false);
    ft(&p("ft21"), "3", true);
    let sample = |model: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["seq", "sample", "--model", model, "--n", "4", "--steps", "5", "--seed", "1", "--out", out];
        args.extend_from_slice(extra);
        run_ok(&data, &args);
        std::fs::read_to_string(out).unwrap()
    };
    let a = sample(&p("ft3"), &p("a.fa"), &[]);
    let b = sample(&p("ft21"), &p("b.fa"), &[]);
    check_fasta(&a, 4);
    assert_eq!(a, b, "3 steps and 2 + resumed 1 step must give the same model");
    let metrics = std::fs::read_to_string(tmp.path().join("ft3/metrics.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(metrics.lines().last().unwrap()).unwrap();
    assert!(last["reward"].as_f64().is_some_and(f64::is_finite) && last["kl"].as_f64().is_some_and(|k| k >= 0.0), "{last}");
    // Guided baselines write valid FASTA.
    for g in ["best-of-n:2", "cg:1", "smc:0.5", "tds:1:0.5"] {
        check_fasta(&sample(&p("pre"), &p("g.fa"), &["--guide", g, "--reward", "motif"]), 4);
    }
    // Clear errors.
    let e = run_err(&data, &["seq", "sample", "--model", &p("pre"), "--n", "2", "--out", &p("x.fa"), "--guide", "smc:-1"]);
    assert!(e.contains("positive"), "{e}");
    let e = run_err(&data, &["seq", "finetune", "--model", &p("pre"), "--reward", "oracle", "--out", &p("o")]);
    assert!(e.contains("--oracle"), "{e}");
    let e = run_err(&data, &["seq", "finetune", "--model", &p("pre"), "--method", "ppo", "--out", &p("o2")]);
    assert!(e.contains("unknown method"), "{e}");
    let e = run_err(&data, &["seq", "finetune", "--model", &p("pre"), "--out", &p("ft3")]);
    assert!(e.contains("--resume"), "{e}");
    let e = run_err(&data, &["seq", "pretrain", "--resume", "--out", &p("ft3")]);
    assert!(e.contains("finetune --resume"), "{e}");
}

//! `seq design` / `seq design-eval` end to end on a real backbone (3a4rA, 79 residues) with
//! the released ProteinMPNN weights (`make test` fetches them via datasets/fetch_protein.sh).

mod common;

use common::{scidiff, scidiff_ok};
use scidiff::bio::alphabet::PROTEIN;
use scidiff::bio::fasta::read_fasta;
use scidiff::protein::Backbone;
use scidiff::protein::dataset::default_dir;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scidiff-cli-protein-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn design_then_eval() {
    let pdb = default_dir().join("backbones/3a4rA.pdb");
    let bb = Backbone::read(&pdb, None).expect("run `bash datasets/fetch_protein.sh` (make test does)");
    let (a, b) = (tmp("a.fasta"), tmp("b.fasta"));
    let args = |out: &std::path::Path| {
        vec!["seq", "design", "--backbone", pdb.to_str().unwrap(), "--n", "3", "--steps", "4", "--batch", "2", "--seed", "5", "--out"]
            .into_iter()
            .map(String::from)
            .chain([out.to_str().unwrap().to_string()])
            .collect::<Vec<_>>()
    };
    for out in [&a, &b] {
        let v = args(out);
        scidiff_ok(&v.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap(), "same seed, same designs");
    let recs = read_fasta(text.as_bytes(), &PROTEIN, "a").unwrap();
    assert_eq!(recs.len(), 3);
    for (k, r) in recs.iter().enumerate() {
        assert_eq!(r.id, format!("3a4rA_{}", k + 1));
        assert_eq!(r.sequence.len(), bb.len());
    }
    let json = tmp("m.json");
    let out = scidiff_ok(&["seq", "design-eval", "--fasta", a.to_str().unwrap(), "--orders", "1", "--json", json.to_str().unwrap()]);
    assert!(out.contains("3a4rA") && out.contains("recovery") && out.contains("composition KL"), "{out}");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let row = &m["backbones"][0];
    assert_eq!(row["n"], 3);
    let rec = row["recovery"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rec));
    // Even 3 transitions of the released model recover far more than chance (5 %).
    assert!(rec > 0.15, "recovery {rec}");
}

#[test]
fn clear_errors() {
    let fail = |args: &[&str], needle: &str| {
        let out = scidiff().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    let o = tmp("x.fasta");
    let o = o.to_str().unwrap();
    fail(&["seq", "design", "--backbone", "/nonexistent.pdb", "--out", o], "cannot read /nonexistent.pdb");
    fail(&["seq", "design", "--limit", "1", "--steps", "1", "--out", o], "steps");
    fail(&["seq", "design", "--limit", "1", "--data", "/nonexistent", "--out", o], "fetch_protein");
    let bad = tmp("bad.fasta");
    std::fs::write(&bad, ">3a4rA_1\nACDBX\n").unwrap();
    fail(&["seq", "design-eval", "--fasta", bad.to_str().unwrap()], "unknown protein letter");
    std::fs::write(&bad, ">3a4rA_1\nACDE\n").unwrap();
    fail(&["seq", "design-eval", "--fasta", bad.to_str().unwrap()], "4 residues");
    std::fs::write(&bad, ">zzzzZ_1\nACDE\n").unwrap();
    fail(&["seq", "design-eval", "--fasta", bad.to_str().unwrap()], "no backbone");
}

#[test]
fn best_of_k_keeps_the_highest_reward_draw() {
    // Oracle: with the same seed, best-of-2 for n = 2 draws exactly the sequences of a plain
    // n = 4 run, and must return the better (mj reward) of draws {1,2} and of {3,4}.
    use scidiff::protein::energy::{Contacts, Energy};
    let pdb = default_dir().join("backbones/3a4rA.pdb");
    let bb = Backbone::read(&pdb, None).unwrap();
    let (plain, best) = (tmp("plain.fasta"), tmp("best.fasta"));
    let common = ["seq", "design", "--backbone", pdb.to_str().unwrap(), "--steps", "3", "--batch", "2", "--seed", "9", "--temperature", "1.0"];
    let mut a: Vec<&str> = common.to_vec();
    a.extend(["--n", "4", "--out", plain.to_str().unwrap()]);
    scidiff_ok(&a);
    let mut b: Vec<&str> = common.to_vec();
    b.extend(["--n", "2", "--best-of", "2", "--reward", "mj", "--out", best.to_str().unwrap()]);
    scidiff_ok(&b);
    let read = |p: &std::path::Path| -> Vec<Vec<u8>> {
        read_fasta(std::fs::read_to_string(p).unwrap().as_bytes(), &PROTEIN, "x").unwrap().iter().map(|r| r.encode(&PROTEIN).unwrap()).collect()
    };
    let (p, q) = (read(&plain), read(&best));
    let (mj, c) = (Energy::load(&default_dir(), "mj").unwrap(), Contacts::of(&bb));
    for g in 0..2 {
        let pick = if mj.reward(&c, &p[2 * g]) >= mj.reward(&c, &p[2 * g + 1]) { &p[2 * g] } else { &p[2 * g + 1] };
        assert_eq!(&q[g], pick, "group {g}");
    }
    assert_ne!(p[0], p[1], "temperature 1 draws differ");
}

/// Tiny protein DRAKES settings: 4 grid points, last transition relaxed, one backbone and one
/// design per step, one validation design.
const TINY: &str = "[protein]\ngrid = 4\ntruncate = 1\nkl_hard_samples = 1\nalpha = 0.01\nvalidate_backbones = 1\nvalidate_samples = 1\n\n[train]\nsteps = 2\nbatch_size = 1\ncheckpoint_every = 1\nvalidate_every = 2\nlog_every = 1\n[train.lr]\npeak = 1e-4\n";

fn metrics(dir: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn protein_finetune_resumes_exactly_and_designs_with_the_result() {
    let cfg = tmp("tiny.toml");
    std::fs::write(&cfg, TINY).unwrap();
    let (full, part) = (tmp("ft-full"), tmp("ft-part"));
    let ft = |out: &std::path::Path, extra: &[&str]| {
        let mut v = vec!["seq", "finetune", "--track", "protein", "--config", cfg.to_str().unwrap(), "--seed", "3", "--out", out.to_str().unwrap()];
        v.extend_from_slice(extra);
        scidiff_ok(&v)
    };
    let out = ft(&full, &[]);
    assert!(out.contains("mean mj reward") && out.contains("fine-tuned"), "{out}");
    ft(&part, &["--steps", "1"]);
    ft(&part, &["--resume", "--steps", "2"]);
    let (a, b) = (metrics(&full), metrics(&part));
    assert_eq!(a.len(), 2);
    assert_eq!(b.len(), 2);
    for key in ["loss", "reward", "kl"] {
        assert_eq!(a[1][key], b[1][key], "step 2 {key} after resume");
    }
    // At step 1 the model is the pretrained one: the path KL is exactly zero; afterwards not.
    assert_eq!(a[0]["kl"].as_f64(), Some(0.0));
    assert!(a[1]["kl"].as_f64().unwrap() > 0.0);
    // The fine-tuned directory is a model for `seq design`; a finished run refuses to restart.
    let pdb = default_dir().join("backbones/3a4rA.pdb");
    let fasta = tmp("ft.fasta");
    scidiff_ok(&["seq", "design", "--weights", full.to_str().unwrap(), "--backbone", pdb.to_str().unwrap(), "--n", "2", "--steps", "4", "--out", fasta.to_str().unwrap()]);
    let recs = read_fasta(std::fs::read(&fasta).unwrap().as_slice(), &PROTEIN, "ft").unwrap();
    assert_eq!(recs.len(), 2);
    let again = scidiff().args(["seq", "finetune", "--track", "protein", "--config", cfg.to_str().unwrap(), "--out", full.to_str().unwrap()]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    for (args, needle) in [
        (vec!["--track", "rna"], "unknown track"),
        (vec!["--track", "protein", "--reward", "ddg"], "unknown reward"),
        (vec!["--track", "protein", "--model", "/nonexistent/v.pt"], "not found"),
        (vec!["--track", "protein", "--kl-estimator", "exact"], "unknown KL estimator"),
    ] {
        let mut v = vec!["seq", "finetune", "--out"];
        let o = tmp("never");
        v.push(o.to_str().unwrap());
        v.extend(args.iter());
        let r = scidiff().args(&v).output().unwrap();
        assert_eq!(r.status.code(), Some(2), "{v:?}");
        assert!(String::from_utf8_lossy(&r.stderr).contains(needle), "{v:?}: {}", String::from_utf8_lossy(&r.stderr));
    }
}

#[test]
fn guided_protein_designs_are_reproducible_and_valid() {
    let pdb = default_dir().join("backbones/3a4rA.pdb");
    let bb = Backbone::read(&pdb, None).expect("run `bash datasets/fetch_protein.sh` (make test does)");
    for (i, guide) in ["smc:0.03", "tds:1000:0.03", "cg:1000"].iter().enumerate() {
        let outs: Vec<String> = (0..2)
            .map(|k| {
                let f = tmp(&format!("g{i}_{k}.fasta"));
                scidiff_ok(&["seq", "design", "--backbone", pdb.to_str().unwrap(), "--n", "3", "--batch", "3", "--steps", "4", "--guide", guide, "--reward", "mj", "--seed", "2", "--out", f.to_str().unwrap()]);
                std::fs::read_to_string(&f).unwrap()
            })
            .collect();
        assert_eq!(outs[0], outs[1], "{guide}: same seed, same designs");
        let recs = read_fasta(outs[0].as_bytes(), &PROTEIN, "g").unwrap();
        assert_eq!(recs.len(), 3);
        assert!(recs.iter().all(|r| r.sequence.len() == bb.len() && r.description.contains(guide)));
    }
    for (extra, needle) in [(vec!["--guide", "best-of-n:4"], "protein track takes"), (vec!["--guide", "smc:0.03", "--best-of", "2"], "separate baselines"), (vec!["--guide", "smc:-1"], "positive")] {
        let mut v = vec!["seq", "design", "--backbone", pdb.to_str().unwrap(), "--out", "/tmp/never.fasta"];
        v.extend(extra.iter());
        let r = scidiff().args(&v).output().unwrap();
        assert_eq!(r.status.code(), Some(2), "{v:?}");
        assert!(String::from_utf8_lossy(&r.stderr).contains(needle), "{v:?}: {}", String::from_utf8_lossy(&r.stderr));
    }
}

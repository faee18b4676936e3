//! Tests of `motif` (PWM, scanning, p-values) and of the D1 reward, against brute-force oracles.

use ndarray::Array2;

use super::d1::soft_kmer_counts;
use super::*;
use crate::bio::alphabet::{DNA, reverse_complement};

const MOTIFS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/motifs.json");

/// Deterministic xorshift generator (no `rand` dependency).
pub(crate) struct Rng(u64);
impl Rng {
    pub(crate) fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn base(&mut self) -> u8 {
        (self.next_f64() * 4.0) as u8 % 4
    }
    pub(crate) fn seq(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.base()).collect()
    }
}

fn set() -> MotifSet {
    MotifSet::load(MOTIFS).unwrap()
}

fn consensus(pwm: &Pwm) -> Vec<u8> {
    pwm.weights
        .rows()
        .into_iter()
        .map(|r| (0..4).fold(0u8, |a, b| if r[b] > r[a as usize] { b as u8 } else { a }))
        .collect()
}

#[test]
fn motif_file_has_the_briefs_six_liver_tfs() {
    let s = set();
    let ids: Vec<&str> = s.reward.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["MA0114.5", "MA0046.3", "MA0047.4", "MA0102.5", "MA0679.3", "MA1111.2"]);
    assert_eq!(s.eval_jaspar2022.len(), 6);
    assert!(s.reward.iter().all(|m| m.db == "JASPAR2024"));
}

#[test]
fn pwm_matches_hand_formula() {
    let pfm = Pfm { id: "t".into(), name: "t".into(), db: String::new(), pfm: vec![[10.0, 0.0, 0.0, 0.0], [0.0, 5.0, 5.0, 0.0]] };
    let pwm = Pwm::from_pfm(&pfm, 0.8, UNIFORM_BACKGROUND).unwrap();
    let w = |c: f64, n: f64| (((c + 0.2) / (n + 0.8)) / 0.25).log2() as f32;
    assert_eq!(pwm.weights[[0, 0]], w(10.0, 10.0));
    assert_eq!(pwm.weights[[0, 3]], w(0.0, 10.0));
    assert_eq!(pwm.weights[[1, 1]], w(5.0, 10.0));
    let rc = pwm.reverse_complement();
    assert_eq!(rc.weights[[0, 1]], pwm.weights[[1, 2]]);
    assert_eq!(rc.weights[[1, 3]], pwm.weights[[0, 0]]);
    let bad = Pfm { pfm: vec![[0.0; 4]], ..pfm.clone() };
    assert!(Pwm::from_pfm(&bad, 0.8, UNIFORM_BACKGROUND).unwrap_err().to_string().contains("sums to zero"));
}

#[test]
fn scan_equals_brute_force_on_both_strands() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for pfm in &set().reward {
        let pwm = Pwm::from_pfm(pfm, 0.8, UNIFORM_BACKGROUND).unwrap();
        let seq = rng.seq(120);
        let scan = pwm.scan(&seq);
        let m = pwm.len();
        assert_eq!(scan.forward.len(), 120 - m + 1);
        for i in 0..=120 - m {
            let window = &seq[i..i + m];
            let fwd: f64 = (0..m).map(|j| pwm.weights[[j, window[j] as usize]] as f64).sum();
            let rcw = reverse_complement(window);
            let rev: f64 = (0..m).map(|j| pwm.weights[[j, rcw[j] as usize]] as f64).sum();
            assert!((scan.forward[i] - fwd).abs() < 1e-9 && (scan.reverse[i] - rev).abs() < 1e-9, "{} at {i}", pfm.id);
        }
        let soft = pwm.scan_soft(DNA.one_hot(&seq).unwrap().view());
        for (a, b) in soft.forward.iter().zip(&scan.forward).chain(soft.reverse.iter().zip(&scan.reverse)) {
            assert!((a - b).abs() < 1e-9);
        }
        // The consensus attains the maximum score on the forward strand and on the reverse strand of its
        // reverse complement.
        let cons = consensus(&pwm);
        assert!((pwm.score_at(&cons, 0) - pwm.max_score()).abs() < 1e-9);
        assert!((pwm.scan(&reverse_complement(&cons)).reverse[0] - pwm.max_score()).abs() < 1e-9);
    }
}

#[test]
fn pvalue_distribution_matches_enumeration() {
    let pfm = Pfm {
        id: "small".into(),
        name: "small".into(),
        db: String::new(),
        pfm: vec![[8.0, 1.0, 1.0, 0.0], [0.0, 3.0, 7.0, 0.0], [2.0, 2.0, 2.0, 4.0], [0.0, 0.0, 1.0, 9.0]],
    };
    let pwm = Pwm::from_pfm(&pfm, 0.8, UNIFORM_BACKGROUND).unwrap();
    let iw: Vec<[i32; 4]> =
        pwm.weights.rows().into_iter().map(|r| std::array::from_fn(|b| (r[b] as f64 / 0.1).round() as i32)).collect();
    let bg = [0.1, 0.2, 0.3, 0.4];
    let (min, dist) = binned_score_distribution(&iw, bg);
    let mut brute = vec![0.0; dist.len()];
    for code in 0..256usize {
        let bases: Vec<usize> = (0..4).map(|j| (code >> (2 * j)) & 3).collect();
        let s: i64 = (0..4).map(|j| iw[j][bases[j]] as i64).sum();
        brute[(s - min) as usize] += bases.iter().map(|&b| bg[b]).product::<f64>();
    }
    for (a, b) in dist.iter().zip(&brute) {
        assert!((a - b).abs() < 1e-12);
    }
    // Threshold: the smallest score whose upper tail is below p (uniform background, p = 1/64).
    let hc = HitCounter::new(&pwm, 0.1, 1.0 / 64.0, UNIFORM_BACKGROUND);
    let (min, dist) = binned_score_distribution(&iw, UNIFORM_BACKGROUND);
    let tail = |t: i64| dist.iter().enumerate().filter(|(k, _)| min + *k as i64 >= t).map(|(_, p)| p).sum::<f64>();
    let t = hc.threshold.unwrap();
    assert!(tail(t) < 1.0 / 64.0 && tail(t - 1) >= 1.0 / 64.0);
}

#[test]
fn fimo_hits_on_embedded_consensus() {
    let s = set();
    let mut rng = Rng(7);
    for pfm in &s.reward {
        let pwm = Pwm::from_pfm(pfm, 0.8, UNIFORM_BACKGROUND).unwrap();
        let hc = HitCounter::fimo_default(&pwm);
        let mut seq = rng.seq(200);
        let before = hc.count_hits(&seq);
        let cons = consensus(&pwm);
        seq[90..90 + cons.len()].copy_from_slice(&cons);
        if hc.threshold.is_some() {
            assert!(hc.count_hits(&seq) >= 1, "{}", pfm.id);
        }
        assert!(before <= 3, "{}: {before} hits by chance in 200 bp at p<1e-3", pfm.id);
    }
}

fn reward() -> D1Reward {
    D1Reward::new(&set().reward, D1Config::default()).unwrap()
}

#[test]
fn soft_reward_equals_hard_reward_on_one_hot() {
    let r = reward();
    let mut rng = Rng(42);
    let mut cases: Vec<Vec<u8>> = (0..4).map(|_| rng.seq(200)).collect();
    // Designed sequences that switch on each guard: AT-rich (GC penalty), a long homopolymer, a repeat.
    cases.push((0..200).map(|i| if i % 7 == 0 { 1 } else { 3 * (i % 2) as u8 }).collect());
    let mut homo = rng.seq(200);
    homo[50..70].fill(0);
    cases.push(homo);
    cases.push((0..200).map(|i| [0u8, 1, 2, 3, 2, 1][i % 6]).collect());
    // HNF4A consensus planted three times.
    let pwm = Pwm::from_pfm(&set().reward[0], 0.8, UNIFORM_BACKGROUND).unwrap();
    let mut planted = rng.seq(200);
    for at in [20, 90, 160] {
        planted[at..at + pwm.len()].copy_from_slice(&consensus(&pwm));
    }
    cases.push(planted);
    let mut switched = [false; 3];
    for seq in &cases {
        let terms = r.terms_hard(seq);
        switched[0] |= terms.gc_penalty > 0.0;
        switched[1] |= terms.homopolymer_penalty > 0.0;
        switched[2] |= terms.repeat_penalty > 0.0;
        let oh = DNA.one_hot(seq).unwrap();
        let (soft, grad) = r.reward_soft(oh.view());
        let (soft64, _) = r.reward_soft_f64(&oh.mapv(|v| v as f64));
        assert!((soft64 - terms.total).abs() < 1e-9 * (1.0 + terms.total.abs()), "{soft64} vs {}", terms.total);
        assert!((soft as f64 - terms.total).abs() < 1e-4 * (1.0 + terms.total.abs()));
        assert!(grad.iter().all(|g| g.is_finite()));
    }
    assert_eq!(switched, [true; 3], "every guard must be exercised");
    assert!(r.terms_hard(cases.last().unwrap()).hits[0] > 2.5, "planted HNF4A sites are hits");
}

/// Random soft input: each row `(1 − ε)·onehot(base) + ε·noise`, normalised.
fn soft_input(rng: &mut Rng, bases: &[u8], peak: f64) -> Array2<f64> {
    let mut p = Array2::<f64>::zeros((bases.len(), 4));
    for (i, &b) in bases.iter().enumerate() {
        let mut row = [0.0; 4];
        for (c, v) in row.iter_mut().enumerate() {
            *v = (1.0 - peak) * (0.2 + rng.next_f64()) + if c == b as usize { peak } else { 0.0 };
        }
        let s: f64 = row.iter().sum();
        for c in 0..4 {
            p[[i, c]] = row[c] / s;
        }
    }
    p
}

/// Central finite differences in f64 with step 1e-6 on every other row (debug-build time); tolerance
/// 1e-6·(1 + |g|). The truncation error is
/// O(h²·|r'''|) ≈ 1e-12·β³ ≈ 1e-9 and the rounding error O(ε_mach·|r|/h) ≈ 1e-9 for |r| ≲ 10.
fn check_gradient(r: &D1Reward, p: &Array2<f64>) {
    let (_, g) = r.reward_soft_f64(p);
    let h = 1e-6;
    for i in (0..p.nrows()).step_by(2) {
        for b in 0..4 {
            let mut plus = p.clone();
            plus[[i, b]] += h;
            let mut minus = p.clone();
            minus[[i, b]] -= h;
            let fd = (r.reward_soft_f64(&plus).0 - r.reward_soft_f64(&minus).0) / (2.0 * h);
            assert!((fd - g[[i, b]]).abs() <= 1e-6 * (1.0 + g[[i, b]].abs()), "[{i},{b}] fd {fd} vs {}", g[[i, b]]);
        }
    }
}

#[test]
fn gradient_matches_finite_differences() {
    let r = reward();
    let mut rng = Rng(1234);
    // 1) generic soft input with a planted near-consensus site (motif term in its steep region).
    // The site's rows are a·onehot(consensus) + (1 − a)·uniform with a chosen so that s/M = 0.78, i.e.
    // σ(β(s/M − θ)) ≈ 0.45: the steep part of the sigmoid, where a wrong σ' would be visible.
    let bases = rng.seq(60);
    let mut p = soft_input(&mut rng, &bases, 0.7);
    let pwm = Pwm::from_pfm(&set().reward[2], 0.8, UNIFORM_BACKGROUND).unwrap();
    let (max, mean) = (pwm.max_score(), pwm.weights.iter().map(|&w| w as f64).sum::<f64>() / 4.0);
    let a = (0.78 * max - mean) / (max - mean);
    for (j, &b) in consensus(&pwm).iter().enumerate() {
        for c in 0..4 {
            p[[20 + j, c]] = (1.0 - a) / 4.0 + if c == b as usize { a } else { 0.0 };
        }
    }
    let s = pwm.scan_soft(p.mapv(|v| v as f32).view()).forward[20] / max;
    assert!((s - 0.78).abs() < 1e-5, "{s}");
    check_gradient(&r, &p);
    // 2) AT-rich soft input with a fuzzy homopolymer (GC and homopolymer terms active).
    let mut at: Vec<u8> = (0..60).map(|i| if i % 5 == 0 { 2 } else { 3 * (i % 2) as u8 }).collect();
    at[30..42].fill(0);
    let p = soft_input(&mut rng, &at, 0.8);
    let (_, g) = r.reward_soft_f64(&p);
    let hard = r.terms_hard(&at);
    assert!(hard.gc_penalty > 0.0 && hard.homopolymer_penalty > 0.0 && g.iter().any(|v| v.abs() > 0.0));
    check_gradient(&r, &p);
    // 3) near-one-hot period-6 repeat (repeat term active through the arg-max 6-mer).
    let rep: Vec<u8> = (0..50).map(|i| [0u8, 1, 2, 3, 2, 1][i % 6]).collect();
    let p = soft_input(&mut rng, &rep, 0.97);
    let counts = soft_kmer_counts(&p, 6);
    assert!(counts.iter().cloned().fold(0.0, f64::max) > r.config.repeat_max);
    check_gradient(&r, &p);
}

#[test]
fn f32_api_agrees_with_f64() {
    let r = reward();
    let mut rng = Rng(99);
    let bases = rng.seq(200);
    let p64 = soft_input(&mut rng, &bases, 0.5);
    let p32 = p64.mapv(|v| v as f32);
    let (v32, g32) = r.reward_soft(p32.view());
    let (v64, g64) = r.reward_soft_f64(&p32.mapv(|v| v as f64));
    assert!((v32 as f64 - v64).abs() < 1e-5 * (1.0 + v64.abs()));
    for (a, b) in g32.iter().zip(&g64) {
        assert!((*a as f64 - b).abs() < 1e-5 * (1.0 + b.abs()));
    }
}

#[test]
fn config_rejects_unknown_keys_and_calibrates_gc() {
    assert!(serde_json::from_str::<D1Config>(r#"{"theta": 0.7}"#).unwrap().theta == 0.7);
    assert!(serde_json::from_str::<D1Config>(r#"{"thetta": 0.7}"#).is_err());
    let seqs: Vec<Vec<u8>> = (0..=20).map(|k| (0..20).map(|i| if i < k { 1 } else { 0 }).collect()).collect();
    let refs: Vec<&[u8]> = seqs.iter().map(|s| s.as_slice()).collect();
    let mut c = D1Config::default();
    c.calibrate_gc(&refs).unwrap();
    assert_eq!((c.gc_low, c.gc_high), (0.05, 0.95));
}

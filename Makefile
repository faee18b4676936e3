# Two commands do everything on a fresh machine:
#   make demo   the main job: sampler study on a Gaussian mixture, training example, WDNO on forced Burgers
#               (train, simulate, control, figure), GDSS on community-small, DRAKES reward fine-tuning of a
#               DNA diffusion model, ProteinMPNN protein design on 2 real backbones (CPU, ~35 min after the build)
#   make test   the test suite (what CI runs)
#   make demo-pde  WDNO on forced Burgers against the FNO baseline, simulate + control (CPU, 13.6 min measured after the build)
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup demo demo-pde test bench

setup:
	@bash scripts/setup.sh

demo: setup
	cargo run --release -- sde study --out runs/sde-study
	cargo run --release --example gmm_train
	cargo build --release
	ARCHS=wdno BIN=target/release/scidiff bash scripts/pde_demo.sh runs/demo-wdno
	rm -rf runs/demo-graph
	cargo run --release -- graph train --dataset community-small --preset quick --seed 0 --out runs/demo-graph
	cargo run --release -- graph sample --model runs/demo-graph --seed 0 --out runs/demo-graph/gen.json
	cargo run --release -- graph eval --generated runs/demo-graph/gen.json --dataset community-small
	cargo run --release -- graph plot runs/demo-graph/gen.json --n 8 --out runs/demo-graph/gen.png
	bash datasets/fetch_dhs.sh
	rm -rf runs/demo-seq runs/demo-drakes
	cargo run --release -- seq pretrain --dataset dhs --preset quick --steps 200 --seed 0 --out runs/demo-seq
	cargo run --release -- seq finetune --model runs/demo-seq --method drakes --reward motif --preset quick --seed 0 --out runs/demo-drakes
	cargo run --release -- seq sample --model runs/demo-seq --n 64 --steps 32 --seed 1 --out runs/demo-drakes/pretrained.fasta
	cargo run --release -- seq sample --model runs/demo-drakes --n 64 --steps 32 --seed 1 --out runs/demo-drakes/drakes.fasta
	cargo run --release -- seq eval --fasta runs/demo-drakes/pretrained.fasta --model runs/demo-seq
	cargo run --release -- seq eval --fasta runs/demo-drakes/drakes.fasta --model runs/demo-seq
	bash datasets/fetch_protein.sh
	mkdir -p runs/demo-protein
	cargo run --release -- seq design --split test --limit 2 --n 4 --batch 4 --seed 0 --out runs/demo-protein/designs.fasta
	cargo run --release -- seq design-eval --fasta runs/demo-protein/designs.fasta

demo-pde: setup
	cargo build --release
	BIN=target/release/scidiff bash scripts/pde_demo.sh runs/demo-pde

test: setup
	bash datasets/fetch_chemnet.sh
	bash datasets/fetch_protein.sh
	cargo test

bench: setup
	cargo bench --bench sampler_overhead
	cargo run --release --example bench_train

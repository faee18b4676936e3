# Two commands do everything on a fresh machine:
#   make demo   the main job: sampler study on a Gaussian mixture + training example (CPU, minutes)
#   make test   the test suite (what CI runs)
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup demo test bench

setup:
	@bash scripts/setup.sh

demo: setup
	cargo run --release -- sde study --out runs/sde-study
	cargo run --release --example gmm_train

test: setup
	cargo test

bench: setup
	cargo bench --bench sampler_overhead
	cargo run --release --example bench_train

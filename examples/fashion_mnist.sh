#!/usr/bin/env bash
# The main job: build a semhash database from the 60,000 Fashion-MNIST training
# images (Debian package dataset-fashion-mnist), encoded by PCA + ITQ (the
# best of semhash's encoders, docs/quality.md) into 30-bit addresses and
# 256-bit codes, each trained on its own, then query it with 1,000 test
# images: a few queries' top-10 and precision@10 over all 1,000, for the
# two-stage search and for the exact Hamming ranking.
#
#   examples/fashion_mnist.sh [BUILD_DIR] [DB_DIR]
set -euo pipefail
build=${1:-build}
db=${2:-$build/fashion-mnist.semhash}
data=/usr/share/datasets/fashion-mnist
semhash=$build/tools/semhash

rm -rf "$db"
"$semhash" build --db "$db" --images "$data/train-images-idx3-ubyte.gz" \
  --encoder itq --address-bits 30 --code-bits 256 --seed 42
"$semhash" query --db "$db" --images "$data/t10k-images-idx3-ubyte.gz" \
  --count 1000 --k 10 --show 3 --compare-exact \
  --query-labels "$data/t10k-labels-idx1-ubyte.gz" \
  --db-labels "$data/train-labels-idx1-ubyte.gz"

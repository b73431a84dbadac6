#!/usr/bin/env bash
# Measures every encoder on Fashion-MNIST as hashing papers do (the 60,000
# training images are the database, the 10,000 test images the queries) and
# prints the markdown rows of docs/quality.md.
#
#   examples/encoder_quality.sh [BUILD_DIR] [WORK_DIR]
#
# Long codes must be multiples of 64 bits, so 16 and 32 bits are measured on
# the address, a model trained on its own at that width: each run trains an
# (address, code) pair, (16, 64), (32, 128) and (30, 256), and its training
# time covers both models. The 256-bit run also gives the two-stage search.
set -euo pipefail
build=${1:-build}
work=${2:-$(mktemp -d)}
data=/usr/share/datasets/fashion-mnist
semhash=$build/tools/semhash
encoders=${ENCODERS:-lsh pcah itq sh}

field() {  # field NAME SECTION JSON: the number after "NAME": inside SECTION
  grep -o "\"$2\": {[^}]*}" <<<"$3" | grep -o "\"$1\": [0-9.e-]*" | awk '{print $2}'
}

printf '| encoder | bits | mAP | P@10 | P@100 | training time (s), pair |\n'
printf '|---|---|---|---|---|---|\n'
for encoder in $encoders; do
  for pair in "16 64" "32 128" "30 256"; do
    read -r address code <<<"$pair"
    model=$work/$encoder-$address-$code.model
    db=$work/$encoder-$address-$code.db
    rm -rf "$db"
    start=$(date +%s.%N)
    "$semhash" train --input "$data/train-images-idx3-ubyte.gz" --out "$model" \
      --encoder "$encoder" --address-bits "$address" --code-bits "$code" >/dev/null
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    "$semhash" build --db "$db" --images "$data/train-images-idx3-ubyte.gz" \
      --model "$model" >/dev/null
    json=$("$semhash" eval --db "$db" --json \
      --queries "$data/t10k-images-idx3-ubyte.gz" \
      --query-labels "$data/t10k-labels-idx1-ubyte.gz" \
      --db-labels "$data/train-labels-idx1-ubyte.gz")
    row() {  # row BITS SECTION
      printf '| %s | %s | %.3f | %.3f | %.3f | %.1f |\n' "$encoder" "$1" \
        "$(field map "$2" "$json")" "$(field p@10 "$2" "$json")" \
        "$(field p@100 "$2" "$json")" "$seconds"
    }
    [ "$address" != 30 ] && row "$address" address
    row "$code" hamming
    if [ "$code" = 256 ]; then
      echo "$encoder two-stage (30-bit address, 256-bit re-rank): $(grep -o '"two_stage": {[^}]*}' <<<"$json")" >&2
    fi
  done
done

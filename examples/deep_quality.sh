#!/usr/bin/env bash
# Measures the deep encoders (autoencoder, ssdh; needs a semhash built with
# LibTorch) on Fashion-MNIST as examples/encoder_quality.sh measures the
# others: the 60,000 training images are the database, the 10,000 test
# images the queries, relevance is an equal class. Prints the markdown rows
# of docs/quality.md; ssdh's classifier accuracy and each run's two-stage
# search go to stderr.
#
#   examples/deep_quality.sh [BUILD_DIR] [WORK_DIR]
#
# RUNS lists kind:address_bits:code_bits triples (default below). Each run
# trains both models with `semhash train` (the training time covers both;
# TRAIN_FLAGS adds flags), builds a database with `semhash build --model` and
# runs `semhash eval` (EVAL_FLAGS adds flags, e.g. the two-stage search's
# --max-candidates).
# The address row is measured on the address model alone, at its width.
set -euo pipefail
build=${1:-build}
work=${2:-$(mktemp -d)}
data=/usr/share/datasets/fashion-mnist
semhash=$build/tools/semhash
runs=${RUNS:-autoencoder:30:256 ssdh:30:256}

field() {  # field NAME SECTION JSON: the number after "NAME": inside SECTION
  grep -o "\"$2\": {[^}]*}" <<<"$3" | grep -o "\"$1\": [0-9.e-]*" | awk '{print $2}'
}

printf '| encoder | bits | mAP | P@10 | P@100 | training time (s), pair |\n'
printf '|---|---|---|---|---|---|\n'
for run in $runs; do
  IFS=: read -r kind address code <<<"$run"
  model=$work/$kind-$address-$code.model
  db=$work/$kind-$address-$code.db
  rm -rf "$db"
  labels=()
  [ "$kind" = ssdh ] && labels=(--labels "$data/train-labels-idx1-ubyte.gz")
  start=$(date +%s.%N)
  "$semhash" train --input "$data/train-images-idx3-ubyte.gz" --out "$model" \
    --encoder "$kind" --address-bits "$address" --code-bits "$code" \
    "${labels[@]}" ${TRAIN_FLAGS:-} >&2
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  "$semhash" build --db "$db" --images "$data/train-images-idx3-ubyte.gz" \
    --model "$model" >/dev/null
  json=$("$semhash" eval --db "$db" --json \
    --queries "$data/t10k-images-idx3-ubyte.gz" \
    --query-labels "$data/t10k-labels-idx1-ubyte.gz" \
    --db-labels "$data/train-labels-idx1-ubyte.gz" ${EVAL_FLAGS:-})
  row() {  # row BITS SECTION
    printf '| %s | %s | %.3f | %.3f | %.3f | %.1f |\n' "$kind" "$1" \
      "$(field map "$2" "$json")" "$(field p@10 "$2" "$json")" \
      "$(field p@100 "$2" "$json")" "$seconds"
  }
  row "$address" address
  row "$code" hamming
  echo "$kind-$address-$code two-stage: $(grep -o '"two_stage": {[^}]*}' <<<"$json")" >&2
  if grep -q '"classifier"' <<<"$json"; then
    echo "$kind-$address-$code classifier: $(grep -o '"classifier": {[^}]*}' <<<"$json")" >&2
  fi
done

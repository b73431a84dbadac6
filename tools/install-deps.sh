#!/usr/bin/env bash
# Installs everything semhash needs to build, test and run its main job on
# Debian 12, from Debian's own packages (clang and its runtime libraries are
# for the libFuzzer targets, fuzz/run.sh; libfaiss-dev is the optional FAISS
# baseline of tools/bench). Re-runs itself through sudo when not root.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then exec sudo "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config ca-certificates \
  librocksdb-dev libxxhash-dev libboost-program-options-dev \
  libflatbuffers-dev flatbuffers-compiler libeigen3-dev zlib1g-dev libpng-dev \
  libgtest-dev dataset-fashion-mnist libfaiss-dev \
  clang-14 libclang-rt-14-dev >/dev/null

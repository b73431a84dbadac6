#!/usr/bin/env bash
# Installs everything semhash needs to build, test and run its main job on
# Debian 12, from Debian's own packages (clang and its runtime libraries are
# for the libFuzzer targets, fuzz/run.sh; libfaiss-dev is the optional FAISS
# baseline of tools/bench, and libhdf5-dev the file format of its optional
# MIH reference baseline (`semhash bench --mih-reference`); libtorch-dev is
# the optional LibTorch of the deep encoders' training and TorchScript
# models). Re-runs itself through sudo when not root.
#
# libopenblas0-openmp: Debian's libtorch links libblas.so.3, which is the
# reference BLAS (libblas3, what apt picks for that dependency) unless
# OpenBLAS is installed, whose alternative then takes precedence (priority
# 95 against 10): training the deep encoders is about 8 times slower on the
# reference BLAS. This OpenBLAS runs its threads on the OpenMP runtime
# LibTorch uses, rather than a second thread pool of its own (-pthread).
#
# Python: the module (engine/python) is built for Debian's /usr/bin/python3
# with python3-dev and pybind11-dev; its tests need python3-numpy,
# python3-pytest and python3-faiss (the IndexBinaryFlat they compare with);
# semhash.dask (sharding over a Dask cluster) and its tests need
# python3-dask and python3-distributed.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then exec sudo "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config ca-certificates \
  librocksdb-dev libxxhash-dev libboost-program-options-dev \
  libflatbuffers-dev flatbuffers-compiler libeigen3-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev \
  libgtest-dev dataset-fashion-mnist libfaiss-dev libhdf5-dev \
  libtorch-dev libopenblas0-openmp \
  python3-dev python3-numpy pybind11-dev python3-pytest python3-faiss \
  python3-dask python3-distributed \
  clang-14 libclang-rt-14-dev >/dev/null

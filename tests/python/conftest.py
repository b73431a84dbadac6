"""Shared helpers of the Python module's tests: seeded random and clustered
codes, and the brute-force oracle every search is compared with."""

import numpy as np
import pytest

INT32_MAX = np.iinfo(np.int32).max


def random_codes(rng, n, code_bytes):
    return rng.integers(0, 256, (n, code_bytes), dtype=np.uint8)


def clustered_codes(rng, n, code_bytes, clusters=8, flip=0.08):
    """Codes around `clusters` random centres, each bit flipped with
    probability `flip`: many near neighbours and many ties."""
    centres = np.unpackbits(random_codes(rng, clusters, code_bytes), axis=1)
    bits = centres[rng.integers(0, clusters, n)]
    bits ^= (rng.random(bits.shape) < flip).astype(np.uint8)
    return np.packbits(bits, axis=1)


def hamming(queries, codes):
    """(len(queries), len(codes)) Hamming distances."""
    table = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None],
                          axis=1).sum(1)
    return table[queries[:, None, :] ^ codes[None, :, :]].sum(2)


def brute_knn(codes, ids, queries, k):
    """The k nearest (ties by ascending id), padded as FAISS pads."""
    dist = hamming(queries, codes)
    n = len(queries)
    D = np.full((n, k), INT32_MAX, dtype=np.int32)
    I = np.full((n, k), -1, dtype=np.int64)
    for q in range(n):
        order = np.lexsort((ids, dist[q]))[:k]
        D[q, :len(order)] = dist[q, order]
        I[q, :len(order)] = ids[order]
    return D, I


def brute_radius(codes, ids, queries, radius):
    """Every code within `radius` bits (inclusive), best first: (lims, D, I)."""
    dist = hamming(queries, codes)
    lims, D, I = [0], [], []
    for q in range(len(queries)):
        hit = np.nonzero(dist[q] <= radius)[0]
        hit = hit[np.lexsort((ids[hit], dist[q, hit]))]
        D.extend(dist[q, hit])
        I.extend(ids[hit])
        lims.append(len(D))
    return (np.array(lims, dtype=np.uint64), np.array(D, dtype=np.int32),
            np.array(I, dtype=np.int64))


@pytest.fixture
def rng():
    return np.random.default_rng(20261207)


@pytest.fixture(params=["random", "clustered"])
def stored(request, rng):
    """(kind, codes, ids): 2,000 64-byte codes with scattered ids."""
    n, code_bytes = 2000, 32
    make = random_codes if request.param == "random" else clustered_codes
    codes = make(rng, n, code_bytes)
    ids = rng.permutation(10 * n)[:n].astype(np.uint64)
    return request.param, codes, ids

"""Encoders from Python: training each kind the CLI trains, encoding,
a database that keeps its encoder, and raw vectors added and queried."""

import os
import subprocess

import numpy as np
import pytest

import semhash

LINEAR_KINDS = ["lsh", "pcah", "itq", "sh"]
DEEP_KINDS = ["autoencoder", "ssdh"]
DEEP = dict(hidden=[32], epochs=2, batch_size=64, threads=1)


@pytest.fixture
def data(rng):
    """Labelled float32 vectors in 4 well-separated classes."""
    centres = rng.standard_normal((4, 96)).astype(np.float32) * 4
    labels = rng.integers(0, 4, 600)
    vectors = centres[labels] + rng.standard_normal((600, 96)).astype(
        np.float32)
    return vectors, labels


def train(kind, vectors, labels, **options):
    extra = DEEP if kind in DEEP_KINDS else {}
    if kind == "ssdh":
        extra = dict(extra, labels=labels)
    return semhash.train_encoder(vectors, kind, address_bits=10,
                                 code_bits=64, **extra, **options)


@pytest.mark.parametrize("kind", LINEAR_KINDS)
def test_linear_kinds_train_encode_and_round_trip(tmp_path, data, kind):
    vectors, labels = data
    encoder = train(kind, vectors, labels)
    assert (encoder.kind, encoder.input_dim, encoder.address_bits,
            encoder.code_bits, encoder.class_count) == (kind, 96, 10, 64, 0)
    assert "seed=42" in encoder.params
    addresses, codes = encoder.encode(vectors)
    assert addresses.dtype == np.uint32 and addresses.shape == (600,)
    assert codes.dtype == np.uint8 and codes.shape == (600, 8)
    assert (addresses < 1 << 10).all()
    # float64 in gives the same codes as float32; the same seed the same
    # model; a model read back encodes the same.
    a64, c64 = encoder.encode(vectors.astype(np.float64))
    np.testing.assert_array_equal(c64, codes)
    np.testing.assert_array_equal(a64, addresses)
    assert train(kind, vectors, labels).serialize() == encoder.serialize()
    assert train(kind, vectors, labels, seed=7).serialize() != \
        encoder.serialize()
    encoder.save(str(tmp_path / "model"))
    for copy in (semhash.load_encoder(str(tmp_path / "model")),
                 semhash.Encoder.load(encoder.serialize())):
        np.testing.assert_array_equal(copy.encode(vectors)[1], codes)
    # Same-class vectors share more bits than vectors of other classes.
    bits = np.unpackbits(codes, axis=1).astype(int)
    same = labels[:, None] == labels[None, :]
    dist = np.abs(bits[:, None, :] - bits[None, :, :]).sum(2)
    assert dist[same].mean() < dist[~same].mean()


@pytest.mark.parametrize("kind", LINEAR_KINDS)
def test_same_model_as_the_cli(tmp_path, data, kind):
    cli = os.environ.get("SEMHASH_CLI")
    if not cli:
        pytest.skip("SEMHASH_CLI (the semhash tool) not set")
    vectors, labels = data
    np.save(tmp_path / "x.npy", vectors)
    subprocess.run([cli, "train", "--input", str(tmp_path / "x.npy"), "--out",
                    str(tmp_path / "m"), "--encoder", kind,
                    "--address-bits", "10", "--code-bits", "64", "--quiet"],
                   check=True)
    assert semhash.load_encoder(str(tmp_path / "m")).serialize() == \
        train(kind, vectors, labels).serialize()


@pytest.mark.parametrize("kind", DEEP_KINDS)
def test_deep_kinds_need_libtorch(data, kind):
    vectors, labels = data
    if not semhash.built_with_torch:
        with pytest.raises(semhash.NotSupported):
            train(kind, vectors, labels)
        return
    progress = []
    encoder = train(kind, vectors, labels, progress=progress.append)
    assert encoder.kind == kind and encoder.code_bits == 64
    assert progress and progress[-1]["stopping"]
    assert {"model", "epoch", "losses"} <= set(progress[0])
    addresses, codes = encoder.encode(vectors)
    assert codes.shape == (600, 8)
    if kind == "ssdh":
        classes, probabilities = encoder.classify(vectors)
        assert encoder.class_count == 4
        assert (classes == labels).mean() > 0.9
        assert ((probabilities > 0) & (probabilities <= 1)).all()
    else:
        with pytest.raises(semhash.NotSupported):
            encoder.classify(vectors)


def test_train_progress_and_bad_input(data):
    vectors, labels = data
    rounds = []
    semhash.train_encoder(vectors, "itq", address_bits=10, code_bits=64,
                          iterations=5, progress=lambda d, t: rounds.append(
                              (d, t)))
    assert rounds == [(i, 10) for i in range(1, 11)]
    with pytest.raises(semhash.InvalidArgument, match="kind|encoder"):
        semhash.train_encoder(vectors, "nope")
    with pytest.raises(semhash.InvalidArgument, match="float32 or float64"):
        semhash.train_encoder(vectors.astype(np.int32), "lsh")
    bad = vectors.copy()
    bad[3, 3] = np.nan
    with pytest.raises(semhash.InvalidArgument):
        semhash.train_encoder(bad, "lsh")
    encoder = semhash.train_encoder(vectors, "lsh", address_bits=10,
                                    code_bits=64)
    with pytest.raises(semhash.InvalidArgument):
        encoder.encode(vectors[:, :80].copy())  # Wrong dimension.
    with pytest.raises(semhash.InvalidArgument, match="C-contiguous"):
        encoder.encode(vectors[:, ::2])


def test_database_keeps_its_encoder_and_takes_raw_vectors(tmp_path, data):
    vectors, labels = data
    encoder = semhash.train_encoder(vectors, "itq", address_bits=10,
                                    code_bits=64)
    path = str(tmp_path / "db")
    with semhash.DB(path, create_if_missing=True, encoder=encoder,
                    address_bits=10, code_bits=64) as db:
        db.add_vectors(vectors[:500], payloads=[f"v{i}" for i in range(500)])
        assert len(db) == 500
        with pytest.raises(semhash.InvalidArgument, match="addresses"):
            db.add(encoder.encode(vectors[:1])[1])  # Codes alone.
    with semhash.DB(path, read_only=True) as db:
        stored = db.encoder
        assert (stored.kind, stored.params) == ("itq", encoder.params)
        assert db.info.encoder_kind == "itq"
        np.testing.assert_array_equal(stored.encode(vectors)[1],
                                      encoder.encode(vectors)[1])
        addresses, codes = db.encode(vectors[:50])
        np.testing.assert_array_equal(codes, encoder.encode(vectors[:50])[1])
        # A stored vector finds its code at distance 0, both ways (many
        # share a code: within radius 0 is the vector itself).
        for exact in (False, True):
            D, I = db.search_vectors(vectors[:50], 5, exact=exact)
            assert (D[:, 0] == 0).all()
        lims, _, I = db.search_radius(codes, 0)
        assert all(i in I[lims[i]:lims[i + 1]] for i in range(50))
        # Held-out vectors: most neighbours share the query's class.
        D, I = db.search_vectors(vectors[500:], 10, exact=True)
        assert (labels[I] == labels[500:, None]).mean() > 0.8
        assert db.get(3).payload == b"v3"

"""Bad input and damage become exceptions whose class follows the Status
code (all semhash.Error) and whose message says what is wrong."""

import os

import numpy as np
import pytest

import semhash
from conftest import random_codes


@pytest.fixture
def db(tmp_path, rng):
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    address_bits=12, code_bits=128) as db:
        db.add(random_codes(rng, 100, 16))
        yield db


def test_every_class_derives_from_error():
    for name in ("NotFound", "Corruption", "NotSupported", "InvalidArgument",
                 "IOError"):
        cls = getattr(semhash, name)
        assert issubclass(cls, semhash.Error) and cls is not semhash.Error
        assert cls.__module__ == "semhash"
    assert not issubclass(semhash.Corruption, semhash.InvalidArgument)
    assert not issubclass(semhash.InvalidArgument, semhash.Corruption)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 16), dtype=np.float32),
     "codes: expected dtype uint8, got float32"),
    (np.zeros((3, 16), dtype=np.int8), "codes: expected dtype uint8, got int8"),
    (np.zeros((3, 8), dtype=np.uint8),
     r"codes: expected 16 bytes per row \(128-bit codes\), got 8"),
    (np.zeros(16, dtype=np.uint8),
     r"codes: expected a 2-D array \(n, 16\), got shape \(16,\)"),
    (np.zeros((3, 32), dtype=np.uint8)[:, ::2], "codes: .*not C-contiguous"),
    (np.zeros((16, 3), dtype=np.uint8).T, "codes: .*not C-contiguous"),
    ([[1] * 16], "codes: expected dtype uint8, got int64"),
])
def test_bad_codes_are_refused_naming_the_problem(db, bad, message):
    for call in (lambda: db.search_exact(bad, 3),
                 lambda: db.search(bad, 3),
                 lambda: db.search_radius(bad, 3),
                 lambda: db.add(bad),
                 lambda: db.bulk_load(bad)):
        with pytest.raises(semhash.InvalidArgument, match=message):
            call()
    assert len(db) == 100


def test_k_and_radius_out_of_range(db, rng):
    q = random_codes(rng, 2, 16)
    for k in (0, -1):
        with pytest.raises(semhash.InvalidArgument, match="k must be at least"):
            db.search_exact(q, k)
        with pytest.raises(semhash.InvalidArgument, match="k must be at least"):
            db.search(q, k)
    with pytest.raises(semhash.InvalidArgument, match="radius"):
        db.search_radius(q, -1)


def test_bad_ids_addresses_and_payloads(db, rng):
    codes = random_codes(rng, 3, 16)
    with pytest.raises(semhash.InvalidArgument, match=r"ids\[1\] is negative"):
        db.add(codes, np.array([1, -2, 3]))
    with pytest.raises(semhash.InvalidArgument, match="ids: expected dtype"):
        db.add(codes, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(semhash.InvalidArgument,
                       match=r"ids: expected shape \(3,\), got \(2,\)"):
        db.add(codes, np.array([1, 2]))
    with pytest.raises(semhash.InvalidArgument,
                       match="addresses: expected dtype uint32, got int64"):
        db.add(codes, [1, 2, 3], np.array([1, 2, 3]))
    # The library's own check: an address wider than address_bits.
    with pytest.raises(semhash.InvalidArgument, match="address"):
        db.add(codes, [1, 2, 3], np.array([1, 2, 1 << 12], dtype=np.uint32))
    with pytest.raises(semhash.InvalidArgument,
                       match=r"payloads\[2\]: expected bytes or str, got int"):
        db.add(codes, [1, 2, 3], payloads=[b"a", "b", 3])
    with pytest.raises(semhash.InvalidArgument, match="payloads: expected 3"):
        db.add(codes, [1, 2, 3], payloads=[b"a"])
    with pytest.raises(semhash.InvalidArgument, match="payload"):
        db.add(codes[:1], [1], payloads=[b"x" * (64 * 1024 + 1)])
    assert len(db) == 100  # Nothing of a refused call was written.


def test_opening(tmp_path, db):
    with pytest.raises(semhash.NotFound):
        semhash.DB(str(tmp_path / "absent"))
    with pytest.raises(semhash.InvalidArgument, match="code_bits"):
        semhash.DB(str(tmp_path / "bad"), create_if_missing=True,
                   code_bits=100)
    with pytest.raises(semhash.InvalidArgument, match="memory_index"):
        semhash.DB(str(tmp_path / "x"), memory_index="sometimes")
    # Held for writing by the fixture.
    with pytest.raises(semhash.IOError, match="in use"):
        semhash.DB(db.path)
    db.close()
    with pytest.raises(semhash.InvalidArgument, match="already exists|exists"):
        semhash.DB(db.path, error_if_exists=True)
    with pytest.raises(semhash.InvalidArgument, match="code_bits"):
        semhash.DB(db.path, code_bits=256)


def test_closed_database(db, rng):
    db.close()
    db.close()
    assert db.closed
    with pytest.raises(semhash.InvalidArgument, match="closed"):
        db.search_exact(random_codes(rng, 1, 16), 1)
    with pytest.raises(semhash.InvalidArgument, match="closed"):
        len(db)


def test_damaged_model_is_corruption_not_invalid_argument(tmp_path, rng):
    encoder = semhash.train_encoder(rng.standard_normal((200, 16)), "lsh",
                                    address_bits=8, code_bits=64)
    path = str(tmp_path / "model")
    encoder.save(path)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x40
    open(path, "wb").write(bytes(data))
    with pytest.raises(semhash.Corruption) as raised:
        semhash.load_encoder(path)
    assert not isinstance(raised.value, semhash.InvalidArgument)
    assert not str(raised.value).startswith("Corruption")  # Status message.
    with pytest.raises(semhash.Corruption):
        semhash.Encoder.load(encoder.serialize()[:-3])
    with pytest.raises(semhash.IOError):
        semhash.load_encoder(str(tmp_path / "absent"))


def test_damaged_database_verify_raises_corruption_with_its_report(
        tmp_path, rng):
    path = str(tmp_path / "db")
    with semhash.DB(path, create_if_missing=True, code_bits=128) as db:
        db.bulk_load(random_codes(rng, 20000, 16))
    # A byte of the segment's codes (its first section, at 4096).
    segments = os.path.join(path, "segments")
    (segment,) = [os.path.join(segments, f) for f in os.listdir(segments)]
    data = bytearray(open(segment, "rb").read())
    data[4096 + 1000] ^= 0xFF
    open(segment, "wb").write(bytes(data))
    with semhash.DB(path) as db:
        with pytest.raises(semhash.Corruption) as raised:
            db.verify()
        report = raised.value.report
        assert isinstance(report, semhash.VerifyReport)
        assert report.problem_count >= 1 and report.problems
        assert report.problems[0].split(":")[0] in str(raised.value)


def test_the_stub_names_every_public_name_and_method():
    """__init__.pyi stays in step with the module: every exported name and
    every public method of DB, Encoder and IndexBinarySemhash is in it."""
    import ast
    stub = ast.parse(open(os.path.join(os.path.dirname(semhash.__file__),
                                       "__init__.pyi")).read())
    top = {node.name for node in stub.body
           if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    top |= {t.id for node in stub.body if isinstance(node, ast.AnnAssign)
            for t in [node.target]}
    assert set(semhash.__all__) <= top, set(semhash.__all__) - top
    classes = {node.name: node for node in stub.body
               if isinstance(node, ast.ClassDef)}
    for name in ("DB", "Encoder", "IndexBinarySemhash", "VerifyReport",
                 "Record", "DatabaseInfo"):
        members = {n.name for n in classes[name].body
                   if isinstance(n, ast.FunctionDef)}
        members |= {n.target.id for n in classes[name].body
                    if isinstance(n, ast.AnnAssign)}
        public = {m for m in dir(getattr(semhash, name))
                  if not m.startswith("_")}
        assert public <= members, (name, public - members)

"""DB with the calls on raw feature vectors: the stored encoder's encode
followed by the native add or search (nothing the library lacks)."""

from semhash import _semhash


class DB(_semhash.DB):
    __doc__ = _semhash.DB.__doc__

    def add_vectors(self, vectors, ids=None, payloads=None, *, sync=False):
        """Encodes float32/float64 vectors (n, dim) with the stored encoder
        and stores them as add does (ids default len(db), len(db) + 1, ...).
        """
        addresses, codes = self.encode(vectors)
        self.add(codes, ids, addresses, payloads, sync=sync)

    def search_vectors(self, vectors, k, *, exact=False, **options):
        """Encodes the query vectors with the stored encoder and searches:
        two-stage by default (options as search's), exhaustive Hamming
        ranking with exact=True. Returns (D, I) as search does."""
        addresses, codes = self.encode(vectors)
        if exact:
            return self.search_exact(codes, k, **options)
        return self.search(codes, k, addresses, **options)

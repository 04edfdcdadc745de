"""The RFC 6962 / RFC 9162 Merkle tree: hashing, an incremental tree builder, proofs and their
verification.

leaf hash = SHA-256(0x00 || leaf bytes); node hash = SHA-256(0x01 || left || right); the root of the
empty tree is SHA-256 of nothing. ``MTH(D[a:b])`` below is the Merkle tree hash of leaves a..b-1.

The builder keeps only the roots of the perfect subtrees that make up the leaves seen so far (a
"compact range": at most one per bit of the size), so a tree over millions of events needs a few
kilobytes. Proof generation is split in two: which subtrees a proof needs (pure functions of the
sizes), and their hashes, which the builder captures while the leaves stream past.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, straight from the RFC's recursive definition (for tests and
    small lists; the builder is the streaming equivalent)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_of(hashes[:k]), root_of(hashes[k:]))


# ---------------------------------------------------------------------------------------- proofs


class ProofError(ValueError):
    """A proof was asked for sizes that do not make sense."""


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The subtrees [a, b) whose hashes make up the inclusion proof of leaf ``index`` in a tree of
    ``size`` leaves, in proof order (RFC 9162 §2.1.3.1, PATH)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    out: list[tuple[int, int]] = []

    def path(m: int, lo: int, hi: int) -> None:
        n = hi - lo
        if n == 1:
            return
        k = _split(n)
        if m < k:
            path(m, lo, lo + k)
            out.append((lo + k, hi))
        else:
            path(m - k, lo + k, hi)
            out.append((lo, lo + k))

    path(index, 0, size)
    return out


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The subtrees [a, b) whose hashes make up the consistency proof from ``size1`` to ``size2``,
    in proof order (RFC 9162 §2.1.4.1, SUBPROOF). Empty when size1 is 0 or equals size2."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    out: list[tuple[int, int]] = []
    if size1 == 0 or size1 == size2:
        return out

    def sub(m: int, lo: int, hi: int, whole: bool) -> None:
        n = hi - lo
        if m == n:
            if not whole:
                out.append((lo, hi))
            return
        k = _split(n)
        if m <= k:
            sub(m, lo, lo + k, whole)
            out.append((lo + k, hi))
        else:
            sub(m - k, lo + k, hi, False)
            out.append((lo, lo + k))

    sub(size1, 0, size2, True)
    return out


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree over ``hashes`` (an in-memory list)."""
    return [root_of(hashes[a:b]) for a, b in inclusion_ranges(index, len(hashes))]


def consistency_proof(size1: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The consistency proof from the first ``size1`` leaves to all of ``hashes``."""
    return [root_of(hashes[a:b]) for a, b in consistency_ranges(size1, len(hashes))]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2); raises ProofError if the proof
    has the wrong shape."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("every hash in a proof has 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is high")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is high")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    try:
        return root_from_inclusion_proof(index, size, leaf, proof) == root
    except ProofError:
        return False


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows that the tree (size1, root1) is a prefix of (size2, root2)
    (RFC 9162 §2.1.4.2)."""
    if not 0 <= size1 <= size2 or any(len(p) != HASH_SIZE for p in proof):
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    if not path:
        return False
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


# -------------------------------------------------------------------------------------- builder


def perfect_subtrees(a: int, b: int) -> list[tuple[int, int]]:
    """[a, b) as aligned perfect subtrees, left to right (largest first for the ranges proofs use)."""
    out = []
    while a < b:
        width = a & -a if a else 1 << ((b - a).bit_length() - 1)
        while a + width > b:
            width >>= 1
        out.append((a, a + width))
        a += width
    return out


def fold(nodes: Sequence[bytes]) -> bytes:
    """The root over a left-to-right list of perfect-subtree roots of decreasing size."""
    if not nodes:
        return EMPTY_ROOT
    r = nodes[-1]
    for h in reversed(nodes[:-1]):
        r = node_hash(h, r)
    return r


class TreeBuilder:
    """Appends leaf hashes and keeps the compact range of [0, size).

    ``watch(ranges)`` asks for the hashes of subtrees [a, b) (as found in proofs) and
    ``watch_roots(sizes)`` for the root (and the compact range) at given sizes; they are captured
    as the leaves pass and read from ``subtree(a, b)`` / ``roots[size]`` / ``compacts[size]``. Only
    sizes that were watched before the leaves passed are known.
    """

    __slots__ = ("size", "nodes", "roots", "compacts", "_marks", "_wanted", "_root_sizes", "_captured")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        expected = [b - a for a, b in perfect_subtrees(0, size)]
        if len(nodes) != len(expected):
            raise ValueError(f"a compact range of size {size} has {len(expected)} nodes, not {len(nodes)}")
        self.size = size
        self.nodes = list(nodes)
        self.roots: dict[int, bytes] = {}
        self.compacts: dict[int, list[bytes]] = {}
        self._marks: set[int] = set()
        self._wanted: dict[int, list[int]] = {}
        self._root_sizes: set[int] = set()
        self._captured: dict[tuple[int, int], bytes] = {}

    def watch_roots(self, sizes: Iterable[int]) -> None:
        for s in sizes:
            if s == self.size:
                self.roots[s] = self.root()
                self.compacts[s] = list(self.nodes)
            elif s > self.size:
                self._root_sizes.add(s)
                self._marks.add(s)

    def watch(self, ranges: Iterable[tuple[int, int]]) -> None:
        for a, b in ranges:
            for s, e in perfect_subtrees(a, b):
                if e <= self.size:
                    raise ValueError(f"subtree [{s}, {e}) has already passed")
                self._wanted.setdefault(e, []).append(s)
                self._marks.add(e)

    def subtree(self, a: int, b: int) -> bytes:
        return fold([self._captured[p] for p in perfect_subtrees(a, b)])

    def extend(self, hashes: Iterable[bytes]) -> None:
        nodes, marks, sha = self.nodes, self._marks, _sha256
        size = self.size
        for h in hashes:
            if size + 1 in marks:
                self.size = size
                self._append_marked(h)
                size = self.size
                continue
            n = size
            while n & 1:
                h = sha(b"\x01" + nodes.pop() + h).digest()
                n >>= 1
            nodes.append(h)
            size += 1
        self.size = size

    def append(self, h: bytes) -> None:
        self.extend((h,))

    def _append_marked(self, h: bytes) -> None:
        end = self.size + 1
        by_width = {1: h}
        n, width = self.size, 1
        while n & 1:
            h = node_hash(self.nodes.pop(), h)
            n >>= 1
            width <<= 1
            by_width[width] = h
        self.nodes.append(h)
        self.size = end
        for start in self._wanted.pop(end, ()):
            self._captured[(start, end)] = by_width[end - start]
        if end in self._root_sizes:
            self.roots[end] = self.root()
            self.compacts[end] = list(self.nodes)
        self._marks.discard(end)

    def root(self) -> bytes:
        return fold(self.nodes)

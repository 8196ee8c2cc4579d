#pragma once
// The one place that splits a vector into parts and folds a rank count to a power of two.
// Every algorithm uses these; none computes offsets inline.
#include <cstddef>

namespace hockney {

// A contiguous run of elements: [offset, offset + length).
struct Chunk {
  size_t offset;
  size_t length;
  bool operator==(const Chunk&) const = default;
};

// Part `index` of `count` elements split into `parts` parts: the first count % parts parts
// hold one element more. Works for count < parts (trailing parts are empty) and count == 0.
Chunk chunkOf(size_t count, size_t parts, size_t index);

// The union of parts [first, first + n) (contiguous, n >= 1).
Chunk chunkRange(size_t count, size_t parts, size_t first, size_t n);

// Size of the largest part: ceil(count / parts).
size_t maxChunkLength(size_t count, size_t parts);

// Folding p ranks to the largest power of two p' <= p, as MPICH does: of the first 2r ranks
// (r = p - p'), each even rank hands its data to the odd rank above it and sits out; the
// remaining p' ranks get new ranks 0..p'-1.
struct Fold {
  int pof2;       // p'
  int remainder;  // r = p - p'
  int newRank;    // rank among the p' participants, or -1 when this rank sits out
  int partner;    // for the first 2r ranks: the rank it pairs with in the fold; else -1

  bool participates() const { return newRank >= 0; }
  // The real rank that holds new rank `nr`.
  int oldRank(int nr) const { return nr < remainder ? 2 * nr + 1 : nr + remainder; }
};

Fold foldOf(int rank, int p);

// How recursive halving / doubling split a vector among the p' participants of a fold. Either
// p' equal parts of `count` elements (chunkOf), or the blocks of p ranks of `block` elements
// each, where participant i < r owns the two blocks of ranks 2i and 2i+1 (it folded its even
// neighbour in) and participant i >= r owns the block of rank i + r. Parts never grow with
// their index, so the first m parts are the largest m-part range (what cost() relies on).
struct Parts {
  static Parts equal(size_t count, int pof2) { return Parts{count, pof2, 0, 0}; }
  static Parts foldedBlocks(size_t block, int p);
  Chunk range(int first, int n) const;  // parts [first, first + n), contiguous
  size_t count;                         // elements in the whole vector
  int pof2;
  size_t block;   // foldedBlocks only; 0 for equal parts
  int remainder;  // foldedBlocks only
};

int floorLog2(size_t v);  // v >= 1
int ceilLog2(size_t v);   // v >= 1; ceilLog2(1) == 0
bool isPowerOfTwo(size_t v);

}  // namespace hockney

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

int floorLog2(size_t v);  // v >= 1
int ceilLog2(size_t v);   // v >= 1; ceilLog2(1) == 0
bool isPowerOfTwo(size_t v);

}  // namespace hockney

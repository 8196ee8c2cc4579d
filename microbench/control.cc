#include "microbench/control.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "collectives/core/error.h"

namespace hockney {
namespace {

// A string of unknown length: its length, then its bytes.
void sendString(Transport& t, int peer, const std::string& s) {
  uint64_t length = s.size();
  controlSend(t, peer, &length, sizeof length);
  controlSend(t, peer, s.data(), s.size());
}

std::string recvString(Transport& t, int peer) {
  uint64_t length = 0;
  controlRecv(t, peer, &length, sizeof length);
  std::string s(length, '\0');
  controlRecv(t, peer, s.data(), length);
  return s;
}

void appendRecord(std::string& blob, const std::string& s) {
  uint64_t length = s.size();
  blob.append(reinterpret_cast<const char*>(&length), sizeof length);
  blob += s;
}

}  // namespace

// Binomial tree rooted at 0: rank r receives from r minus its lowest set bit, then sends to
// r + 2^k for every 2^k below that bit, largest first.
void broadcastFromZero(Transport& t, void* data, size_t bytes) {
  const int p = t.size(), r = t.rank();
  int mask = 1;
  while (mask < p) {
    if (r & mask) {
      controlRecv(t, r - mask, data, bytes);
      break;
    }
    mask <<= 1;
  }
  for (mask >>= 1; mask > 0; mask >>= 1)
    if (r + mask < p) controlSend(t, r + mask, data, bytes);
}

// The same tree upwards: each rank folds in its children's maxima, then sends to its parent.
void maxOverRanks(Transport& t, std::span<double> values) {
  const int p = t.size(), r = t.rank();
  const size_t bytes = values.size() * sizeof(double);
  std::vector<double> other(values.size());
  for (int mask = 1; mask < p; mask <<= 1) {
    if (r & mask) {
      controlSend(t, r - mask, values.data(), bytes);
      break;
    }
    if (r + mask < p) {
      controlRecv(t, r + mask, other.data(), bytes);
      for (size_t i = 0; i < values.size(); ++i) values[i] = std::max(values[i], other[i]);
    }
  }
  broadcastFromZero(t, values.data(), bytes);
}

void combineOverRanks(Transport& t, std::span<double> values, const std::string& stat) {
  if (stat == "max") return maxOverRanks(t, values);
  if (stat == "rank0") return broadcastFromZero(t, values.data(), values.size() * sizeof(double));
  if (stat == "min") {
    for (double& v : values) v = -v;
    maxOverRanks(t, values);
    for (double& v : values) v = -v;
    return;
  }
  HOCKNEY_CHECK(stat == "avg", "unknown rank statistic '{}'", stat);
  // Every rank's values at rank 0 (gatherToZero's records), averaged there, sent to all.
  const std::string mine(reinterpret_cast<const char*>(values.data()),
                         values.size() * sizeof(double));
  const std::vector<std::string> all = gatherToZero(t, mine);
  if (t.rank() == 0) {
    std::vector<double> sum(values.size(), 0.0);
    for (const std::string& s : all) {
      HOCKNEY_CHECK(s.size() == mine.size(), "a rank sent {} bytes of samples, not {}", s.size(),
                    mine.size());
      for (size_t i = 0; i < values.size(); ++i) {
        double v = 0;
        std::memcpy(&v, s.data() + i * sizeof(double), sizeof v);
        sum[i] += v;
      }
    }
    for (size_t i = 0; i < values.size(); ++i) values[i] = sum[i] / static_cast<double>(all.size());
  }
  broadcastFromZero(t, values.data(), values.size() * sizeof(double));
}

// Up the tree: rank r holds the records of ranks r .. r+2^k-1 (length-prefixed, in rank order)
// after hearing from its children, and sends them to its parent in one message.
std::vector<std::string> gatherToZero(Transport& t, const std::string& mine) {
  const int p = t.size(), r = t.rank();
  std::string blob;
  appendRecord(blob, mine);
  for (int mask = 1; mask < p; mask <<= 1) {
    if (r & mask) {
      sendString(t, r - mask, blob);
      return {};
    }
    if (r + mask < p) blob += recvString(t, r + mask);
  }
  std::vector<std::string> all;
  for (size_t at = 0; at < blob.size();) {
    uint64_t length = 0;
    HOCKNEY_CHECK(at + sizeof length <= blob.size(), "gatherToZero: truncated record");
    std::memcpy(&length, blob.data() + at, sizeof length);
    at += sizeof length;
    HOCKNEY_CHECK(at + length <= blob.size(), "gatherToZero: truncated record");
    all.push_back(blob.substr(at, length));
    at += length;
  }
  HOCKNEY_CHECK(static_cast<int>(all.size()) == p, "gatherToZero: {} records from {} ranks",
                all.size(), p);
  return all;
}

}  // namespace hockney

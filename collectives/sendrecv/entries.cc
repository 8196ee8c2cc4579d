// The point-to-point algorithms, as the registry lists them. count = one message.
#include <array>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "collectives/sendrecv/sendrecv.h"

namespace hockney {
namespace {

Cost oneMessage(const CallShape& s) {
  return Cost{1, static_cast<double>(s.bytes()), 0};
}

constexpr std::array kAlgorithms{
    Algorithm{.pattern = "sendrecv",
              .name = "pingpong",
              .summary = "a sends, b returns; one-way time (half the round trip)",
              .run =
                  [](Transport& t, const CallShape& s, const CallBuffers& b) {
                    pingpong(t, s.options().peerA, s.options().peerB, b.input, b.output, s.bytes());
                  },
              .cost = oneMessage,
              .scratch = noScratch,
              .timeScale = 0.5,
              .betweenPeers = true},
    Algorithm{.pattern = "sendrecv",
              .name = "bidirectional",
              .summary = "a and b send to each other at once",
              .run =
                  [](Transport& t, const CallShape& s, const CallBuffers& b) {
                    bidirectional(t, s.options().peerA, s.options().peerB, b.input, b.output,
                                  s.bytes());
                  },
              .cost = oneMessage,
              .scratch = noScratch,
              .betweenPeers = true},
    Algorithm{"sendrecv", "multipair", "ranks 2i and 2i+1 ping-pong at once; one-way time",
              [](Transport& t, const CallShape& s, const CallBuffers& b) {
                multipairPingpong(t, b.input, b.output, s.bytes());
              },
              oneMessage, noScratch, nullptr, 0.5},
};

constexpr std::array<std::string_view, 1> kOptions{"--peers"};

void checkPeers(const PatternParams& o, int p) {
  HOCKNEY_USAGE_CHECK(p >= 2, "sendrecv needs at least 2 ranks, not {}", p);
  HOCKNEY_USAGE_CHECK(
      o.peerA >= 0 && o.peerA < p && o.peerB >= 0 && o.peerB < p && o.peerA != o.peerB,
      "--peers {},{} must be two different ranks of {}", o.peerA, o.peerB, p);
}

}  // namespace

const Pattern& sendrecvPattern() {
  static const Pattern kPattern{
      "sendrecv",
      "messages between pairs of ranks (OSU-style)",
      wholeVector,
      wholeVector,
      checkPeers,
      {},
      kAlgorithms,
      {.pointToPoint = true, .reference = "pingpong", .vendors = {}, .options = kOptions}};
  return kPattern;
}

}  // namespace hockney

#pragma once
// What `hockney calibrate` settles before it measures: its options (before MPI starts), the
// patterns and algorithms it can run on this many ranks, and the checkpoint it continues or
// starts (rank 0). Each throws UsageError with the reason.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "collectives/transport/mpi.h"
#include "microbench/calibrate.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"
#include "reports/results.h"
#include "topology/topology.h"

namespace hockney {

// Where targets are measured: the world, every host's ranks at once ("node": rows are rank 0's
// host's), or one rank per host ("leaders"). A job on several hosts gets single-level fits from
// the node and leaders places; its world rows (two levels at once) check the composed model.
enum class PlaceScope { kWorld, kNode, kLeaders };
struct CalibrationPlace {
  PlaceScope scope = PlaceScope::kWorld;  // rows record its name (sweep.scope)
  int ranks = 0;                          // the size of every group of this place
  std::vector<int> members;  // the world ranks of this rank's group; empty: it sits out
  SweepConfig sweep;         // the job's sweep, placed on the group
  int color = -1;            // node, leaders: this rank's group (MPI_Comm_split), -1 none
  std::unique_ptr<MpiTransport> group;  // node, leaders: the group's communicator
  std::unique_ptr<Transport> device;    // --backend nccl: the group over NCCL
  bool member() const { return !members.empty(); }
};

// One pattern in one element type at one place (and, for point-to-point, one pair of ranks), with
// the cases calibrate measures for it.
struct CalibrationTarget {
  std::string pattern;
  DataType type = DataType::kFloat32;
  std::vector<BenchCase> cases;
  size_t unit = 4;     // requests are rounded to this (one element, or one per rank)
  size_t ceiling = 0;  // the largest request allowed (lowered when a size does not fit memory)
  size_t place = 0;    // index into the places
  int peerA = 0, peerB = 1;                  // point-to-point: the pair, as ranks of the place
  LinkLevel level = LinkLevel::kUnrecorded;  // the widest level its messages cross
  // World rows of a job whose steps cross two levels: measured on the coarse grids only, as the
  // held-out check of the composed model; never fitted, never refined.
  bool checkOnly = false;
  std::string label() const;  // "allreduce float32 node", "sendrecv world 0-2"
};

// The places a job has, as `rank` sees them: the world alone on one host or one rank per host;
// else the world, every host's ranks (when each host has as many, at least 2), and one rank per
// host. Their groups are made by the caller (MPI_Comm_split by `color`).
std::vector<CalibrationPlace> calibrationPlaces(const SweepConfig& sweep,
                                                const std::shared_ptr<const Topology>& topology,
                                                int rank);

// The targets of the job's patterns and types at every place they can run (the place's placement
// decides hierarchical algorithms), pingpong between a pair within a host and up to three pairs
// of hosts; what cannot run is said in `notes`.
std::vector<CalibrationTarget> calibrationTargets(const CalibrateJob& job,
                                                  const std::vector<CalibrationPlace>& places,
                                                  const Topology& topology,
                                                  std::vector<std::string>& notes);

// Rank 0: creates DIR, and continues (--resume) or starts the checkpoint named `identity`;
// refuses to overwrite a finished calibration without --resume. Returns the points already
// measured.
std::vector<ResultRow> openCalibrationCheckpoint(const CalibrateJob& job,
                                                 const Checkpoint& checkpoint,
                                                 const nlohmann::json& identity, int ranks,
                                                 std::vector<std::string>& notes);

// "pattern/algorithm" of every target's cases in `type`, once each, in target order.
std::vector<std::string> targetAlgorithms(const std::vector<CalibrationTarget>& targets,
                                          DataType type);

}  // namespace hockney

#pragma once
// A measurement stopped by SIGTERM or SIGINT (scancel, a batch system's time limit, Ctrl-C)
// ends with its own exit code, kExitInterrupted, and rank 0 says where what it measured is kept;
// rows already in the checkpoint are on disk (each is flushed as it is measured).
#include <string>

namespace hockney {

// Installs the handlers (every rank, after MPI_Init: the library's own handlers stay for the
// signals it owns).
void exitOnInterrupt();

// What the handler writes to standard error before exiting ("" writes nothing; the other ranks
// keep it empty). Set by rank 0 as the run goes: before measuring, once the checkpoint exists.
void setInterruptLine(const std::string& line);

// The line for a run whose points go to `checkpoint`.
std::string checkpointInterruptLine(const std::string& checkpoint);

}  // namespace hockney

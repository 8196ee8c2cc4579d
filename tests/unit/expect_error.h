#pragma once
// A UsageError whose message contains `needle`: what the import tests ask of every bad input.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "collectives/core/error.h"

namespace hockney {

inline void expectError(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; wanted one containing: " << needle;
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace hockney

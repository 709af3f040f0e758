// The cluster every e2e test runs against (issue 7): 1 controller, 3 brokers, 2 gateways, as real
// processes on free loopback ports.
#pragma once

#include <memory>

#include "gtest/gtest.h"
#include "tests/testing/local_cluster.h"

namespace eddy::testing {

inline std::unique_ptr<LocalCluster> StartE2eCluster() {
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.controllers = 1;
  options.brokers = 3;
  options.coordinators = 0;
  options.registries = 0;
  options.gateways = 2;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  auto cluster = std::make_unique<LocalCluster>(options);
  absl::Status status = cluster->Start();
  EXPECT_TRUE(status.ok()) << status;
  if (!status.ok()) return nullptr;
  return cluster;
}

}  // namespace eddy::testing

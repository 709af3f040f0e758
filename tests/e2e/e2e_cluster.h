// The cluster every e2e test runs against (issue 7): 1 controller, 3 brokers, 2 gateways, as real
// processes on free loopback ports; group tests add a coordinator and wait until the controller
// has created __consumer_offsets and assigned its shards.
#pragma once

#include <memory>

#include "gtest/gtest.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {

struct E2eClusterOptions {
  // Schema registries (tests of serializers that talk to one).
  int registries = 0;
  // Group coordinators (tests of consumer groups).
  int coordinators = 0;
};

inline std::unique_ptr<LocalCluster> StartE2eCluster(E2eClusterOptions e2e = {}) {
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.controllers = 1;
  options.brokers = 3;
  options.coordinators = e2e.coordinators;
  options.registries = e2e.registries;
  options.gateways = 2;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  auto cluster = std::make_unique<LocalCluster>(options);
  absl::Status status = cluster->Start();
  EXPECT_TRUE(status.ok()) << status;
  if (!status.ok()) return nullptr;
  // Brokers register fenced and are unfenced by their first heartbeats: wait until all three can
  // host replicas, so replication factor 3 is available to the clients.
  const bool brokers_up = WaitFor(
      [&] {
        auto cluster_status = cluster->ClusterStatus();
        return cluster_status.ok() && cluster_status->health().brokers() == 3 &&
               cluster_status->health().fenced_brokers() == 0;
      },
      absl::Seconds(60));
  EXPECT_TRUE(brokers_up) << "brokers did not all unfence";
  if (!brokers_up) return nullptr;
  if (e2e.coordinators > 0) {
    // The controller creates __consumer_offsets once a coordinator is live and the brokers are
    // usable; clients would retry COORDINATOR_NOT_AVAILABLE meanwhile, tests just start later.
    const bool offsets_topic = WaitFor(
        [&] {
          auto cluster_status = cluster->ClusterStatus();
          return cluster_status.ok() && cluster_status->health().topics() >= 1;
        },
        absl::Seconds(60));
    EXPECT_TRUE(offsets_topic) << "__consumer_offsets was not created";
    if (!offsets_topic) return nullptr;
  }
  return cluster;
}

}  // namespace eddy::testing

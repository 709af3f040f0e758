// Shared setup of the broker integration tests: a LocalCluster with one controller and N brokers
// (no coordinator, registry or gateway), a topic created through the controller and waited for
// until every replica's broker has it, and the addresses the data-stream test client needs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_producer.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {

class BrokerClusterTest : public ::testing::Test {
 protected:
  void StartCluster(int brokers) {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.brokers = brokers;
    options.coordinators = 0;
    options.registries = 0;
    options.gateways = 0;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    for (int i = 0; i < brokers; ++i) brokers_[i + 1] = cluster_->GrpcAddress(Role::kBroker, i);
    // Registered brokers start fenced until their first heartbeat; topics need them unfenced.
    ASSERT_TRUE(WaitFor([&] { return ActiveBrokers() == brokers; }, absl::Seconds(20)));
  }

  int ActiveBrokers() const {
    absl::StatusOr<eddy::v1::GetClusterStatusResponse> status = cluster_->ClusterStatus();
    if (!status.ok()) return -1;
    // The metadata's view: registered and unfenced brokers (what replica placement uses).
    return static_cast<int>(status->health().brokers() - status->health().fenced_brokers());
  }

  std::string controller() const { return cluster_->GrpcAddress(Role::kController); }

  // CreateTopicAndWait creates the topic and waits until each partition's leader serves it.
  void CreateTopicAndWait(const std::string& topic, int partitions, int replication_factor,
                          const std::map<std::string, std::string>& configs = {}) {
    EDDY_ASSERT_OK(CreateTopic(controller(), topic, partitions, replication_factor, configs));
    for (int p = 0; p < partitions; ++p) {
      ASSERT_TRUE(WaitFor(
          [&] {
            absl::StatusOr<PartitionState> state = GetPartitionState(controller(), topic, p);
            if (!state.ok() || state->leader < 0) return false;
            DataStreamClient client(brokers_.at(state->leader));
            auto response = client.Call(FetchRequest(topic, p, 0), absl::Seconds(2));
            return response.ok() && response->fetch().results(0).error_code() == 0 &&
                   static_cast<int>(state->isr.size()) == replication_factor;
          },
          absl::Seconds(20)))
          << topic << "-" << p << " never became available";
    }
  }

  TestProducerOptions ProducerOptions(const std::string& topic, int partitions) const {
    TestProducerOptions options;
    options.controller = controller();
    options.brokers = brokers_;
    options.topic = topic;
    options.partitions = partitions;
    return options;
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::map<int32_t, std::string> brokers_;  // broker id → gRPC address
};

}  // namespace eddy::testing

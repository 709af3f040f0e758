#include "services/controller/metadata_stats.h"

#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using testing::Ids;
using testing::MetadataFixture;

TEST(MetadataStatsTest, CountsFencedBrokersAndUnhealthyPartitions) {
  MetadataFixture f;
  f.AddBroker(1);
  const BrokerEpoch epoch2 = f.AddBroker(2);
  f.AddBroker(3, "", /*fenced=*/true);
  f.AddTopic("a", {Ids({1, 2}), Ids({2, 1})});
  f.AddTopic("b", {Ids({1})});
  f.SetConfig(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "a", "min.insync.replicas", "2");

  MetadataStats healthy = ComputeStats(f.image());
  EXPECT_EQ(healthy.brokers, 3);
  EXPECT_EQ(healthy.fenced_brokers, 1);
  EXPECT_EQ(healthy.topics, 2);
  EXPECT_EQ(healthy.partitions, 3);
  EXPECT_EQ(healthy.offline_partitions, 0);
  EXPECT_EQ(healthy.under_replicated_partitions, 0);
  EXPECT_FALSE(LeadsNoPartitions(f.image(), BrokerId(2)));

  f.Apply(BeginControlledShutdown(f.image(), BrokerId(2), epoch2).records);
  EXPECT_TRUE(LeadsNoPartitions(f.image(), BrokerId(2)));
  f.Apply(FenceBroker(f.image(), BrokerId(1)).records);
  MetadataStats degraded = ComputeStats(f.image());
  EXPECT_EQ(degraded.fenced_brokers, 2);
  EXPECT_EQ(degraded.brokers_in_controlled_shutdown, 1);
  EXPECT_EQ(degraded.offline_partitions, 3);
  EXPECT_EQ(degraded.under_replicated_partitions, 3);
  EXPECT_EQ(degraded.under_min_isr_partitions, 3);
  EXPECT_EQ(degraded.preferred_replica_imbalance, 3);
}

}  // namespace
}  // namespace eddy::controller

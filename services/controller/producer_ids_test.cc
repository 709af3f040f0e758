#include "services/controller/producer_ids.h"

#include <limits>

#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using testing::MetadataFixture;

TEST(ProducerIdsTest, BlocksAreMonotonicAndDisjointAcrossBrokers) {
  MetadataFixture f;
  const BrokerEpoch e1 = f.AddBroker(1);
  const BrokerEpoch e2 = f.AddBroker(2);
  ControllerOptions options;
  int64_t expected_first = 0;
  for (int i = 0; i < 6; ++i) {
    const int32_t broker = 1 + i % 2;
    auto result = AllocateProducerIds(f.image(), options, BrokerId(broker), broker == 1 ? e1 : e2);
    ASSERT_TRUE(result.response.error.ok()) << result.response.error.message;
    EXPECT_EQ(result.response.block.first_producer_id, ProducerId(expected_first));
    EXPECT_EQ(result.response.block.size, 1000);
    EXPECT_EQ(result.response.block.assigned_broker, BrokerId(broker));
    f.Apply(result.records);
    expected_first += 1000;
    EXPECT_EQ(f.image().next_producer_id(), ProducerId(expected_first));
  }
}

TEST(ProducerIdsTest, RejectsStaleBrokersAndExhaustion) {
  MetadataFixture f;
  const BrokerEpoch epoch = f.AddBroker(1);
  ControllerOptions options;
  EXPECT_EQ(AllocateProducerIds(f.image(), options, BrokerId(1), epoch + 1).response.error.code,
            ErrorCode::kStaleBrokerEpoch);
  EXPECT_EQ(
      AllocateProducerIds(f.image(), options, BrokerId(7), BrokerEpoch(1)).response.error.code,
      ErrorCode::kStaleBrokerEpoch);

  eddy::v1::ProducerIdsRecord near_end;
  near_end.set_next_producer_id(std::numeric_limits<int64_t>::max() - 10);
  f.Apply({Wrap(near_end)});
  auto exhausted = AllocateProducerIds(f.image(), options, BrokerId(1), epoch);
  EXPECT_EQ(exhausted.response.error.code, ErrorCode::kUnknownServerError);
  EXPECT_TRUE(exhausted.records.empty());
}

}  // namespace
}  // namespace eddy::controller

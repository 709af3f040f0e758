#include "libs/kafka/consumer_protocol.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::kafka {
namespace {

using ::eddy::testing::StatusIs;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// librdkafka's Subscription v1 for topic "t", empty user data, nothing owned (kafka-protocol.md §6).
TEST(ConsumerProtocolTest, LibrdkafkaSubscriptionBytes) {
  const std::string blob = Bytes({0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, 0, 0, 0, 0});
  EDDY_ASSERT_OK_AND_ASSIGN(auto sub, DecodeSubscription(blob));
  EXPECT_EQ(sub.version, 1);
  EXPECT_EQ(sub.value.topics, std::vector<std::string>{"t"});
  EXPECT_EQ(sub.value.user_data, std::string());
  EXPECT_TRUE(sub.value.owned_partitions.empty());
  EXPECT_THAT(EncodeSubscription(sub.value, 1), ::eddy::testing::IsOkAndHolds(blob));
}

TEST(ConsumerProtocolTest, NewerVersionsAreReadWithTheNewestLayout) {
  ConsumerProtocolSubscription sub;
  sub.topics = {"a", "b"};
  sub.generation_id = 4;
  sub.rack_id = "r1";
  EDDY_ASSERT_OK_AND_ASSIGN(std::string blob, EncodeSubscription(sub, 3));
  blob[1] = 9;                // claim a future version...
  blob += Bytes({1, 2, 3});  // ...with fields we do not know appended
  EDDY_ASSERT_OK_AND_ASSIGN(auto back, DecodeSubscription(blob));
  EXPECT_EQ(back.version, 9);
  EXPECT_EQ(back.value, sub);
}

TEST(ConsumerProtocolTest, AssignmentRoundTripAndEmptyBlob) {
  ConsumerProtocolAssignment a;
  a.assigned_partitions.push_back({.topic = "t", .partitions = {0, 2}});
  EDDY_ASSERT_OK_AND_ASSIGN(std::string blob, EncodeAssignment(a, 0));
  EXPECT_EQ(blob, Bytes({0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xff,
                         0xff, 0xff, 0xff}));
  EDDY_ASSERT_OK_AND_ASSIGN(auto back, DecodeAssignment(blob));
  EXPECT_EQ(back.value, a);
  EDDY_ASSERT_OK_AND_ASSIGN(auto empty, DecodeAssignment(""));
  EXPECT_TRUE(empty.value.assigned_partitions.empty());
  EXPECT_THAT(DecodeAssignment(Bytes({0, 0, 0, 0, 0, 5})).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeSubscription(Bytes({0xff, 0xff})).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::kafka

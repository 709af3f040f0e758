// Behaviour of the generated message code beyond round trips: version gating, Kafka's rules for
// fields a version lacks, tagged-field defaults, and error paths.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/fetch.h"
#include "libs/kafka/messages/metadata.h"
#include "libs/kafka/messages/produce.h"
#include "tests/testing/status_matchers.h"

namespace eddy::kafka {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(MessagesTest, NonIgnorableFieldMissingFromVersionIsAnEncodeError) {
  ProduceRequest req;
  req.transactional_id = "tx";  // exists from v3
  EXPECT_THAT(EncodeToString(req, 2).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ProduceRequest v2: transactional_id: non-default")));
  EXPECT_THAT(EncodeToString(req, 3).status(), IsOk());
}

TEST(MessagesTest, IgnorableFieldMissingFromVersionIsDropped) {
  ProduceResponse resp;
  resp.throttle_time_ms = 5;  // ignorable, exists from v1
  EDDY_ASSERT_OK_AND_ASSIGN(std::string v0, EncodeToString(resp, 0));
  EDDY_ASSERT_OK_AND_ASSIGN(ProduceResponse back, DecodeFull<ProduceResponse>(Span(v0), 0));
  EXPECT_EQ(back.throttle_time_ms, 0);
}

TEST(MessagesTest, TaggedFieldsAreWrittenOnlyWhenNotDefault) {
  FetchRequest req;
  req.replica_id = -1;
  EDDY_ASSERT_OK_AND_ASSIGN(std::string plain, EncodeToString(req, 12));
  req.cluster_id = "cluster";  // tag 0 from v12, default null
  EDDY_ASSERT_OK_AND_ASSIGN(std::string tagged, EncodeToString(req, 12));
  // tag 0, size 8, compact string "cluster" (length+1 = 8), count 1 instead of 0.
  EXPECT_EQ(tagged.size(), plain.size() + 1 + 1 + 8);
  EDDY_ASSERT_OK_AND_ASSIGN(FetchRequest back, DecodeFull<FetchRequest>(Span(tagged), 12));
  EXPECT_EQ(back.cluster_id, "cluster");
  EXPECT_TRUE(back.unknown_tagged_fields.empty());
}

TEST(MessagesTest, UnsupportedVersionsAreRejected) {
  ApiVersionsRequest req;
  EXPECT_THAT(EncodeToString(req, 5).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unsupported version 5")));
  EXPECT_THAT(DecodeFull<ApiVersionsRequest>(Span(""), -1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MessagesTest, TrailingBytesAreRejectedByDecodeFull) {
  ApiVersionsRequest req;
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeToString(req, 0));
  bytes += "x";
  EXPECT_THAT(DecodeFull<ApiVersionsRequest>(Span(bytes), 0).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trailing")));
}

TEST(MessagesTest, NullInNonNullableVersionIsAnEncodeError) {
  MetadataRequest req;
  req.topics.reset();  // "all topics": null from v1; v0 means it with an empty array
  EXPECT_THAT(EncodeToString(req, 0).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("MetadataRequest v0: topics: non-nullable array is null")));
  EXPECT_THAT(EncodeToString(req, 1).status(), IsOk());
}

}  // namespace
}  // namespace eddy::kafka

#include "services/coordinator/group_records.h"

#include <gtest/gtest.h>

#include "services/coordinator/group_coordinator.h"
#include "tests/testing/status_matchers.h"

namespace eddy::coordinator {
namespace {

using ::eddy::testing::StatusIs;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

TEST(GroupRecordsTest, OffsetCommitKeyHasKafkasLayout) {
  // version 1 | group "g" | topic "t" | partition 3
  EXPECT_EQ(Hex(EncodeKey(OffsetCommitKey{"g", "t", 3})),
            "0001"
            "000167"
            "000174"
            "00000003");
  EDDY_ASSERT_OK_AND_ASSIGN(GroupRecordKey key, DecodeKey(EncodeKey(OffsetCommitKey{"g", "t", 3})));
  EXPECT_EQ(std::get<OffsetCommitKey>(key), (OffsetCommitKey{"g", "t", 3}));
}

TEST(GroupRecordsTest, GroupMetadataKeyIsVersionTwo) {
  EXPECT_EQ(Hex(EncodeKey(GroupMetadataKey{"g"})),
            "0002"
            "000167");
  EDDY_ASSERT_OK_AND_ASSIGN(GroupRecordKey key, DecodeKey(EncodeKey(GroupMetadataKey{"grp"})));
  EXPECT_EQ(std::get<GroupMetadataKey>(key).group, "grp");
}

TEST(GroupRecordsTest, OffsetCommitValueV3Layout) {
  OffsetCommitValue v{42, 7, "m", 1000, -1, {}};
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeOffsetCommitValue(v));
  // version 3 | offset | leader epoch | metadata "m" | commit timestamp
  EXPECT_EQ(Hex(bytes),
            "0003"
            "000000000000002a"
            "00000007"
            "00016d"
            "00000000000003e8");
  EDDY_ASSERT_OK_AND_ASSIGN(OffsetCommitValue back, DecodeOffsetCommitValue(bytes));
  EXPECT_EQ(back, v);
}

TEST(GroupRecordsTest, ExplicitRetentionWritesVersionOne) {
  OffsetCommitValue v{5, -1, "", 1000, 5000, {}};
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeOffsetCommitValue(v));
  EXPECT_EQ(Hex(bytes.substr(0, 2)), "0001");
  EDDY_ASSERT_OK_AND_ASSIGN(OffsetCommitValue back, DecodeOffsetCommitValue(bytes));
  EXPECT_EQ(back.expire_timestamp_ms, 5000);
  EXPECT_EQ(back.leader_epoch, -1);  // v1 has no leader epoch
}

TEST(GroupRecordsTest, EveryOffsetCommitValueVersionRoundTrips) {
  for (int16_t version = 0; version <= 4; ++version) {
    OffsetCommitValue v{9, version >= 3 ? 2 : -1, "meta", 77, version == 1 ? 99 : -1, {}};
    EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeOffsetCommitValue(v, version));
    EDDY_ASSERT_OK_AND_ASSIGN(OffsetCommitValue back, DecodeOffsetCommitValue(bytes));
    EXPECT_EQ(back, v) << "version " << version;
  }
}

GroupMetadataValue SampleGroup() {
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.generation = 12;
  v.protocol = "range";
  v.leader = "m1";
  v.current_state_timestamp_ms = 123456;
  v.members.push_back({"m1", "instance-1", "client", "/127.0.0.1", 30000, 10000, "sub", "asg", {}});
  v.members.push_back({"m2", std::nullopt, "client", "/127.0.0.1", 30000, 10000, "", "", {}});
  return v;
}

TEST(GroupRecordsTest, EveryGroupMetadataValueVersionRoundTrips) {
  for (int16_t version = 0; version <= 4; ++version) {
    GroupMetadataValue v = SampleGroup();
    if (version < 2) v.current_state_timestamp_ms = -1;
    for (auto& m : v.members) {
      if (version < 1) m.rebalance_timeout_ms = 0;
      if (version < 3) m.group_instance_id.reset();
    }
    EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeGroupMetadataValue(v, version));
    EDDY_ASSERT_OK_AND_ASSIGN(GroupMetadataValue back, DecodeGroupMetadataValue(bytes));
    EXPECT_EQ(back, v) << "version " << version;
  }
}

TEST(GroupRecordsTest, EmptyGroupHasNullProtocolAndLeader) {
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.generation = 3;
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeGroupMetadataValue(v));
  // version 3 | "consumer" | generation 3 | protocol null | leader null | timestamp -1 | 0 members
  EXPECT_EQ(Hex(bytes),
            "0003"
            "0008" +
                Hex("consumer") +
                "00000003"
                "ffff"
                "ffff" +
                "ffffffffffffffff"
                "00000000");
}

TEST(GroupRecordsTest, MalformedInputIsAnErrorNotACrash) {
  EXPECT_THAT(DecodeKey(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeKey(std::string("\x00\x07", 2)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeKey(std::string("\x00\x01\x00\x09g", 5)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeGroupMetadataValue(SampleGroup()));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeGroupMetadataValue(bytes.substr(0, cut)).ok()) << cut;
  }
  EXPECT_THAT(DecodeOffsetCommitValue(std::string("\x00\x09", 2)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::coordinator

#include "libs/raft/raft_proto.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

// FullMessage sets every field to a distinct non-default value, so a field the codec forgets or
// swaps breaks the round trip.
Message FullMessage(MessageType type) {
  Message m;
  m.type = type;
  m.from = NodeId(3);
  m.to = NodeId(5);
  m.term = Term(7);
  m.index = LogIndex(11);
  m.log_term = Term(6);
  m.entries = {Entry{LogIndex(12), Term(6), EntryType::kNormal, std::string("a\0b", 3)},
               Entry{LogIndex(13), Term(7), EntryType::kConfChange, std::string("\x09\0\0\0", 4)},
               Entry{LogIndex(14), Term(7), EntryType::kNormal, ""}};
  m.commit = LogIndex(10);
  m.reject = true;
  m.reject_hint = LogIndex(8);
  m.transfer = true;
  m.read_context = 0xfeedfacecafebeefULL;
  m.snapshot = {LogIndex(9), Term(4), ConfState{{NodeId(1), NodeId(3), NodeId(5)}}};
  m.snapshot_size = 1 << 20;
  m.offset = 4096;
  m.chunk = std::string(300, '\xff');
  return m;
}

Message RoundTrip(const Message& m) {
  eddy::v1::RaftMessage proto;
  ToProto(m, &proto);
  // Through the wire bytes too, as the transport sends them.
  eddy::v1::RaftMessage parsed;
  EXPECT_TRUE(parsed.ParseFromString(proto.SerializeAsString()));
  absl::StatusOr<Message> back = FromProto(parsed);
  EXPECT_TRUE(back.ok()) << back.status();
  return back.ok() ? *back : Message{};
}

class MessageRoundTripTest : public ::testing::TestWithParam<MessageType> {};

TEST_P(MessageRoundTripTest, EveryFieldSurvives) {
  const Message full = FullMessage(GetParam());
  EXPECT_EQ(RoundTrip(full), full);
  Message minimal;
  minimal.type = GetParam();
  minimal.from = NodeId(1);
  minimal.to = NodeId(2);
  EXPECT_EQ(RoundTrip(minimal), minimal);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MessageRoundTripTest,
                         ::testing::Values(MessageType::kPreVote, MessageType::kPreVoteResponse,
                                           MessageType::kVote, MessageType::kVoteResponse,
                                           MessageType::kAppend, MessageType::kAppendResponse,
                                           MessageType::kInstallSnapshot,
                                           MessageType::kInstallSnapshotResponse,
                                           MessageType::kTimeoutNow),
                         [](const auto& info) { return std::string(MessageTypeName(info.param)); });

TEST(RaftProtoTest, SnapshotChunkIsOmittedWhenUnused) {
  Message m;
  m.type = MessageType::kAppend;
  eddy::v1::RaftMessage proto;
  ToProto(m, &proto);
  EXPECT_FALSE(proto.has_snapshot());
  m = FullMessage(MessageType::kInstallSnapshot);
  ToProto(m, &proto);
  ASSERT_TRUE(proto.has_snapshot());
  EXPECT_EQ(proto.snapshot().total_size(), 1u << 20);
  EXPECT_EQ(proto.snapshot().metadata().conf().voters_size(), 3);
}

TEST(RaftProtoTest, HardStateAndSnapshotMetadataRoundTrip) {
  HardState hs{Term(9), NodeId(2), LogIndex(41)};
  eddy::v1::RaftHardState hs_proto;
  ToProto(hs, &hs_proto);
  EXPECT_THAT(FromProto(hs_proto), IsOkAndHolds(hs));
  SnapshotMetadata meta{LogIndex(40), Term(8), ConfState{{NodeId(4), NodeId(2)}}};
  eddy::v1::RaftSnapshotMetadata meta_proto;
  ToProto(meta, &meta_proto);
  EXPECT_THAT(FromProto(meta_proto), IsOkAndHolds(meta));
}

TEST(RaftProtoTest, RejectsWhatTheCoreWouldMisread) {
  eddy::v1::RaftMessage m;
  m.set_type(static_cast<eddy::v1::RaftMessageType>(42));
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.set_type(eddy::v1::RAFT_MESSAGE_TYPE_APPEND);
  m.set_term(-1);
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.set_term(1);
  m.add_entries()->set_type(static_cast<eddy::v1::RaftEntryType>(7));
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.clear_entries();
  m.mutable_snapshot()->mutable_metadata()->mutable_conf()->add_voters(0);
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  eddy::v1::RaftHardState hs;
  hs.set_vote(-3);
  EXPECT_THAT(FromProto(hs), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::raft

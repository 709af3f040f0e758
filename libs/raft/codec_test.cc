#include "libs/raft/codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

TEST(RaftCodecTest, EveryMessageFieldRoundTrips) {
  const ConfState conf{{NodeId(1), NodeId(2)}};
  Message m{
      .type = MessageType::kInstallSnapshot,
      .from = NodeId(1),
      .to = NodeId(3),
      .term = Term(7),
      .index = LogIndex(10),
      .log_term = Term(6),
      .entries = {Entry{LogIndex(11), Term(7), EntryType::kNormal, "a"},
                  Entry{LogIndex(12), Term(7), EntryType::kConfChange, EncodeConfState(conf)}},
      .commit = LogIndex(9),
      .reject = true,
      .reject_hint = LogIndex(4),
      .transfer = true,
      .read_context = 99,
      .snapshot = {LogIndex(8), Term(5), conf},
      .snapshot_size = 1000,
      .offset = 24,
      .chunk = std::string("\0\1\2", 3)};
  EXPECT_THAT(FromProto(ToProto(m)), IsOkAndHolds(m));
  for (int t = 0; t <= static_cast<int>(MessageType::kTimeoutNow); ++t) {
    m.type = static_cast<MessageType>(t);
    EXPECT_THAT(FromProto(ToProto(m)), IsOkAndHolds(m));
  }
}

TEST(RaftCodecTest, StorageRecordsRoundTrip) {
  HardState hs{Term(3), NodeId(2), LogIndex(40)};
  EXPECT_THAT(FromProto(ToProto(hs)), IsOkAndHolds(hs));
  SnapshotMetadata meta{LogIndex(5), Term(2), ConfState{{NodeId(4)}}};
  EXPECT_THAT(FromProto(ToProto(meta)), IsOkAndHolds(meta));
  Entry e{LogIndex(1), Term(1), EntryType::kNormal, ""};
  EXPECT_THAT(FromProto(ToProto(e)), IsOkAndHolds(e));
}

TEST(RaftCodecTest, MalformedRecordsAreRejected) {
  v1::RaftMessage m =
      ToProto(Message{.type = MessageType::kVote, .from = NodeId(1), .to = NodeId(2)});
  m.set_type(v1::RAFT_MESSAGE_TYPE_UNSPECIFIED);
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.set_type(v1::RAFT_MESSAGE_TYPE_VOTE);
  m.set_from(0);
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.set_from(1);
  m.set_term(-1);
  EXPECT_THAT(FromProto(m), StatusIs(absl::StatusCode::kInvalidArgument));

  v1::RaftEntry e = ToProto(Entry{LogIndex(1), Term(1), EntryType::kConfChange, "abc"});
  EXPECT_THAT(FromProto(e), StatusIs(absl::StatusCode::kInvalidArgument));
  e.set_type(static_cast<v1::RaftEntryType>(17));
  EXPECT_THAT(FromProto(e), StatusIs(absl::StatusCode::kInvalidArgument));

  v1::RaftSnapshotMetadata s;
  s.mutable_conf()->add_voters(-3);
  EXPECT_THAT(FromProto(s), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::raft

#include "libs/raft/memory_storage.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

Entry E(int64_t index, int64_t term) { return Entry{LogIndex(index), Term(term)}; }

std::vector<Entry> Es(std::initializer_list<std::pair<int64_t, int64_t>> it) {
  std::vector<Entry> out;
  for (auto [i, t] : it) out.push_back(E(i, t));
  return out;
}

TEST(MemoryStorageTest, FoundingMemberStartsWithTheBootstrapEntry) {
  const ConfState conf{{NodeId(1), NodeId(2), NodeId(3)}};
  MemoryStorage storage(conf);
  EXPECT_THAT(storage.FirstIndex(), IsOkAndHolds(LogIndex(1)));
  EXPECT_THAT(storage.LastIndex(), IsOkAndHolds(LogIndex(1)));
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries,
                            storage.Entries(LogIndex(1), LogIndex(2), 0));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].type, EntryType::kConfChange);
  EXPECT_THAT(DecodeConfState(entries[0].data), IsOkAndHolds(conf));
  EXPECT_THAT(storage.LoadHardState(),
              IsOkAndHolds(HardState{.term = Term(1), .vote = kNoNode, .commit = LogIndex(1)}));
}

TEST(MemoryStorageTest, JoiningServerStartsEmpty) {
  MemoryStorage storage;
  EDDY_ASSERT_OK_AND_ASSIGN(Snapshot snapshot, storage.LoadSnapshot());
  EXPECT_EQ(snapshot.metadata.index, LogIndex(0));
  EXPECT_TRUE(snapshot.metadata.conf.voters.empty());
  EXPECT_THAT(storage.LastIndex(), IsOkAndHolds(LogIndex(0)));
  EXPECT_THAT(storage.TermAt(LogIndex(0)), IsOkAndHolds(Term(0)));
  EXPECT_THAT(storage.TermAt(LogIndex(1)), StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(MemoryStorageTest, AppendTruncatesTheConflictingSuffix) {
  MemoryStorage storage;
  EDDY_ASSERT_OK(storage.Save({.entries = Es({{1, 1}, {2, 1}, {3, 1}})}));
  EDDY_ASSERT_OK(storage.Save({.entries = Es({{2, 2}})}));
  EXPECT_THAT(storage.LastIndex(), IsOkAndHolds(LogIndex(2)));
  EXPECT_THAT(storage.TermAt(LogIndex(2)), IsOkAndHolds(Term(2)));
  EXPECT_THAT(storage.Save({.entries = Es({{4, 2}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MemoryStorageTest, EntriesHonoursTheByteLimitButReturnsAtLeastOne) {
  MemoryStorage storage;
  std::vector<Entry> entries = Es({{1, 1}, {2, 1}, {3, 1}});
  for (Entry& e : entries) e.data = "abcd";
  EDDY_ASSERT_OK(storage.Save({.entries = entries}));
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Entry> got, storage.Entries(LogIndex(1), LogIndex(4), 9));
  EXPECT_EQ(got.size(), 2u);
  EDDY_ASSERT_OK_AND_ASSIGN(got, storage.Entries(LogIndex(2), LogIndex(4), 1));
  EXPECT_EQ(got.size(), 1u);
  EXPECT_THAT(storage.Entries(LogIndex(0), LogIndex(2), 100),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(MemoryStorageTest, SnapshotKeepsTheSuffixOnlyWhenTermsAgree) {
  MemoryStorage storage;
  EDDY_ASSERT_OK(storage.Save({.entries = Es({{1, 1}, {2, 1}, {3, 2}, {4, 2}})}));
  Snapshot matching{.metadata = {.index = LogIndex(3), .term = Term(2)}, .data = "s"};
  EDDY_ASSERT_OK(storage.Save({.snapshot = matching}));
  EXPECT_THAT(storage.FirstIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage.LastIndex(), IsOkAndHolds(LogIndex(4)));

  Snapshot conflicting{.metadata = {.index = LogIndex(4), .term = Term(3)}, .data = "t"};
  EDDY_ASSERT_OK(storage.Save({.snapshot = conflicting}));
  EXPECT_THAT(storage.LastIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage.TermAt(LogIndex(4)), IsOkAndHolds(Term(3)));
  EDDY_ASSERT_OK_AND_ASSIGN(Snapshot loaded, storage.LoadSnapshot());
  EXPECT_EQ(loaded.data, "t");
}

TEST(MemoryStorageTest, HardStateIsSavedAfterEntries) {
  MemoryStorage storage;
  HardState hs{.term = Term(3), .vote = NodeId(2), .commit = LogIndex(1)};
  EDDY_ASSERT_OK(storage.Save({.entries = Es({{1, 3}}), .hard_state = hs}));
  EXPECT_THAT(storage.LoadHardState(), IsOkAndHolds(hs));
  EXPECT_EQ(storage.saves(), 1);
}

TEST(ConfStateTest, EncodeDecodeRoundTrips) {
  ConfState conf{{NodeId(1), NodeId(7), NodeId(300)}};
  EXPECT_THAT(DecodeConfState(EncodeConfState(conf)), IsOkAndHolds(conf));
  EXPECT_THAT(DecodeConfState("xyz"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeConfState(std::string(4, '\0')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Apply(conf, {ConfChangeType::kRemoveVoter, NodeId(7)}).voters.size(), 2u);
}

}  // namespace
}  // namespace eddy::raft

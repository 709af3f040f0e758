// The Storage contract, run against every implementation: MemoryStorage (the simulation's) and
// RocksDbStorage (production's) must agree on every case, so the simulation's verdicts carry over.
// The cases start from memory_storage_test.cc and add the snapshot-plus-entries paths a follower's
// InstallSnapshot and a leader's compaction take.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/raft/memory_storage.h"
#include "libs/raft/rocksdb_storage.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

Entry E(int64_t index, int64_t term, std::string data = "") {
  return Entry{LogIndex(index), Term(term), EntryType::kNormal, std::move(data)};
}

std::vector<Entry> Es(std::initializer_list<std::pair<int64_t, int64_t>> it) {
  std::vector<Entry> out;
  for (auto [i, t] : it) out.push_back(E(i, t));
  return out;
}

struct MemoryFactory {
  std::unique_ptr<Storage> Make() { return std::make_unique<MemoryStorage>(); }
};

struct RocksDbFactory {
  std::string dir;
  RocksDbFactory() {
    dir = ::testing::TempDir() + "/raft_contract_XXXXXX";
    EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  }
  ~RocksDbFactory() { std::filesystem::remove_all(dir); }
  std::unique_ptr<Storage> Make() {
    absl::StatusOr<std::unique_ptr<RocksDbStorage>> storage = RocksDbStorage::Open(dir + "/db");
    EXPECT_TRUE(storage.ok()) << storage.status();
    return storage.ok() ? std::move(*storage) : nullptr;
  }
};

template <typename Factory>
class StorageContractTest : public ::testing::Test {
 protected:
  std::unique_ptr<Storage> Make() { return factory_.Make(); }
  Factory factory_;
};

using Implementations = ::testing::Types<MemoryFactory, RocksDbFactory>;
TYPED_TEST_SUITE(StorageContractTest, Implementations);

TYPED_TEST(StorageContractTest, FreshStorageIsEmpty) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  EXPECT_THAT(storage->LoadSnapshot(), IsOkAndHolds(Snapshot{}));
  EXPECT_THAT(storage->LoadHardState(), IsOkAndHolds(HardState{}));
  EXPECT_THAT(storage->FirstIndex(), IsOkAndHolds(LogIndex(1)));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(0)));
  EXPECT_THAT(storage->TermAt(LogIndex(0)), IsOkAndHolds(Term(0)));
  EXPECT_THAT(storage->TermAt(LogIndex(1)), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(storage->Entries(LogIndex(1), LogIndex(1), 100), IsOkAndHolds(::testing::IsEmpty()));
}

TYPED_TEST(StorageContractTest, FoundingMemberBootstrapIsEntryOne) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  const ConfState conf{{NodeId(1), NodeId(2), NodeId(3)}};
  EDDY_ASSERT_OK(storage->Save(Bootstrap(conf)));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(1)));
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries,
                            storage->Entries(LogIndex(1), LogIndex(2), 0));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].type, EntryType::kConfChange);
  EXPECT_THAT(DecodeConfState(entries[0].data), IsOkAndHolds(conf));
  EXPECT_THAT(storage->LoadHardState(),
              IsOkAndHolds(HardState{.term = Term(1), .vote = kNoNode, .commit = LogIndex(1)}));
}

TYPED_TEST(StorageContractTest, AppendTruncatesTheConflictingSuffix) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{1, 1}, {2, 1}, {3, 1}})}));
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{2, 2}})}));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(2)));
  EXPECT_THAT(storage->TermAt(LogIndex(2)), IsOkAndHolds(Term(2)));
  EXPECT_THAT(storage->TermAt(LogIndex(3)), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(storage->Save({.entries = Es({{4, 2}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(storage->Save({.entries = Es({{3, 2}, {5, 2}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(2)));
}

TYPED_TEST(StorageContractTest, EntriesHonoursTheByteLimitButReturnsAtLeastOne) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  std::vector<Entry> entries = Es({{1, 1}, {2, 1}, {3, 1}});
  for (Entry& e : entries) e.data = "abcd";
  EDDY_ASSERT_OK(storage->Save({.entries = entries}));
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Entry> got, storage->Entries(LogIndex(1), LogIndex(4), 9));
  EXPECT_THAT(got, ::testing::ElementsAre(entries[0], entries[1]));
  EDDY_ASSERT_OK_AND_ASSIGN(got, storage->Entries(LogIndex(2), LogIndex(4), 1));
  EXPECT_THAT(got, ::testing::ElementsAre(entries[1]));
  EDDY_ASSERT_OK_AND_ASSIGN(got, storage->Entries(LogIndex(1), LogIndex(4), 1000));
  EXPECT_EQ(got, entries);
  EXPECT_THAT(storage->Entries(LogIndex(0), LogIndex(2), 100),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(storage->Entries(LogIndex(2), LogIndex(5), 100),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TYPED_TEST(StorageContractTest, SnapshotKeepsTheSuffixOnlyWhenTermsAgree) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{1, 1}, {2, 1}, {3, 2}, {4, 2}})}));
  Snapshot matching{.metadata = {.index = LogIndex(3), .term = Term(2)}, .data = "s"};
  EDDY_ASSERT_OK(storage->Save({.snapshot = matching}));
  EXPECT_THAT(storage->FirstIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage->TermAt(LogIndex(3)), IsOkAndHolds(Term(2)));
  EXPECT_THAT(storage->TermAt(LogIndex(2)), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(storage->Entries(LogIndex(3), LogIndex(5), 100),
              StatusIs(absl::StatusCode::kOutOfRange));

  Snapshot conflicting{.metadata = {.index = LogIndex(4), .term = Term(3)}, .data = "t"};
  EDDY_ASSERT_OK(storage->Save({.snapshot = conflicting}));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage->TermAt(LogIndex(4)), IsOkAndHolds(Term(3)));
  EDDY_ASSERT_OK_AND_ASSIGN(Snapshot loaded, storage->LoadSnapshot());
  EXPECT_EQ(loaded.data, "t");
}

TYPED_TEST(StorageContractTest, SnapshotPastTheLogDropsItAndEntriesFollowIt) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{1, 1}, {2, 1}})}));
  // A follower far behind installs the leader's snapshot and the entries after it at once.
  Snapshot far{.metadata = {.index = LogIndex(10),
                            .term = Term(4),
                            .conf = ConfState{{NodeId(1), NodeId(2)}}},
               .data = "state@10"};
  HardState hs{.term = Term(5), .vote = NodeId(1), .commit = LogIndex(10)};
  EDDY_ASSERT_OK(
      storage->Save({.snapshot = far, .entries = Es({{11, 5}, {12, 5}}), .hard_state = hs}));
  EXPECT_THAT(storage->FirstIndex(), IsOkAndHolds(LogIndex(11)));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(12)));
  EXPECT_THAT(storage->LoadSnapshot(), IsOkAndHolds(far));
  EXPECT_THAT(storage->LoadHardState(), IsOkAndHolds(hs));
  EXPECT_THAT(storage->Entries(LogIndex(11), LogIndex(13), 100),
              IsOkAndHolds(Es({{11, 5}, {12, 5}})));
  // Entries may not leave a gap after the snapshot.
  EXPECT_THAT(storage->Save({.entries = Es({{14, 5}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(storage->Save({.entries = Es({{10, 5}})}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TYPED_TEST(StorageContractTest, EntriesInTheSameRequestApplyAfterTheSnapshot) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{1, 1}, {2, 1}, {3, 1}, {4, 1}})}));
  Snapshot compact{.metadata = {.index = LogIndex(2), .term = Term(1)}, .data = "x"};
  // Compaction at 2 keeps 3..4; the entries then overwrite 4 and extend to 5.
  EDDY_ASSERT_OK(storage->Save({.snapshot = compact, .entries = Es({{4, 2}, {5, 2}})}));
  EXPECT_THAT(storage->Entries(LogIndex(3), LogIndex(6), 100),
              IsOkAndHolds(Es({{3, 1}, {4, 2}, {5, 2}})));
}

TYPED_TEST(StorageContractTest, HardStateIsSavedWithEntries) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  HardState hs{.term = Term(3), .vote = NodeId(2), .commit = LogIndex(1)};
  EDDY_ASSERT_OK(storage->Save({.entries = Es({{1, 3}}), .hard_state = hs}));
  EXPECT_THAT(storage->LoadHardState(), IsOkAndHolds(hs));
  EDDY_ASSERT_OK(storage->Save({}));
  EXPECT_THAT(storage->LoadHardState(), IsOkAndHolds(hs));
}

TYPED_TEST(StorageContractTest, ConfChangeEntriesKeepTheirTypeAndData) {
  auto storage = this->Make();
  ASSERT_NE(storage, nullptr);
  Entry change{LogIndex(1), Term(1), EntryType::kConfChange, std::string("\x01\0\0\0", 4)};
  Entry binary = E(2, 1, std::string("\0\xff\n", 3));
  EDDY_ASSERT_OK(storage->Save({.entries = {change, binary}}));
  EXPECT_THAT(storage->Entries(LogIndex(1), LogIndex(3), 100),
              IsOkAndHolds(::testing::ElementsAre(change, binary)));
}

}  // namespace
}  // namespace eddy::raft

// RocksDbStorage beyond the shared contract (storage_contract_test.cc): durability across a close,
// the documented key layout, and refusing a database whose contents break the log's invariants.
#include "libs/raft/rocksdb_storage.h"

#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

class RocksDbStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/raft_rocksdb_XXXXXX";
    ASSERT_NE(::mkdtemp(root_.data()), nullptr);
    dir_ = root_ + "/db";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // RawDb opens the database directly, bypassing RocksDbStorage, to damage it.
  std::unique_ptr<rocksdb::DB> RawDb() {
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), dir_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::unique_ptr<rocksdb::DB>(db);
  }

  static std::string EntryKey(int64_t index) {
    std::string key = "e/";
    for (int shift = 56; shift >= 0; shift -= 8) {
      key.push_back(static_cast<char>(static_cast<uint64_t>(index) >> shift));
    }
    return key;
  }

  std::string root_;
  std::string dir_;
};

TEST_F(RocksDbStorageTest, ReopenAfterCloseKeepsEverything) {
  const ConfState conf{{NodeId(1), NodeId(2), NodeId(3)}};
  const HardState hs{.term = Term(4), .vote = NodeId(3), .commit = LogIndex(6)};
  const Snapshot snapshot{.metadata = {.index = LogIndex(3), .term = Term(2), .conf = conf},
                          .data = std::string(100000, 'z')};
  std::vector<Entry> entries;
  for (int64_t i = 1; i <= 8; ++i) {
    entries.push_back(Entry{LogIndex(i), Term(i < 4 ? 2 : 4), EntryType::kNormal,
                            "payload-" + std::to_string(i)});
  }
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto storage, RocksDbStorage::Open(dir_));
    EDDY_ASSERT_OK(storage->Save({.entries = entries}));
    EDDY_ASSERT_OK(storage->Save({.snapshot = snapshot, .hard_state = hs}));
  }
  EDDY_ASSERT_OK_AND_ASSIGN(auto storage, RocksDbStorage::Open(dir_));
  EXPECT_THAT(storage->LoadHardState(), IsOkAndHolds(hs));
  EXPECT_THAT(storage->LoadSnapshot(), IsOkAndHolds(snapshot));
  EXPECT_THAT(storage->FirstIndex(), IsOkAndHolds(LogIndex(4)));
  EXPECT_THAT(storage->LastIndex(), IsOkAndHolds(LogIndex(8)));
  EXPECT_THAT(storage->Entries(LogIndex(4), LogIndex(9), 1 << 20),
              IsOkAndHolds(std::vector<Entry>(entries.begin() + 3, entries.end())));
}

TEST_F(RocksDbStorageTest, EntriesLiveUnderBigEndianIndexKeys) {
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto storage, RocksDbStorage::Open(dir_));
    std::vector<Entry> entries;
    for (int64_t i = 1; i <= 300; ++i) entries.push_back(Entry{LogIndex(i), Term(1)});
    EDDY_ASSERT_OK(storage->Save({.entries = entries}));
  }
  auto db = RawDb();
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), EntryKey(256), &value).ok());
  // Key order is index order (a little-endian key would put 256 right after 1).
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  int64_t expected = 1;
  for (it->Seek("e/"); it->Valid() && it->key().starts_with("e/"); it->Next(), ++expected) {
    ASSERT_EQ(it->key().ToString(), EntryKey(expected));
  }
  EXPECT_EQ(expected, 301);
}

TEST_F(RocksDbStorageTest, RefusesALogWithAHole) {
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto storage, RocksDbStorage::Open(dir_));
    EDDY_ASSERT_OK(
        storage->Save({.entries = {Entry{LogIndex(1), Term(1)}, Entry{LogIndex(2), Term(1)},
                                   Entry{LogIndex(3), Term(1)}}}));
  }
  {
    auto db = RawDb();
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), EntryKey(2)).ok());
  }
  EXPECT_THAT(RocksDbStorage::Open(dir_).status(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(RocksDbStorageTest, RefusesANewerFormat) {
  { EDDY_ASSERT_OK(RocksDbStorage::Open(dir_).status()); }
  {
    auto db = RawDb();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "m/format", "2").ok());
  }
  EXPECT_THAT(RocksDbStorage::Open(dir_).status(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(RocksDbStorageTest, ValidatesOptions) {
  EXPECT_THAT(RocksDbStorage::Open(dir_, {.write_buffer_bytes = 1024}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RocksDbStorage::Open(dir_, {.max_background_jobs = 0}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::raft

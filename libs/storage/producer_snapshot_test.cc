#include "libs/storage/producer_snapshot.h"

#include "gtest/gtest.h"
#include "libs/storage/mem_file_system.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::testing::StatusIs;

std::vector<ProducerSnapshotEntry> SampleEntries() {
  return {
      {ProducerId(1000), ProducerEpoch(3), 41, Offset(500), 4, 1'700'000'000'123, -1, std::nullopt},
      {ProducerId(7), ProducerEpoch(0), 0, Offset(510), 0, 1'700'000'000'456, 12, Offset(505)},
  };
}

TEST(ProducerSnapshotTest, RoundTripsAndLists) {
  MemFileSystem fs;
  EDDY_ASSERT_OK(fs.CreateDirs("/p"));
  EDDY_ASSERT_OK(WriteProducerSnapshot(fs, "/p", Offset(511), SampleEntries()));
  EDDY_ASSERT_OK(WriteProducerSnapshot(fs, "/p", Offset(90), {}));
  EXPECT_TRUE(fs.Exists("/p/00000000000000000511.snapshot"));
  EDDY_ASSERT_OK_AND_ASSIGN(auto entries, ReadProducerSnapshot(fs, "/p/00000000000000000511.snapshot"));
  EXPECT_EQ(entries, SampleEntries());
  EDDY_ASSERT_OK_AND_ASSIGN(auto empty, ReadProducerSnapshot(fs, "/p/00000000000000000090.snapshot"));
  EXPECT_TRUE(empty.empty());
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Offset> offsets, ListProducerSnapshots(fs, "/p"));
  EXPECT_EQ(offsets, (std::vector<Offset>{Offset(90), Offset(511)}));
  EDDY_ASSERT_OK(DeleteProducerSnapshotsOutside(fs, "/p", Offset(100), Offset(1000)));
  EDDY_ASSERT_OK_AND_ASSIGN(offsets, ListProducerSnapshots(fs, "/p"));
  EXPECT_EQ(offsets, (std::vector<Offset>{Offset(511)}));
}

TEST(ProducerSnapshotTest, CorruptionIsDataLossNamingTheFile) {
  MemFileSystem fs;
  EDDY_ASSERT_OK(fs.CreateDirs("/p"));
  EDDY_ASSERT_OK(WriteProducerSnapshot(fs, "/p", Offset(5), SampleEntries()));
  const std::string path = "/p/00000000000000000005.snapshot";
  EDDY_ASSERT_OK(fs.CorruptByte(path, 30));
  absl::StatusOr<std::vector<ProducerSnapshotEntry>> r = ReadProducerSnapshot(fs, path);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(r.status().message().find(path), std::string::npos);
  {
    auto f = fs.Open(path, OpenMode::kReadWrite);
    ASSERT_TRUE(f.ok());
    EDDY_ASSERT_OK((*f)->Truncate(7));
  }
  EXPECT_THAT(ReadProducerSnapshot(fs, path), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace eddy::storage

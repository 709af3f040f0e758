#include "libs/storage/file_system.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "libs/storage/atomic_file.h"
#include "libs/storage/checkpoint_file.h"
#include "libs/storage/mem_file_system.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;

std::string MakeTempDir() {
  std::string tmpl = ::testing::TempDir() + "/eddy_fs_XXXXXX";
  char* dir = ::mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

TEST(PosixFileSystemTest, AppendReadTruncateAndList) {
  FileSystem& fs = PosixFileSystem();
  std::string dir = MakeTempDir();
  std::string path = JoinPath(dir, "a.log");
  {
    EDDY_ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> f, fs.Open(path, OpenMode::kCreate));
    EDDY_ASSERT_OK(f->Append("hello "));
    EDDY_ASSERT_OK(f->Append("world"));
    EXPECT_EQ(f->Size(), 11u);
    EDDY_ASSERT_OK(f->Sync());
    char buf[5];
    EDDY_ASSERT_OK_AND_ASSIGN(size_t n, f->ReadAt(6, std::span<char>(buf, 5)));
    EXPECT_EQ(std::string(buf, n), "world");
    EDDY_ASSERT_OK(f->Truncate(5));
    EXPECT_EQ(f->Size(), 5u);
  }
  EDDY_ASSERT_OK_AND_ASSIGN(std::string all, ReadWholeFile(fs, path));
  EXPECT_EQ(all, "hello");
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, fs.ListDir(dir));
  EXPECT_EQ(names, std::vector<std::string>{"a.log"});
  EXPECT_THAT(fs.Open(JoinPath(dir, "missing"), OpenMode::kReadOnly), StatusIs(absl::StatusCode::kNotFound));
  EDDY_ASSERT_OK(fs.RemoveDirRecursive(dir));
  EXPECT_FALSE(fs.Exists(dir));
}

TEST(AtomicFileTest, ReplacesContentsAndLeavesNoTemp) {
  FileSystem& fs = PosixFileSystem();
  std::string dir = MakeTempDir();
  std::string path = JoinPath(dir, "checkpoint");
  EDDY_ASSERT_OK(WriteFileAtomically(fs, path, "one"));
  EDDY_ASSERT_OK(WriteFileAtomically(fs, path, "two"));
  EDDY_ASSERT_OK_AND_ASSIGN(std::string data, ReadWholeFile(fs, path));
  EXPECT_EQ(data, "two");
  EXPECT_FALSE(fs.Exists(path + ".tmp"));
  EDDY_ASSERT_OK(fs.RemoveDirRecursive(dir));
}

TEST(AtomicFileTest, CrashAtAnyStepLeavesOldOrNewContents) {
  // Fail each operation of the second write in turn, crash, and check the file is whole.
  for (int fail_at = 0; fail_at < 6; ++fail_at) {
    MemFileSystem fs;
    EDDY_ASSERT_OK(fs.CreateDirs("/d"));
    EDDY_ASSERT_OK(WriteFileAtomically(fs, "/d/cp", "old contents"));
    int ops = 0;
    fs.SetFaultHook([&](FsOp, const std::string&) {
      return ops++ == fail_at ? absl::InternalError("injected") : absl::OkStatus();
    });
    absl::Status s = WriteFileAtomically(fs, "/d/cp", "new contents");
    fs.SetFaultHook(nullptr);
    fs.SimulateCrash(/*seed=*/fail_at);
    EDDY_ASSERT_OK_AND_ASSIGN(std::string data, ReadWholeFile(fs, "/d/cp"));
    if (s.ok()) {
      EXPECT_EQ(data, "new contents") << "fail_at=" << fail_at;
    } else {
      EXPECT_TRUE(data == "old contents" || data == "new contents") << "fail_at=" << fail_at << " got " << data;
    }
  }
}

TEST(MemFileSystemTest, CrashDropsUnsyncedBytesAndUnsyncedNames) {
  MemFileSystem fs;
  EDDY_ASSERT_OK(fs.CreateDirs("/d"));
  {
    EDDY_ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> f, fs.Open("/d/a", OpenMode::kCreate));
    EDDY_ASSERT_OK(f->Append("synced"));
    EDDY_ASSERT_OK(f->Sync());
    EDDY_ASSERT_OK(fs.SyncDir("/d"));
    EDDY_ASSERT_OK(f->Append("-lost"));
    EDDY_ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> g, fs.Open("/d/b", OpenMode::kCreate));
    EDDY_ASSERT_OK(g->Append("never named durably"));
    EDDY_ASSERT_OK(g->Sync());
    EXPECT_GT(fs.UnsyncedBytes(), 0u);
    fs.SimulateCrash(/*seed=*/1, /*keep_unsynced=*/false);
    // Handles from before the crash are dead.
    EXPECT_THAT(f->Append("x"), StatusIs(absl::StatusCode::kAborted));
  }
  EDDY_ASSERT_OK_AND_ASSIGN(std::string a, ReadWholeFile(fs, "/d/a"));
  EXPECT_EQ(a, "synced");
  EXPECT_FALSE(fs.Exists("/d/b"));
}

TEST(MemFileSystemTest, TornWriteKeepsAPrefixOfTheUnsyncedTail) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    MemFileSystem fs;
    EDDY_ASSERT_OK(fs.CreateDirs("/d"));
    EDDY_ASSERT_OK_AND_ASSIGN(std::unique_ptr<File> f, fs.Open("/d/a", OpenMode::kCreate));
    EDDY_ASSERT_OK(fs.SyncDir("/d"));
    EDDY_ASSERT_OK(f->Append("0123"));
    EDDY_ASSERT_OK(f->Sync());
    EDDY_ASSERT_OK(f->Append("456789"));
    fs.SimulateCrash(seed);
    EDDY_ASSERT_OK_AND_ASSIGN(std::string a, ReadWholeFile(fs, "/d/a"));
    EXPECT_EQ(std::string("0123456789").substr(0, a.size()), a) << "seed=" << seed;
    EXPECT_GE(a.size(), 4u) << "seed=" << seed;
  }
}

TEST(CheckpointFileTest, RoundTripsAndRejectsGarbage) {
  MemFileSystem fs;
  EDDY_ASSERT_OK(fs.CreateDirs("/d"));
  EDDY_ASSERT_OK_AND_ASSIGN(auto missing, ReadCheckpoint(fs, "/d/cp", 2));
  EXPECT_FALSE(missing.has_value());
  EDDY_ASSERT_OK(WriteCheckpoint(fs, "/d/cp", {{0, 0}, {3, 120}}));
  EDDY_ASSERT_OK_AND_ASSIGN(std::string text, ReadWholeFile(fs, "/d/cp"));
  EXPECT_EQ(text, "0\n2\n0 0\n3 120\n");
  EDDY_ASSERT_OK_AND_ASSIGN(auto entries, ReadCheckpoint(fs, "/d/cp", 2));
  ASSERT_TRUE(entries.has_value());
  EXPECT_EQ(*entries, (std::vector<CheckpointEntry>{{0, 0}, {3, 120}}));
  EDDY_ASSERT_OK(WriteFileAtomically(fs, "/d/cp", "0\n3\n1 2\n"));
  EXPECT_THAT(ReadCheckpoint(fs, "/d/cp", 2), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace eddy::storage

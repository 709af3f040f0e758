// MemFileSystem is an in-memory FileSystem for tests that models what a power cut does to a POSIX
// filesystem: file contents written since the last File::Sync() and directory entries changed since the
// last SyncDir() of their parent are lost by SimulateCrash(). It can also fail any operation through an
// injected hook. Crash tests drive the real log code against it, reopen, and check what survived.
//
// Model (deliberately a little harsher than ext4/xfs in their default modes):
//  - Each file has its current bytes and its synced bytes. On a crash a file keeps its synced bytes
//    plus, if the current bytes extend them, a random-length prefix of the unsynced tail (a torn write).
//  - Each directory has its current names and its durable names (as of its last SyncDir); a crash
//    reverts to the durable names. Directories themselves are created durably.
//  - Handles opened before a crash fail every call with kAborted afterwards, like a dead process's fds.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

// FsOp names the operation a fault hook sees.
enum class FsOp { kOpen, kRead, kAppend, kTruncate, kSync, kListDir, kRemove, kRename, kSyncDir, kCreateDirs };

class MemFileSystem final : public FileSystem {
 public:
  // FaultHook is consulted before every operation; a non-OK return fails the operation with that
  // status before it has any effect.
  using FaultHook = std::function<absl::Status(FsOp op, const std::string& path)>;

  MemFileSystem();
  ~MemFileSystem() override;

  absl::StatusOr<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) override;
  bool Exists(const std::string& path) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status RemoveDirRecursive(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& path) override;

  // SetFaultHook installs (or, with nullptr, removes) the fault hook.
  void SetFaultHook(FaultHook hook);

  // SimulateCrash applies the crash model above. `seed` picks how much of each unsynced tail survives;
  // keep_unsynced=false drops every unsynced byte.
  void SimulateCrash(uint64_t seed, bool keep_unsynced = true);

  // CorruptByte flips the bits of one byte of a file in place (current and synced contents alike),
  // as silent media corruption would.
  absl::Status CorruptByte(const std::string& path, uint64_t offset);

  // UnsyncedBytes is the total number of bytes a crash could lose right now (for test assertions).
  uint64_t UnsyncedBytes() const;

 private:
  struct Node;
  class MemFile;
  friend class MemFile;

  absl::Status Fault(FsOp op, const std::string& path) const;

  mutable absl::Mutex mu_;
  FaultHook hook_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Node>> files_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Node>> durable_files_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::storage

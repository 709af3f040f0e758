// FileSystem is the storage library's seam over the operating system's files. Every byte the log
// writes or reads goes through it, so tests can swap in MemFileSystem (libs/storage/mem_file_system.h),
// which loses unsynced bytes on a simulated crash and injects I/O errors, and the same code paths that
// run in production are the ones the crash tests exercise.
//
// The interface is deliberately small: files are appended to, read at an offset, truncated and synced;
// there is no positional overwrite, because nothing in the log format needs one (segments and indexes
// only grow at the tail or shrink on truncation; checkpoints are replaced whole, atomically).
//
// Durability contract (POSIX semantics, which MemFileSystem models): file contents are durable once
// File::Sync() returns; a directory entry (a created, renamed or removed name) is durable once
// SyncDir() of its parent directory returns.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace eddy::storage {

// File is an open file handle. Thread-safety: a File may be read concurrently from several threads,
// but appends, truncation and sync need external serialisation (the owning segment provides it).
class File {
 public:
  virtual ~File() = default;

  // ReadAt reads up to out.size() bytes at `offset` into `out` and returns how many were read; fewer
  // than requested only at end of file.
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, std::span<char> out) const = 0;

  // Append writes `data` at the end of the file. On error the file may hold a prefix of `data`.
  virtual absl::Status Append(std::string_view data) = 0;

  // Truncate shrinks (or extends with zeros) the file to `size` bytes.
  virtual absl::Status Truncate(uint64_t size) = 0;

  // Sync makes the file's contents (not its directory entry) durable: fdatasync(2).
  virtual absl::Status Sync() = 0;

  // Size is the file's current length, including unsynced appends.
  virtual uint64_t Size() const = 0;

  // Path is the file's path as it was opened; error messages name it.
  virtual const std::string& Path() const = 0;
};

enum class OpenMode {
  kReadOnly,        // must exist
  kReadWrite,       // must exist
  kCreate,          // created empty if missing, kept if present
  kCreateTruncate,  // created or truncated to empty
};

// FileSystem creates, opens, renames and removes files. Thread-safety: all methods are safe to call
// concurrently.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual absl::StatusOr<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;

  // CreateDirs creates `path` and any missing parents (mkdir -p); existing directories are fine.
  virtual absl::Status CreateDirs(const std::string& path) = 0;

  // ListDir returns the names (not paths) of the entries in directory `path`, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) = 0;

  // Exists says whether `path` names a file or directory.
  virtual bool Exists(const std::string& path) = 0;

  // Remove unlinks a file; NotFound if it does not exist.
  virtual absl::Status Remove(const std::string& path) = 0;

  // RemoveDir removes a directory and everything below it.
  virtual absl::Status RemoveDirRecursive(const std::string& path) = 0;

  // Rename atomically replaces `to` with `from` (rename(2)).
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;

  // SyncDir makes the directory's entries durable (fsync on the directory).
  virtual absl::Status SyncDir(const std::string& path) = 0;
};

// PosixFileSystem is the real filesystem through pread/write/fdatasync. Its handles use positional
// reads (pread) so concurrent readers need no shared cursor.
FileSystem& PosixFileSystem();

// JoinPath joins a directory and a name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

// ReadWholeFile reads the entire file at `path`.
absl::StatusOr<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);

// ReadFully reads exactly out.size() bytes at `offset`; DataLoss when the file is shorter.
absl::Status ReadFully(const File& file, uint64_t offset, std::span<char> out);

}  // namespace eddy::storage

// SparseIndex is one of a segment's two sparse index files, in Kafka's on-disk layout:
//  - offset index (`.index`): 8-byte entries {relative offset uint32, file position uint32}, mapping a
//    batch's base offset to where the batch starts in the `.log`;
//  - time index (`.timeindex`): 12-byte entries {timestamp int64, relative offset uint32}, mapping the
//    largest timestamp seen so far to the offset of the batch that carried it.
// Entries are added every `index.interval.bytes` of log, so a lookup lands within one interval of the
// target and the segment finishes with a bounded scan of batch headers.
//
// I/O choice: the index is read once into memory (a mirror of the file's bytes) and grown with
// appends through the FileSystem seam, not mmap'ed. Lookups then cost a binary search over memory with
// no page faults, the fault-injecting filesystem sees every index write (so crash tests cover indexes),
// and there is no preallocate-then-trim dance at roll time as in Kafka. The price is the index bytes
// held in memory: 8 (offset) + 12 (time) bytes per 4 KiB of log, about 0.5% of segment size.
//
// Appended entries are buffered and written to the file in 4 KiB chunks (and by Sync), so an append
// costs no system call; truncations are applied to the file lazily too, and skipped when a rebuild
// re-creates the same entries (opening many logs after a crash then writes nothing). Entries not yet written are simply missing after a crash, which the
// structure tolerates: a shorter index only lengthens the scan.
//
// Invariant: keys are non-decreasing (offsets strictly increasing for the offset index, timestamps
// non-decreasing for the time index) and every stored position/offset lies inside the segment.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

class SparseIndex {
 public:
  enum class Kind { kOffset, kTime };

  // Entry is a decoded index entry. Offset index: key = absolute offset, value = file position.
  // Time index: key = timestamp (ms), value = absolute offset.
  struct Entry {
    int64_t key = 0;
    int64_t value = 0;
  };

  // Open opens (creating if missing) the index at `path` for the segment based at `base`, loads it
  // and sanity-checks it: whole entries, increasing keys, values within bounds. A file that fails the
  // check is reported as DataLoss so the caller can rebuild it from the log.
  static absl::StatusOr<std::unique_ptr<SparseIndex>> Open(FileSystem& fs, const std::string& path,
                                                           Kind kind, Offset base, size_t max_bytes);

  // Append adds an entry. REQUIRES: !Full() unless `ignore_full` (the final time-index entry written
  // at roll may exceed the cap by one, as in Kafka); key above the last entry's key. For the time
  // index an entry with a key not above the last is skipped (Kafka does the same).
  absl::Status Append(Entry entry, bool ignore_full = false);

  // Floor returns the last entry whose key is <= `key`, if any.
  std::optional<Entry> Floor(int64_t key) const;

  // FirstAtOrAfter returns the first entry whose key is >= `key`, if any (time lookups).
  std::optional<Entry> Ceiling(int64_t key) const;

  std::optional<Entry> Last() const;
  size_t entries() const { return bytes_.size() / entry_size_; }
  bool Full() const { return bytes_.size() + entry_size_ > max_bytes_; }

  // TruncateFrom drops every entry whose offset (the key for kOffset, the value for kTime) is >= offset.
  absl::Status TruncateFrom(Offset offset);

  // Reset drops every entry (before a rebuild).
  absl::Status Reset();

  // Sync writes buffered entries and makes the file durable.
  absl::Status Sync();
  // SyncTruncation makes a shrink of the file durable, if one happened since the last sync. The log
  // calls it before syncing data written over positions that removed entries pointed at: were the
  // cut undone by a crash, those entries would return pointing into new data, not at batch starts.
  absl::Status SyncTruncation();
  // WritePending writes buffered entries to the file (not durably).
  absl::Status WritePending();
  // SyncFile fsyncs what was written so far, touching no in-memory state, so it may run without
  // the owner's lock while others read (PartitionLog::FlushRolled).
  absl::Status SyncFile() const { return file_->Sync(); }
  ~SparseIndex();
  const std::string& Path() const { return file_->Path(); }

 private:
  SparseIndex(std::unique_ptr<File> file, Kind kind, Offset base, size_t max_bytes);
  Entry At(size_t i) const;
  std::string Encode(Entry e) const;
  absl::Status TruncateToEntries(size_t n);

  std::unique_ptr<File> file_;
  Kind kind_;
  Offset base_;
  size_t entry_size_;
  size_t max_bytes_;
  // ApplyTruncation cuts the file back to the prefix it shares with bytes_.
  absl::Status ApplyTruncation();

  std::string bytes_;    // all entries, as lookups see them
  std::string on_disk_;  // what the file holds
  size_t matched_ = 0;   // bytes_ and on_disk_ agree on their first matched_ bytes
  bool truncation_unsynced_ = false;
};

}  // namespace eddy::storage

// Segment is one slice of a partition log: `<base offset, 20 digits>.log` holding Kafka RecordBatch v2
// bytes exactly as produced (baseOffset and partitionLeaderEpoch rewritten, CRC intact), plus its sparse
// `.index` and `.timeindex` (libs/storage/sparse_index.h). Reads use pread through the FileSystem seam:
// batches go out as the bytes on disk, positioned by the offset index plus a scan of at most one index
// interval of batch headers.
//
// A closed, flushed segment can be opened lazily (OpenLazily): only its `.log` is opened, and its
// indexes, next offset and max timestamp are loaded by Load() on first use (Kafka's LazyIndex). At a
// restart that leaves two file opens and a tail scan per closed segment for later, or never.
//
// Invariants: batches are whole and back to back from position 0 to size(); base offsets strictly
// increase and each batch's base offset is >= base_offset(); next_offset() is one past the last batch's
// last offset (base_offset() when empty).
// Thread-safety: const methods may run concurrently with each other (the lazy load inside them is
// serialised); mutations need exclusive access (PartitionLog holds its lock in the right mode).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/sparse_index.h"

namespace eddy::storage {

struct SegmentOptions {
  // index_interval_bytes (index.interval.bytes): log bytes between index entries. Default 4096.
  size_t index_interval_bytes = 4096;
  // max_index_bytes (segment.index.bytes): the offset index's size cap; a full index rolls the segment.
  size_t max_index_bytes = 10 * 1024 * 1024;
};

// SegmentRead is the result of reading from one segment: whole batches, back to back.
struct SegmentRead {
  std::string records;
  int64_t first_batch_offset = -1;  // base offset of the first batch returned, -1 if none
  int64_t next_offset = -1;         // one past the last returned batch's last offset
  bool stopped_at_max_offset = false;  // empty because the first batch reaches max_offset
};

// ScanMode says what to do with an invalid batch found while scanning a segment at open.
enum class ScanMode {
  kTruncateInvalidTail,  // unflushed data: cut the log at the first invalid batch
  kStrict,               // flushed data: an invalid batch is corruption, reported as DataLoss
};

class Segment {
 public:
  // FileName returns "<20-digit base><suffix>", e.g. "00000000000000000042.log".
  static std::string FileName(Offset base, std::string_view suffix);
  // ParseBaseOffset parses a segment file name's 20-digit prefix.
  static std::optional<Offset> ParseBaseOffset(std::string_view file_name);

  // Create makes a new empty segment (log and index files truncated if present).
  static absl::StatusOr<std::unique_ptr<Segment>> Create(FileSystem& fs, const std::string& dir, Offset base,
                                                         const SegmentOptions& options, absl::Time now);

  // Open opens an existing segment without scanning it; the caller follows with Scan(). Indexes that
  // fail their sanity check are reset and rebuilt by the scan.
  static absl::StatusOr<std::unique_ptr<Segment>> Open(FileSystem& fs, const std::string& dir, Offset base,
                                                       const SegmentOptions& options, absl::Time now);

  // OpenLazily opens a closed, flushed segment's log file only; Load() does the rest when needed.
  static absl::StatusOr<std::unique_ptr<Segment>> OpenLazily(FileSystem& fs, const std::string& dir, Offset base,
                                                             const SegmentOptions& options, absl::Time now);

  // Load opens the indexes of a lazily opened segment and scans its tail (as ScanTail), once; a no-op
  // afterwards. Methods that need them call it themselves; callers of next_offset(), max_timestamp()
  // and IndexFull() call it first. DataLoss if the tail is corrupt.
  absl::Status Load() const;
  bool loaded() const { return loaded_.load(std::memory_order_acquire); }

  // ScanResult describes what Scan() found.
  struct ScanResult {
    int64_t batches_scanned = 0;
    uint64_t bytes_truncated = 0;  // invalid tail cut off (kTruncateInvalidTail only)
  };

  // Scan validates batches (length, magic, CRC, increasing offsets) from the index entry at or below
  // `from` to the end of the log, re-adding the index entries for what it scans, and establishes
  // next_offset() and max_timestamp(). `on_batch` sees each valid scanned batch (the leader-epoch cache
  // is rebuilt from them). With kStrict an invalid batch fails with DataLoss naming file and position.
  // ScanTail is Scan for a closed, flushed segment at open: it validates (strictly) only what lies
  // past the last offset-index entry and leaves the indexes untouched, so opening costs no writes.
  absl::StatusOr<ScanResult> Scan(Offset from, ScanMode mode,
                                  const std::function<void(const internal::BatchHeader&)>& on_batch);
  absl::Status ScanTail();

  // Append writes one batch whose header is `header`. REQUIRES: header.base_offset >= next_offset().
  absl::Status Append(std::string_view batch, const internal::BatchHeader& header);

  // Read returns whole batches starting with the one that contains `start`, stopping before
  // `max_bytes` would be exceeded (the first batch is always returned whole if min_one_batch), and
  // before any batch whose last offset is >= `max_offset`. Each batch's CRC is verified when
  // `verify_crc`; a mismatch is DataLoss naming the file, position and offset.
  absl::StatusOr<SegmentRead> Read(Offset start, size_t max_bytes, int64_t max_offset, bool min_one_batch,
                                   bool verify_crc) const;

  // FindBatchByTimestamp returns the position and header of the first batch whose max timestamp is
  // >= `timestamp_ms`, if any.
  struct Located {
    uint64_t position = 0;
    internal::BatchHeader header;
  };
  absl::StatusOr<std::optional<Located>> FindBatchByTimestamp(int64_t timestamp_ms) const;

  // ReadAt reads `size` bytes at `position` (the cleaner and timestamp lookup use it).
  absl::StatusOr<std::string> ReadAt(uint64_t position, size_t size) const;

  // TruncateTo removes every batch whose last offset is >= `offset`; returns the bytes removed.
  absl::StatusOr<uint64_t> TruncateTo(Offset offset);

  // OnRoll is called when the segment stops being active: it records the final max timestamp in the
  // time index (so retention after a restart sees it without a scan).
  absl::Status OnRoll();

  // Flush makes the log durable, and both indexes too unless `include_indexes` is false. The active
  // segment's indexes may lag (the fsync-per-batch path then costs one fdatasync, not three): they
  // only ever lose trailing entries, which makes lookups scan further but never wrong, and recovery
  // rescans the active segment anyway. Truncation and roll sync them.
  absl::Status Flush(bool include_indexes = true);

  // WritePendingIndexes writes buffered index entries to their files (not durably); SyncFiles then
  // fsyncs the log and the written index bytes without touching in-memory state, so it may run
  // without the log's lock while the segment is read (how FlushRolled syncs closed segments).
  absl::Status WritePendingIndexes();
  absl::Status SyncFiles() const;

  // Delete removes the segment's files. The object must not be used afterwards.
  absl::Status Delete();

  Offset base_offset() const { return base_; }
  // REQUIRES (these three): loaded().
  Offset next_offset() const { return next_offset_; }
  int64_t max_timestamp() const { return max_timestamp_; }
  bool IndexFull() const { return offset_index_->Full() || time_index_->Full(); }
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  absl::Time created_at() const { return created_at_; }
  const std::string& LogPath() const { return log_->Path(); }

 private:
  Segment(FileSystem& fs, std::string dir, Offset base, const SegmentOptions& options, absl::Time now);
  absl::Status OpenFiles(bool truncate);
  absl::Status OpenLog(bool truncate);
  absl::Status OpenIndexes(bool truncate);
  absl::Status MaybeIndex(uint64_t position, const internal::BatchHeader& header);
  // AppendFinalTimestamp is OnRoll without Load (Load itself reaches it through the scan).
  absl::Status AppendFinalTimestamp();
  absl::StatusOr<ScanResult> ScanFrom(uint64_t pos, ScanMode mode, bool rebuild_indexes,
                                      const std::function<void(const internal::BatchHeader&)>& on_batch);
  absl::StatusOr<std::optional<Located>> LocateFrom(uint64_t position,
                                                    const std::function<bool(const internal::BatchHeader&)>& stop) const;
  absl::Status Corruption(uint64_t position, std::string_view why) const;

  FileSystem& fs_;
  std::string dir_;
  Offset base_;
  SegmentOptions options_;
  absl::Time created_at_;
  std::unique_ptr<File> log_;
  std::unique_ptr<SparseIndex> offset_index_;
  std::unique_ptr<SparseIndex> time_index_;
  uint64_t size_ = 0;
  Offset next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_ = -1;
  uint64_t bytes_since_index_entry_ = 0;
  // loaded_: indexes are open and next_offset_/max_timestamp_ are known. Set once, under load_mu_.
  std::atomic<bool> loaded_{true};
  mutable absl::Mutex load_mu_;
};

}  // namespace eddy::storage

#include "libs/raft/rocksdb_storage.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/raft/codec.h"
#include "proto/eddy/v1/raft.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace eddy::raft {
namespace {

constexpr std::string_view kFormatKey = "m/format";
constexpr std::string_view kHardStateKey = "m/hard_state";
constexpr std::string_view kSnapshotKey = "m/snapshot";
constexpr std::string_view kSnapshotDataKey = "m/snapshot_data";
constexpr std::string_view kEntryPrefix = "e/";
constexpr std::string_view kFormatVersion = "1";

std::string EntryKey(LogIndex index) {
  std::string key(kEntryPrefix);
  const uint64_t v = static_cast<uint64_t>(index.value());
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(v >> shift));
  return key;
}

// IndexOfKey decodes an entry key; nullopt-like -1 when the key is not an entry key.
int64_t IndexOfKey(std::string_view key) {
  if (key.size() != kEntryPrefix.size() + 8 || !key.starts_with(kEntryPrefix)) return -1;
  uint64_t v = 0;
  for (size_t i = kEntryPrefix.size(); i < key.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(key[i]);
  }
  return static_cast<int64_t>(v);
}

rocksdb::Slice AsSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message =
      absl::StrCat("raft rocksdb storage: ", std::string(what), ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

template <typename Proto>
absl::Status ParseValue(const std::string& bytes, Proto* out, std::string_view what) {
  if (!out->ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("raft rocksdb storage: unparseable ", std::string(what)));
  }
  return absl::OkStatus();
}

std::string EntryValue(const Entry& entry) { return ToProto(entry).SerializeAsString(); }

}  // namespace

absl::Status RocksDbStorageOptions::Validate() const {
  if (write_buffer_bytes < (64 << 10)) {
    return absl::InvalidArgumentError("raft rocksdb storage: write_buffer_bytes < 64 KiB");
  }
  if (max_write_buffers < 2) {
    return absl::InvalidArgumentError("raft rocksdb storage: max_write_buffers < 2");
  }
  if (block_cache_bytes == 0 || max_total_wal_bytes == 0) {
    return absl::InvalidArgumentError("raft rocksdb storage: zero cache or WAL size");
  }
  if (max_background_jobs < 1) {
    return absl::InvalidArgumentError("raft rocksdb storage: max_background_jobs < 1");
  }
  return absl::OkStatus();
}

RocksDbStorage::RocksDbStorage(std::unique_ptr<rocksdb::DB> db, HardState hard_state,
                               SnapshotMetadata snapshot, LogIndex last_index)
    : db_(std::move(db)),
      hard_state_(hard_state),
      snapshot_(std::move(snapshot)),
      last_index_(last_index) {}

RocksDbStorage::~RocksDbStorage() {
  // Close explicitly so a failure to release the lock file is not silently dropped mid-destruction;
  // every write was already synced, so there is nothing left to lose here.
  if (db_) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<RocksDbStorage>> RocksDbStorage::Open(
    const std::string& dir, RocksDbStorageOptions options) {
  EDDY_RETURN_IF_ERROR(options.Validate());
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.write_buffer_size = options.write_buffer_bytes;
  db_options.max_write_buffer_number = options.max_write_buffers;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.max_total_wal_size = options.max_total_wal_bytes;
  db_options.compression = options.compress ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  // RocksDB's own info log would otherwise grow without bound beside a long-lived controller.
  db_options.keep_log_file_num = 3;
  db_options.max_log_file_size = 4 << 20;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  rocksdb::DB* raw = nullptr;
  EDDY_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, dir, &raw), "open " + dir));
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), AsSlice(kFormatKey), &value);
  if (s.IsNotFound()) {
    // A new database: the format key and the empty snapshot land together or not at all.
    rocksdb::WriteBatch batch;
    EDDY_RETURN_IF_ERROR(
        FromRocks(batch.Put(AsSlice(kSnapshotKey), ToProto(SnapshotMetadata{}).SerializeAsString()),
                  "batch"));
    EDDY_RETURN_IF_ERROR(
        FromRocks(batch.Put(AsSlice(kFormatKey), AsSlice(kFormatVersion)), "batch"));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    EDDY_RETURN_IF_ERROR(FromRocks(db->Write(sync, &batch), "create " + dir));
  } else {
    EDDY_RETURN_IF_ERROR(FromRocks(s, "read format"));
    if (value != kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat("raft rocksdb storage: ", dir,
                                                        " has format ", value, ", expected ",
                                                        std::string(kFormatVersion)));
    }
  }

  HardState hard_state;
  s = db->Get(rocksdb::ReadOptions(), AsSlice(kHardStateKey), &value);
  if (!s.IsNotFound()) {
    EDDY_RETURN_IF_ERROR(FromRocks(s, "read hard state"));
    eddy::v1::RaftHardState proto;
    EDDY_RETURN_IF_ERROR(ParseValue(value, &proto, "hard state"));
    EDDY_ASSIGN_OR_RETURN(hard_state, FromProto(proto));
  }
  EDDY_RETURN_IF_ERROR(FromRocks(db->Get(rocksdb::ReadOptions(), AsSlice(kSnapshotKey), &value),
                                 "read snapshot metadata"));
  eddy::v1::RaftSnapshotMetadata snapshot_proto;
  EDDY_RETURN_IF_ERROR(ParseValue(value, &snapshot_proto, "snapshot metadata"));
  EDDY_ASSIGN_OR_RETURN(SnapshotMetadata snapshot, FromProto(snapshot_proto));

  // Walk the log once: it must be exactly (snapshot index, last] with non-decreasing terms.
  LogIndex last = snapshot.index;
  Term last_term = snapshot.term;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(AsSlice(kEntryPrefix)); it->Valid() && it->key().starts_with(AsSlice(kEntryPrefix));
       it->Next()) {
    const int64_t key_index = IndexOfKey(std::string_view(it->key().data(), it->key().size()));
    eddy::v1::RaftEntry proto;
    if (!proto.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("raft rocksdb storage: unparseable entry ", key_index));
    }
    EDDY_ASSIGN_OR_RETURN(Entry entry, FromProto(proto));
    if (key_index != (last + 1).value() || entry.index.value() != key_index ||
        entry.term < last_term) {
      return absl::DataLossError(absl::StrCat(
          "raft rocksdb storage: log not contiguous after index ", last.value(), " (key ",
          key_index, ", entry ", entry.index.value(), " term ", entry.term.value(), ")"));
    }
    last = entry.index;
    last_term = entry.term;
  }
  EDDY_RETURN_IF_ERROR(FromRocks(it->status(), "scan log"));
  it.reset();
  return std::unique_ptr<RocksDbStorage>(
      new RocksDbStorage(std::move(db), hard_state, std::move(snapshot), last));
}

absl::StatusOr<HardState> RocksDbStorage::LoadHardState() const { return hard_state_; }

absl::StatusOr<Snapshot> RocksDbStorage::LoadSnapshot() const {
  Snapshot snapshot{snapshot_, {}};
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), AsSlice(kSnapshotDataKey), &snapshot.data);
  if (s.IsNotFound()) return snapshot;  // a fresh database has no snapshot data
  EDDY_RETURN_IF_ERROR(FromRocks(s, "read snapshot data"));
  return snapshot;
}

absl::StatusOr<LogIndex> RocksDbStorage::FirstIndex() const { return snapshot_.index + 1; }

absl::StatusOr<LogIndex> RocksDbStorage::LastIndex() const { return last_index_; }

absl::StatusOr<Entry> RocksDbStorage::ReadEntry(LogIndex index) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EntryKey(index), &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(
        absl::StrCat("raft rocksdb storage: entry ", index.value(), " missing inside the log"));
  }
  EDDY_RETURN_IF_ERROR(FromRocks(s, "read entry"));
  eddy::v1::RaftEntry proto;
  EDDY_RETURN_IF_ERROR(ParseValue(value, &proto, "entry"));
  return FromProto(proto);
}

absl::StatusOr<Term> RocksDbStorage::TermAt(LogIndex index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index || index > last_index_) {
    return absl::OutOfRangeError(absl::StrCat("raft storage: no entry at index ", index.value()));
  }
  EDDY_ASSIGN_OR_RETURN(Entry entry, ReadEntry(index));
  return entry.term;
}

absl::StatusOr<std::vector<Entry>> RocksDbStorage::Entries(LogIndex from, LogIndex to,
                                                           size_t max_bytes) const {
  const LogIndex first = snapshot_.index + 1;
  if (from < first || to < from || to > last_index_ + 1) {
    return absl::OutOfRangeError(absl::StrCat("raft storage: entries [", from.value(), ", ",
                                              to.value(), ") outside [", first.value(), ", ",
                                              last_index_.value() + 1, ")"));
  }
  std::vector<Entry> out;
  if (from == to) return out;
  const std::string upper = EntryKey(to);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
  size_t bytes = 0;
  bool limited = false;
  LogIndex expected = from;
  for (it->Seek(EntryKey(from)); it->Valid(); it->Next(), ++expected) {
    eddy::v1::RaftEntry proto;
    if (!proto.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("raft rocksdb storage: unparseable entry ", expected.value()));
    }
    EDDY_ASSIGN_OR_RETURN(Entry entry, FromProto(proto));
    if (entry.index != expected) {
      return absl::DataLossError(absl::StrCat("raft rocksdb storage: expected entry ",
                                              expected.value(), ", found ", entry.index.value()));
    }
    if (!out.empty() && bytes + entry.data.size() > max_bytes) {
      limited = true;
      break;
    }
    bytes += entry.data.size();
    out.push_back(std::move(entry));
  }
  EDDY_RETURN_IF_ERROR(FromRocks(it->status(), "read entries"));
  if (!limited && expected != to) {
    return absl::DataLossError(absl::StrCat("raft rocksdb storage: entries from ", from.value(),
                                            " missing inside the log"));
  }
  return out;
}

absl::Status RocksDbStorage::Save(const PersistRequest& request) {
  if (request.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  // The state after each part of the request, as the next part sees it.
  SnapshotMetadata snapshot = snapshot_;
  LogIndex last = last_index_;
  if (request.snapshot) {
    const SnapshotMetadata& meta = request.snapshot->metadata;
    // Keep the suffix only when our log agrees with the snapshot at its last entry (§7).
    bool keep = false;
    if (meta.index >= snapshot.index && meta.index <= last) {
      EDDY_ASSIGN_OR_RETURN(Term term, TermAt(meta.index));
      keep = term == meta.term;
    }
    const LogIndex drop_to = keep ? meta.index : last;  // inclusive
    if (drop_to > snapshot.index) {
      EDDY_RETURN_IF_ERROR(FromRocks(
          batch.DeleteRange(EntryKey(snapshot.index + 1), EntryKey(drop_to + 1)), "batch"));
    }
    if (!keep) last = meta.index;
    EDDY_RETURN_IF_ERROR(
        FromRocks(batch.Put(AsSlice(kSnapshotKey), ToProto(meta).SerializeAsString()), "batch"));
    EDDY_RETURN_IF_ERROR(
        FromRocks(batch.Put(AsSlice(kSnapshotDataKey), AsSlice(request.snapshot->data)), "batch"));
    snapshot = meta;
  }
  if (!request.entries.empty()) {
    const LogIndex from = request.entries.front().index;
    if (from < snapshot.index + 1 || from > last + 1) {
      return absl::InvalidArgumentError(absl::StrCat("raft storage: append at ", from.value(),
                                                     " outside [", (snapshot.index + 1).value(),
                                                     ", ", last.value() + 1, "]"));
    }
    for (size_t i = 1; i < request.entries.size(); ++i) {
      if (request.entries[i].index != request.entries[i - 1].index + 1) {
        return absl::InvalidArgumentError("raft storage: appended entries are not contiguous");
      }
    }
    if (from <= last) {
      EDDY_RETURN_IF_ERROR(
          FromRocks(batch.DeleteRange(EntryKey(from), EntryKey(last + 1)), "batch"));
    }
    for (const Entry& entry : request.entries) {
      EDDY_RETURN_IF_ERROR(FromRocks(batch.Put(EntryKey(entry.index), EntryValue(entry)), "batch"));
    }
    last = request.entries.back().index;
  }
  if (request.hard_state) {
    EDDY_RETURN_IF_ERROR(FromRocks(
        batch.Put(AsSlice(kHardStateKey), ToProto(*request.hard_state).SerializeAsString()),
        "batch"));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;  // durable before the node acts on it: a vote or an ack promises this state
  EDDY_RETURN_IF_ERROR(FromRocks(db_->Write(sync, &batch), "save"));
  snapshot_ = std::move(snapshot);
  last_index_ = last;
  if (request.hard_state) hard_state_ = *request.hard_state;
  return absl::OkStatus();
}

}  // namespace eddy::raft

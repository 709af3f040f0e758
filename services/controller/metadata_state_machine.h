// MetadataStateMachine is the controller's replicated state machine: it applies committed metadata
// records (proto/eddy/v1/metadata.proto) in Raft log order to a MetadataImage, and turns the image
// into a snapshot and back. It is pure: no I/O, clock or randomness, so every controller that
// applies the same records reaches the same image, byte for byte (Snapshot() is canonical).
//
// Invariants:
// - Apply is deterministic, and refuses (non-OK, image unchanged) a record that is malformed, of a
//   newer version, or that refers to something the image lacks; such a record means the log was
//   written by newer or buggy code, and the driver must stop rather than diverge.
// - Records of one Raft entry share the entry's index, so indexes never decrease but may repeat.
// - Restore(Snapshot()) reproduces the image exactly; snapshot at index i + the records after i
//   equals replaying the whole log.
// - The image records the index of the last applied record: the position a WatchMetadata stream
//   resumes from ("snapshot at i, then deltas from i + 1").
//
// Thread-safety: none; the driver owns it on one thread.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/common/strong_id.h"
#include "proto/eddy/v1/metadata.pb.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

class MetadataStateMachine {
 public:
  // Apply applies one committed record that sits at log position `index`.
  // kInvalidArgument: malformed or index older than the last one applied; kFailedPrecondition:
  // newer record version, unknown record type, or a reference to a missing topic/broker.
  absl::Status Apply(const eddy::v1::MetadataRecord& record, LogIndex index);
  // ApplyBatch applies a Raft entry's records, all at `index`, stopping at the first refusal.
  // kInvalidArgument unless `index` is after the last applied index (an entry applies once); an
  // empty batch still advances the index.
  absl::Status ApplyBatch(const eddy::v1::MetadataRecordBatch& batch, LogIndex index);

  // ApplyEntry applies a Raft entry's payload: a serialized MetadataRecordBatch (kDataLoss if it
  // does not parse). This is what libs/raft's StateMachine::Apply hands over.
  absl::Status ApplyEntry(std::string_view data, LogIndex index);

  const MetadataImage& image() const { return image_; }
  LogIndex last_applied_index() const { return image_.last_applied_index(); }

  // Snapshot serializes the image (a MetadataSnapshot) canonically: equal images, equal bytes.
  std::string Snapshot() const;
  // Restore replaces the image by the one `bytes` holds. kDataLoss for unparseable bytes,
  // kFailedPrecondition for a newer snapshot version or an inconsistent snapshot; on error the
  // image is unchanged.
  absl::Status Restore(std::string_view bytes);

 private:
  struct Applier;

  absl::Status ApplyRecord(const eddy::v1::MetadataRecord& record, LogIndex index);

  MetadataImage image_;
};

}  // namespace eddy::controller

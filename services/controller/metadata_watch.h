// What WatchMetadata streams, computed from the metadata image: a full snapshot tagged with the
// image's log index, then one delta per applied Raft entry tagged with that entry's index, in the
// controller API's MetadataDelta shape (proto/eddy/v1/controller.proto). A watcher that resumes
// from offset i gets the snapshot if i is older than what the log still holds, else the deltas of
// the entries after i, so it is resumable without replaying from zero.
//
// A delta carries whole TopicMetadata for each topic an entry touched (any partition or config
// change), the names of topics it removed, and the brokers whose registration changed (an
// unregistered broker appears with state MEMBER_STATE_UNSPECIFIED), and the owner and epoch of
// each coordinator shard it moved (a snapshot carries every shard). Topic configs carry every value
// that differs from Kafka's default, whether set on the topic or as a cluster default, so a
// cluster-default change touches every topic.
#pragma once

#include <set>
#include <string>

#include "libs/common/strong_id.h"
#include "libs/common/uuid.h"
#include "proto/eddy/v1/controller.pb.h"
#include "proto/eddy/v1/metadata.pb.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

// WatchSnapshot describes the whole image (snapshot = true, offset = last applied index).
eddy::v1::MetadataDelta WatchSnapshot(const MetadataImage& image);

// WatchDeltaBuilder accumulates what one Raft entry's records touch.
class WatchDeltaBuilder {
 public:
  // Collect notes what `record` changes. REQUIRES: called before `record` is applied to `before`
  // (a removal needs the name the image is about to forget).
  void Collect(const MetadataImage& before, const eddy::v1::MetadataRecord& record);

  // Build returns the delta at `index`, reading the touched entities from the image after the
  // records were applied.
  eddy::v1::MetadataDelta Build(const MetadataImage& after, LogIndex index) const;

 private:
  std::set<common::Uuid> topics_;
  std::set<std::string> deleted_topics_;
  std::set<BrokerId> brokers_;
  std::set<CoordinatorShardKey> shards_;
  bool all_topics_ = false;
};

}  // namespace eddy::controller

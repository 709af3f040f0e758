// Progress is the leader's view of one follower (Raft paper §5.3 nextIndex/matchIndex), plus the
// state of an in-flight snapshot and the follower's latest ReadIndex acknowledgement.
//   kProbe:     the leader does not know where the logs agree; it sends one append at a time and
//               backs `next` off on each rejection.
//   kReplicate: logs agree up to `match`; appends are pipelined and `next` runs ahead of `match`.
//   kSnapshot:  `next` is compacted away; the leader streams `snapshot` in chunks from
//               `snapshot_offset` until the follower reports it installed.
// Invariant: match < next.
#pragma once

#include <cstdint>

#include "libs/raft/types.h"

namespace eddy::raft::internal {

struct Progress {
  enum class State : uint8_t { kProbe, kReplicate, kSnapshot };

  LogIndex match;
  LogIndex next = LogIndex(1);
  State state = State::kProbe;
  // probe_sent: in kProbe, an append is outstanding; the next goes out on its reply or heartbeat.
  bool probe_sent = false;
  // recent_active: the follower answered since the last check-quorum round.
  bool recent_active = false;
  // read_ack: the highest read context the follower echoed in this term.
  uint64_t read_ack = 0;
  SnapshotMetadata snapshot;
  uint64_t snapshot_offset = 0;
};

}  // namespace eddy::raft::internal

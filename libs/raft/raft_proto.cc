#include "libs/raft/raft_proto.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace eddy::raft {
namespace {

absl::Status CheckNonNegative(int64_t value, const char* what) {
  if (value < 0) {
    return absl::InvalidArgumentError(absl::StrCat("raft proto: negative ", what, " ", value));
  }
  return absl::OkStatus();
}

}  // namespace

void ToProto(const Entry& entry, eddy::v1::RaftEntry* out) {
  out->set_index(entry.index.value());
  out->set_term(entry.term.value());
  out->set_type(static_cast<eddy::v1::RaftEntryType>(entry.type));
  out->set_data(entry.data);
}

absl::StatusOr<Entry> FromProto(const eddy::v1::RaftEntry& proto) {
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.index(), "entry index"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.term(), "entry term"));
  if (!eddy::v1::RaftEntryType_IsValid(proto.type())) {
    return absl::InvalidArgumentError(
        absl::StrCat("raft proto: unknown entry type ", proto.type()));
  }
  return Entry{LogIndex(proto.index()), Term(proto.term()), static_cast<EntryType>(proto.type()),
               proto.data()};
}

void ToProto(const HardState& state, eddy::v1::RaftHardState* out) {
  out->set_term(state.term.value());
  out->set_vote(state.vote.value());
  out->set_commit(state.commit.value());
}

absl::StatusOr<HardState> FromProto(const eddy::v1::RaftHardState& proto) {
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.term(), "term"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.vote(), "vote"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.commit(), "commit index"));
  return HardState{Term(proto.term()), NodeId(proto.vote()), LogIndex(proto.commit())};
}

void ToProto(const SnapshotMetadata& metadata, eddy::v1::RaftSnapshotMetadata* out) {
  out->set_index(metadata.index.value());
  out->set_term(metadata.term.value());
  eddy::v1::RaftConfState* conf = out->mutable_conf();
  conf->clear_voters();
  for (NodeId voter : metadata.conf.voters) conf->add_voters(voter.value());
}

absl::StatusOr<SnapshotMetadata> FromProto(const eddy::v1::RaftSnapshotMetadata& proto) {
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.index(), "snapshot index"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.term(), "snapshot term"));
  SnapshotMetadata metadata{LogIndex(proto.index()), Term(proto.term()), {}};
  for (int32_t voter : proto.conf().voters()) {
    if (voter <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("raft proto: voter id ", voter));
    }
    metadata.conf.voters.insert(NodeId(voter));
  }
  return metadata;
}

void ToProto(const Message& message, eddy::v1::RaftMessage* out) {
  out->set_type(static_cast<eddy::v1::RaftMessageType>(message.type));
  out->set_from(message.from.value());
  out->set_to(message.to.value());
  out->set_term(message.term.value());
  out->set_index(message.index.value());
  out->set_log_term(message.log_term.value());
  out->clear_entries();
  for (const Entry& entry : message.entries) ToProto(entry, out->add_entries());
  out->set_commit(message.commit.value());
  out->set_reject(message.reject);
  out->set_reject_hint(message.reject_hint.value());
  out->set_transfer(message.transfer);
  out->set_read_context(message.read_context);
  // Only snapshot traffic fills these; leaving the sub-message unset keeps other messages small.
  if (message.snapshot != SnapshotMetadata{} || message.snapshot_size != 0 || message.offset != 0 ||
      !message.chunk.empty()) {
    eddy::v1::RaftSnapshotChunk* chunk = out->mutable_snapshot();
    ToProto(message.snapshot, chunk->mutable_metadata());
    chunk->set_total_size(message.snapshot_size);
    chunk->set_offset(message.offset);
    chunk->set_data(message.chunk);
  } else {
    out->clear_snapshot();
  }
}

absl::StatusOr<Message> FromProto(const eddy::v1::RaftMessage& proto) {
  if (!eddy::v1::RaftMessageType_IsValid(proto.type())) {
    return absl::InvalidArgumentError(
        absl::StrCat("raft proto: unknown message type ", proto.type()));
  }
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.from(), "sender id"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.to(), "receiver id"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.term(), "message term"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.index(), "message index"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.log_term(), "message log term"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.commit(), "message commit index"));
  EDDY_RETURN_IF_ERROR(CheckNonNegative(proto.reject_hint(), "reject hint"));
  Message message;
  message.type = static_cast<MessageType>(proto.type());
  message.from = NodeId(proto.from());
  message.to = NodeId(proto.to());
  message.term = Term(proto.term());
  message.index = LogIndex(proto.index());
  message.log_term = Term(proto.log_term());
  message.entries.reserve(proto.entries_size());
  for (const eddy::v1::RaftEntry& entry : proto.entries()) {
    EDDY_ASSIGN_OR_RETURN(Entry decoded, FromProto(entry));
    message.entries.push_back(std::move(decoded));
  }
  message.commit = LogIndex(proto.commit());
  message.reject = proto.reject();
  message.reject_hint = LogIndex(proto.reject_hint());
  message.transfer = proto.transfer();
  message.read_context = proto.read_context();
  if (proto.has_snapshot()) {
    EDDY_ASSIGN_OR_RETURN(message.snapshot, FromProto(proto.snapshot().metadata()));
    message.snapshot_size = proto.snapshot().total_size();
    message.offset = proto.snapshot().offset();
    message.chunk = proto.snapshot().data();
  }
  return message;
}

}  // namespace eddy::raft

#include "libs/raft/codec.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace eddy::raft {
namespace {

absl::Status CheckPosition(int64_t index, int64_t term, const char* what) {
  if (index < 0 || term < 0) {
    return absl::InvalidArgumentError(absl::StrCat("raft codec: negative index or term in ", what));
  }
  return absl::OkStatus();
}

}  // namespace

v1::RaftEntry ToProto(const Entry& entry) {
  v1::RaftEntry proto;
  proto.set_index(entry.index.value());
  proto.set_term(entry.term.value());
  proto.set_type(entry.type == EntryType::kConfChange ? v1::RAFT_ENTRY_TYPE_CONF_CHANGE
                                                      : v1::RAFT_ENTRY_TYPE_NORMAL);
  proto.set_data(entry.data);
  return proto;
}

absl::StatusOr<Entry> FromProto(const v1::RaftEntry& proto) {
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.index(), proto.term(), "entry"));
  Entry entry{LogIndex(proto.index()), Term(proto.term()), EntryType::kNormal, proto.data()};
  switch (proto.type()) {
    case v1::RAFT_ENTRY_TYPE_NORMAL:
      break;
    case v1::RAFT_ENTRY_TYPE_CONF_CHANGE:
      entry.type = EntryType::kConfChange;
      EDDY_RETURN_IF_ERROR(DecodeConfState(entry.data).status());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("raft codec: unknown entry type ", proto.type()));
  }
  return entry;
}

v1::RaftHardState ToProto(const HardState& state) {
  v1::RaftHardState proto;
  proto.set_term(state.term.value());
  proto.set_vote(state.vote.value());
  proto.set_commit(state.commit.value());
  return proto;
}

absl::StatusOr<HardState> FromProto(const v1::RaftHardState& proto) {
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.commit(), proto.term(), "hard state"));
  if (proto.vote() < 0) return absl::InvalidArgumentError("raft codec: negative vote");
  return HardState{Term(proto.term()), NodeId(proto.vote()), LogIndex(proto.commit())};
}

v1::RaftSnapshotMetadata ToProto(const SnapshotMetadata& metadata) {
  v1::RaftSnapshotMetadata proto;
  proto.set_index(metadata.index.value());
  proto.set_term(metadata.term.value());
  for (NodeId voter : metadata.conf.voters) proto.mutable_conf()->add_voters(voter.value());
  return proto;
}

absl::StatusOr<SnapshotMetadata> FromProto(const v1::RaftSnapshotMetadata& proto) {
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.index(), proto.term(), "snapshot metadata"));
  SnapshotMetadata metadata{LogIndex(proto.index()), Term(proto.term()), {}};
  for (int32_t voter : proto.conf().voters()) {
    if (voter <= 0) return absl::InvalidArgumentError("raft codec: voter id must be positive");
    metadata.conf.voters.insert(NodeId(voter));
  }
  return metadata;
}

v1::RaftMessage ToProto(const Message& m) {
  v1::RaftMessage proto;
  proto.set_type(static_cast<v1::RaftMessageType>(static_cast<int>(m.type) + 1));
  proto.set_from(m.from.value());
  proto.set_to(m.to.value());
  proto.set_term(m.term.value());
  proto.set_index(m.index.value());
  proto.set_log_term(m.log_term.value());
  for (const Entry& e : m.entries) *proto.add_entries() = ToProto(e);
  proto.set_commit(m.commit.value());
  proto.set_reject(m.reject);
  proto.set_reject_hint(m.reject_hint.value());
  proto.set_transfer(m.transfer);
  proto.set_read_context(m.read_context);
  *proto.mutable_snapshot() = ToProto(m.snapshot);
  proto.set_snapshot_size(m.snapshot_size);
  proto.set_offset(m.offset);
  proto.set_chunk(m.chunk);
  return proto;
}

absl::StatusOr<Message> FromProto(const v1::RaftMessage& proto) {
  // The proto enum is the C++ enum shifted by one so that 0 stays "unspecified".
  const int type = static_cast<int>(proto.type()) - 1;
  if (type < 0 || type > static_cast<int>(MessageType::kTimeoutNow)) {
    return absl::InvalidArgumentError(
        absl::StrCat("raft codec: unknown message type ", proto.type()));
  }
  if (proto.from() <= 0 || proto.to() <= 0) {
    return absl::InvalidArgumentError("raft codec: message without a sender or receiver");
  }
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.index(), proto.term(), "message"));
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.commit(), proto.log_term(), "message"));
  EDDY_RETURN_IF_ERROR(CheckPosition(proto.reject_hint(), 0, "message"));
  Message m{.type = static_cast<MessageType>(type),
            .from = NodeId(proto.from()),
            .to = NodeId(proto.to()),
            .term = Term(proto.term()),
            .index = LogIndex(proto.index()),
            .log_term = Term(proto.log_term()),
            .commit = LogIndex(proto.commit()),
            .reject = proto.reject(),
            .reject_hint = LogIndex(proto.reject_hint()),
            .transfer = proto.transfer(),
            .read_context = proto.read_context(),
            .snapshot_size = proto.snapshot_size(),
            .offset = proto.offset(),
            .chunk = proto.chunk()};
  m.entries.reserve(proto.entries_size());
  for (const v1::RaftEntry& e : proto.entries()) {
    EDDY_ASSIGN_OR_RETURN(Entry entry, FromProto(e));
    m.entries.push_back(std::move(entry));
  }
  EDDY_ASSIGN_OR_RETURN(m.snapshot, FromProto(proto.snapshot()));
  return m;
}

}  // namespace eddy::raft

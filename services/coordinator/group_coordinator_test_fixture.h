// Shared fixture for GroupCoordinator tests: a ManualClock, an InMemoryGroupLog whose
// acknowledgements queue until Drain() (as the shard executor would run them), and helpers that
// drive members through the join/sync handshake and capture every answer.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/common/clock.h"
#include "libs/kafka/error_codes.h"
#include "services/coordinator/group_coordinator.h"
#include "services/coordinator/group_log.h"

namespace eddy::coordinator::testing {

template <typename T>
using Answer = std::shared_ptr<std::optional<T>>;

inline int32_t E(kafka::ErrorCode code) { return static_cast<int32_t>(code); }

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinatorTest() { Restart(); }

  static GroupConfig DefaultConfig() {
    GroupConfig config;
    config.initial_rebalance_delay = absl::ZeroDuration();
    return config;
  }

  // Restart replaces the coordinator with a fresh one loaded from the log (a shard failover).
  void Restart() {
    coordinator_.reset();
    Drain();
    coordinator_ = std::make_unique<GroupCoordinator>(config_, log_, clock_);
    ASSERT_TRUE(coordinator_->Load().ok());
  }

  void Drain() {
    while (!completions_.empty()) {
      auto f = std::move(completions_.front());
      completions_.pop_front();
      f();
    }
  }

  void Advance(absl::Duration d) {
    clock_.Advance(d);
    coordinator_->Tick();
    Drain();
  }

  struct JoinSpec {
    std::string group = "g";
    std::string member_id;
    std::string instance_id;
    std::vector<std::pair<std::string, std::string>> protocols = {{"range", "meta"}};
    std::string protocol_type = "consumer";
    int32_t session_ms = 10000;
    int32_t rebalance_ms = 30000;
    bool require_known_member_id = true;
    std::string client_id = "client";
  };

  static eddy::v1::JoinGroupRequest JoinRequest(const JoinSpec& spec) {
    eddy::v1::JoinGroupRequest r;
    r.set_group_id(spec.group);
    r.set_member_id(spec.member_id);
    r.set_group_instance_id(spec.instance_id);
    r.set_protocol_type(spec.protocol_type);
    for (const auto& [name, meta] : spec.protocols) {
      auto* p = r.add_protocols();
      p->set_name(name);
      p->set_metadata(meta);
    }
    r.set_session_timeout_ms(spec.session_ms);
    r.set_rebalance_timeout_ms(spec.rebalance_ms);
    r.set_require_known_member_id(spec.require_known_member_id);
    r.set_client_id(spec.client_id);
    r.set_client_host("/127.0.0.1");
    return r;
  }

  Answer<eddy::v1::JoinGroupResponse> Join(const JoinSpec& spec) {
    auto out = std::make_shared<std::optional<eddy::v1::JoinGroupResponse>>();
    coordinator_->JoinGroup(JoinRequest(spec), [out](auto r) { *out = std::move(r); });
    Drain();
    return out;
  }

  // JoinNew does the KIP-394 handshake (MEMBER_ID_REQUIRED, then join with the id) for a
  // dynamic member, or a direct join for a static one; returns the pending second join.
  Answer<eddy::v1::JoinGroupResponse> JoinNew(JoinSpec spec) {
    if (spec.instance_id.empty()) {
      auto first = Join(spec);
      EXPECT_TRUE(first->has_value());
      EXPECT_EQ((*first)->error_code(), E(kafka::ErrorCode::kMemberIdRequired));
      spec.member_id = (*first)->member_id();
    }
    return Join(spec);
  }

  Answer<eddy::v1::SyncGroupResponse> Sync(
      const std::string& member_id, int32_t generation,
      std::vector<std::pair<std::string, std::string>> assignments = {},
      const std::string& group = "g", const std::string& instance_id = "") {
    eddy::v1::SyncGroupRequest r;
    r.set_group_id(group);
    r.set_member_id(member_id);
    r.set_generation_id(generation);
    r.set_group_instance_id(instance_id);
    for (const auto& [id, bytes] : assignments) {
      auto* a = r.add_assignments();
      a->set_member_id(id);
      a->set_assignment(bytes);
    }
    auto out = std::make_shared<std::optional<eddy::v1::SyncGroupResponse>>();
    coordinator_->SyncGroup(r, [out](auto resp) { *out = std::move(resp); });
    Drain();
    return out;
  }

  int32_t Heartbeat(const std::string& member_id, int32_t generation,
                    const std::string& group = "g", const std::string& instance_id = "") {
    eddy::v1::GroupHeartbeatRequest r;
    r.set_group_id(group);
    r.set_member_id(member_id);
    r.set_generation_id(generation);
    r.set_group_instance_id(instance_id);
    int32_t code = -100;
    coordinator_->Heartbeat(r, [&code](auto resp) { code = resp.error_code(); });
    Drain();
    return code;
  }

  eddy::v1::LeaveGroupResponse Leave(
      std::vector<std::pair<std::string, std::string>> members,  // (member id, instance id)
      const std::string& group = "g") {
    eddy::v1::LeaveGroupRequest r;
    r.set_group_id(group);
    for (const auto& [id, instance] : members) {
      auto* m = r.add_members();
      m->set_member_id(id);
      m->set_group_instance_id(instance);
    }
    eddy::v1::LeaveGroupResponse out;
    coordinator_->LeaveGroup(r, [&out](auto resp) { out = std::move(resp); });
    Drain();
    return out;
  }

  struct Commit {
    std::string topic;
    int32_t partition;
    int64_t offset;
    std::string metadata = "";
  };

  Answer<eddy::v1::OffsetCommitResponse> CommitAsync(const std::string& group,
                                                     const std::string& member_id,
                                                     int32_t generation,
                                                     const std::vector<Commit>& commits,
                                                     int64_t retention_ms = -1,
                                                     const std::string& instance_id = "") {
    eddy::v1::OffsetCommitRequest r;
    r.set_group_id(group);
    r.set_member_id(member_id);
    r.set_group_instance_id(instance_id);
    r.set_generation_id(generation);
    r.set_retention_time_ms(retention_ms);
    for (const Commit& c : commits) {
      auto* p = r.add_partitions();
      p->mutable_partition()->set_topic(c.topic);
      p->mutable_partition()->set_partition(c.partition);
      p->set_committed_offset(c.offset);
      p->set_committed_leader_epoch(-1);
      p->set_metadata(c.metadata);
    }
    auto out = std::make_shared<std::optional<eddy::v1::OffsetCommitResponse>>();
    coordinator_->OffsetCommit(r, [out](auto resp) { *out = std::move(resp); });
    return out;
  }

  // CommitOne commits one offset and returns its error code.
  int32_t CommitOne(const std::string& group, const std::string& member_id, int32_t generation,
                    const std::string& topic, int32_t partition, int64_t offset,
                    const std::string& metadata = "") {
    auto out = CommitAsync(group, member_id, generation, {{topic, partition, offset, metadata}});
    Drain();
    if (!out->has_value() || (*out)->results_size() != 1) return -100;
    return (*out)->results(0).error_code();
  }

  int64_t Fetch(const std::string& group, const std::string& topic, int32_t partition) {
    eddy::v1::OffsetFetchRequest r;
    r.set_group_id(group);
    auto* tp = r.add_partitions();
    tp->set_topic(topic);
    tp->set_partition(partition);
    auto resp = coordinator_->OffsetFetch(r);
    return resp.partitions(0).committed_offset();
  }

  GroupState StateOf(const std::string& group = "g") {
    const Group* g = coordinator_->FindGroup(group);
    return g == nullptr ? GroupState::kDead : g->state;
  }

  // StableGroup brings `n` dynamic members to Stable in group `group`; returns their ids (the
  // leader first) and sets *generation.
  std::vector<std::string> StableGroup(int n, int32_t* generation, const std::string& group = "g") {
    std::vector<std::string> ids;
    std::vector<Answer<eddy::v1::JoinGroupResponse>> joins;
    JoinSpec spec;
    spec.group = group;
    auto first = JoinNew(spec);
    EXPECT_TRUE(first->has_value());
    ids.push_back((*first)->member_id());
    for (int i = 1; i < n; ++i) {
      joins.push_back(JoinNew(spec));
    }
    if (n > 1) {
      // The new members wait in PreparingRebalance until the first member rejoins.
      JoinSpec rejoin = spec;
      rejoin.member_id = ids[0];
      auto leader = Join(rejoin);
      EXPECT_TRUE(leader->has_value());
      for (auto& j : joins) {
        EXPECT_TRUE(j->has_value());
        ids.push_back((*j)->member_id());
      }
      first = leader;
    }
    const int32_t gen = (*first)->generation_id();
    std::vector<std::pair<std::string, std::string>> assignment;
    for (const auto& id : ids) assignment.emplace_back(id, "assignment-of-" + id);
    for (size_t i = 1; i < ids.size(); ++i) Sync(ids[i], gen);
    auto synced = Sync(ids[0], gen, assignment, group);
    EXPECT_TRUE(synced->has_value());
    EXPECT_EQ((*synced)->error_code(), 0);
    EXPECT_EQ(StateOf(group), GroupState::kStable);
    *generation = gen;
    return ids;
  }

  common::ManualClock clock_;
  std::deque<std::function<void()>> completions_;
  InMemoryGroupLog log_{[this](std::function<void()> f) { completions_.push_back(std::move(f)); }};
  GroupConfig config_ = DefaultConfig();
  std::unique_ptr<GroupCoordinator> coordinator_;
};

}  // namespace eddy::coordinator::testing

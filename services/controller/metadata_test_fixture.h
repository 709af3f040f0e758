// Test-only helpers: a MetadataStateMachine plus shortcuts to build a cluster image (brokers,
// topics, configs) by applying real records, and to apply a command's records the way the driver
// will (one Raft entry per command).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/controller/metadata_records.h"
#include "services/controller/metadata_state_machine.h"

namespace eddy::controller::testing {

inline std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

class MetadataFixture {
 public:
  // Apply applies `records` as one Raft entry and fails the test on a refusal.
  void Apply(const std::vector<eddy::v1::MetadataRecord>& records) {
    const LogIndex index(next_index_++);
    for (const eddy::v1::MetadataRecord& record : records) {
      absl::Status status = sm_.Apply(record, index);
      ASSERT_TRUE(status.ok()) << status << " applying " << record.ShortDebugString();
    }
  }

  // AddBroker registers a broker and, unless `fenced`, unfences it; returns its epoch.
  BrokerEpoch AddBroker(int32_t id, std::string rack = "", bool fenced = false) {
    eddy::v1::RegisterBrokerRecord reg;
    reg.set_broker_id(id);
    reg.set_incarnation_id("incarnation-" + std::to_string(id));
    reg.set_rack(std::move(rack));
    reg.set_clean_shutdown(true);
    const BrokerEpoch epoch(next_index_);
    Apply({Wrap(reg)});
    if (!fenced) {
      eddy::v1::UnfenceBrokerRecord unfence;
      unfence.set_broker_id(id);
      unfence.set_broker_epoch(epoch.value());
      Apply({Wrap(unfence)});
    }
    return epoch;
  }

  // AddTopic creates a topic whose partition i has replicas assignment[i], all in the ISR, led by
  // the first.
  common::Uuid AddTopic(const std::string& name,
                        const std::vector<std::vector<BrokerId>>& assignment) {
    const common::Uuid id = common::Uuid::FromMsbLsb(0xE44D, ++topics_);
    eddy::v1::TopicRecord topic;
    topic.set_name(name);
    *topic.mutable_topic_id() = TopicIdToProto(id);
    std::vector<eddy::v1::MetadataRecord> records = {Wrap(topic)};
    for (size_t i = 0; i < assignment.size(); ++i) {
      PartitionState p;
      p.replicas = assignment[i];
      p.isr = assignment[i];
      p.leader = assignment[i].front();
      records.push_back(Wrap(PartitionToRecord(id, static_cast<int32_t>(i), p)));
    }
    Apply(records);
    return id;
  }

  void SetConfig(eddy::v1::ConfigResourceType type, const std::string& resource,
                 const std::string& name, const std::string& value) {
    eddy::v1::ConfigRecord r;
    r.set_resource_type(type);
    r.set_resource_name(resource);
    r.set_name(name);
    r.set_value(value);
    Apply({Wrap(r)});
  }

  const PartitionState& Partition(const std::string& topic, int32_t partition) const {
    return image().FindTopicByName(topic)->partitions.at(partition);
  }

  const MetadataImage& image() const { return sm_.image(); }
  MetadataStateMachine& state_machine() { return sm_; }

 private:
  MetadataStateMachine sm_;
  int64_t next_index_ = 1;
  uint64_t topics_ = 0;
};

}  // namespace eddy::controller::testing

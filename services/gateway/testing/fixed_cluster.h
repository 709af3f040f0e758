// In-memory stand-ins for the gateway's collaborators, for unit tests and the fuzz target: a fixed
// ClusterView (two gateways, three brokers' worth of partitions) and a broker data path that
// records what it was sent and lets the caller answer in any order.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "services/runtime/broker_data_path.h"
#include "services/gateway/cluster_view.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway::testing {

class FixedView : public ClusterViewSource {
 public:
  explicit FixedView(std::shared_ptr<const ClusterView> view) : view_(std::move(view)) {}
  std::shared_ptr<const ClusterView> Current() const override { return view_; }
  bool WaitForOffset(int64_t, absl::Duration) const override { return true; }

 private:
  std::shared_ptr<const ClusterView> view_;
};

// ScriptedBrokers records what each broker was sent; the test answers, in any order.
class ScriptedBrokers : public runtime::BrokerDataPath {
 public:
  void Send(int32_t broker_id, const std::string&, eddy::v1::DataRequest request, absl::Duration,
            Callback callback) override {
    absl::MutexLock lock(&mu_);
    sent_.push_back({broker_id, std::move(request), std::move(callback)});
  }
  struct Sent {
    int32_t broker;
    eddy::v1::DataRequest request;
    Callback callback;
  };
  std::deque<Sent> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(sent_, {});
  }

 private:
  absl::Mutex mu_;
  std::deque<Sent> sent_ ABSL_GUARDED_BY(mu_);
};

// TwoGatewaysOneTopic: two gateways (ids 1, 2); topic "t" with 3 partitions led by brokers 10, 11, 10.
inline std::shared_ptr<const ClusterView> TwoGatewaysOneTopic() {
  auto view = std::make_shared<ClusterView>();
  eddy::v1::MetadataDelta delta;
  delta.set_offset(5);
  delta.set_snapshot(true);
  for (int id : {10, 11}) {
    eddy::v1::MemberStatus* m = delta.add_members();
    m->set_role(eddy::v1::MEMBER_ROLE_BROKER);
    m->set_member_id(id);
    m->set_state(eddy::v1::MEMBER_STATE_ACTIVE);
    eddy::v1::Endpoint* e = m->add_endpoints();
    e->set_name("grpc");
    e->set_host("127.0.0.1");
    e->set_port(1000 + id);
  }
  eddy::v1::TopicMetadata* t = delta.add_topics();
  t->set_name("t");
  t->mutable_topic_id()->set_value(std::string(16, '\x07'));
  for (int p = 0; p < 3; ++p) {
    eddy::v1::PartitionMetadata* pm = t->add_partitions();
    pm->set_partition(p);
    pm->set_leader(p == 1 ? 11 : 10);
    pm->set_leader_epoch(3);
    pm->add_replicas(10);
    pm->add_replicas(11);
    pm->add_isr(10);
    pm->add_isr(11);
  }
  view->ApplyDelta(delta);
  eddy::v1::GetClusterStatusResponse status;
  status.set_cluster_id("cluster-x");
  for (int id : {2, 1}) {
    eddy::v1::MemberStatus* m = status.add_members();
    m->set_role(eddy::v1::MEMBER_ROLE_GATEWAY);
    m->set_member_id(id);
    m->set_state(eddy::v1::MEMBER_STATE_ACTIVE);
    eddy::v1::Endpoint* e = m->add_endpoints();
    e->set_name("kafka");
    e->set_host("127.0.0.1");
    e->set_port(9000 + id);
  }
  view->SetMembers(status);
  return view;
}

}  // namespace eddy::gateway::testing

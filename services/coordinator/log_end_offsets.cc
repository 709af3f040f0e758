#include "services/coordinator/log_end_offsets.h"

#include <vector>

#include "absl/synchronization/blocking_counter.h"

namespace eddy::coordinator {
namespace {
constexpr int kMaxIdlePolls = 10;
}  // namespace

LogEndOffsetPoller::LogEndOffsetPoller(CoordinatorMetadata& metadata,
                                       runtime::BrokerDataPath& brokers, absl::Duration interval)
    : metadata_(metadata), brokers_(brokers), interval_(interval) {}

LogEndOffsetPoller::~LogEndOffsetPoller() { Stop(); }

void LogEndOffsetPoller::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) return;
      }
      PollOnce();
    }
  });
}

void LogEndOffsetPoller::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<int64_t> LogEndOffsetPoller::Get(const std::string& topic, int32_t partition) {
  absl::MutexLock lock(&mu_);
  Entry& entry = entries_[Key{topic, partition}];
  entry.idle_polls = 0;
  return entry.end;
}

void LogEndOffsetPoller::PollOnce() {
  std::vector<Key> wanted;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (++it->second.idle_polls > kMaxIdlePolls) {
        entries_.erase(it++);
      } else {
        wanted.push_back(it->first);
        ++it;
      }
    }
  }
  if (wanted.empty()) return;
  auto by_leader = metadata_.ByLeader(wanted);
  absl::BlockingCounter answered(static_cast<int>(by_leader.size()));
  for (auto& [broker, group] : by_leader) {
    eddy::v1::DataRequest request;
    eddy::v1::ListOffsetsRequest& list = *request.mutable_list_offsets();
    list.set_isolation_level(0);
    for (const auto& [topic, partition] : group.partitions) {
      eddy::v1::ListOffsetsPartition& p = *list.add_partitions();
      p.mutable_partition()->set_topic(topic);
      p.mutable_partition()->set_partition(partition);
      p.set_timestamp(-1);
      p.set_current_leader_epoch(-1);
    }
    brokers_.Send(broker, group.target, std::move(request), interval_,
                  [this, &answered](absl::StatusOr<eddy::v1::DataResponse> response) {
                    if (response.ok() && response->has_list_offsets()) {
                      absl::MutexLock lock(&mu_);
                      for (const auto& r : response->list_offsets().results()) {
                        if (r.error_code() != 0) continue;
                        auto it = entries_.find(Key{r.partition().topic(), r.partition().partition()});
                        if (it != entries_.end()) it->second.end = r.offset();
                      }
                    }
                    answered.DecrementCount();
                  });
  }
  answered.Wait();
}

}  // namespace eddy::coordinator

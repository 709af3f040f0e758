// GrpcBrokerDataPath: BrokerDataPath over gRPC. One `Broker.Data` bidirectional stream per broker,
// opened on first use and kept open; requests carry client-unique ids and answers are matched by
// id, in whatever order the broker sends them. Each request has its own deadline (an Asio timer):
// a request past it fails with kDeadlineExceeded while the stream carries on. When a stream ends
// (broker gone, network), its outstanding requests fail with kUnavailable and the next Send to that
// broker opens a new stream.
//
// Thread-safety: thread-safe. Callbacks run on gRPC or timer threads, never inside Send.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "libs/rpc/channel_cache.h"
#include "services/runtime/broker_data_path.h"

namespace asio {
class io_context;
}

namespace eddy::runtime {

class GrpcBrokerDataPath : public BrokerDataPath {
 public:
  // `timers` runs the per-request deadline timers; it must be running while requests are open.
  GrpcBrokerDataPath(rpc::ChannelCache& channels, asio::io_context& timers);
  ~GrpcBrokerDataPath() override;

  void Send(int32_t broker_id, const std::string& target, eddy::v1::DataRequest request,
            absl::Duration timeout, Callback callback) override;

  // Stop cancels every stream, fails what is outstanding and waits for the streams to end.
  void Stop();

 private:
  class Stream;
  struct Pending;

  // Take removes and returns the callback of request `id`, if it is still outstanding.
  Callback Take(uint64_t id);
  void StreamDone(Stream* stream, const std::set<uint64_t>& ids);

  rpc::ChannelCache& channels_;
  asio::io_context& timers_;
  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int32_t, Stream*> streams_ ABSL_GUARDED_BY(mu_);
  int live_streams_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, std::shared_ptr<Pending>> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::runtime

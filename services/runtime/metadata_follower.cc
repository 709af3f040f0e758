#include "services/runtime/metadata_follower.h"

#include <random>
#include <utility>

#include "proto/eddy/v1/controller.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::runtime {

MetadataFollower::MetadataFollower(MetadataFollowerOptions options, rpc::ChannelCache& channels,
                                   Sink sink)
    : options_(std::move(options)), channels_(channels), sink_(std::move(sink)) {}

MetadataFollower::~MetadataFollower() { Stop(); }

void MetadataFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void MetadataFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool MetadataFollower::WaitForFirst(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&have_snapshot_), timeout);
}

void MetadataFollower::Run() {
  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = options_.min_backoff;
  size_t next = 0;
  while (true) {
    const std::string target = options_.controllers[next++ % options_.controllers.size()];
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      context_ = &context;
    }
    eddy::v1::WatchMetadataRequest request;
    request.set_from_offset(offset_.load());
    request.set_role(options_.role);
    request.set_member_id(options_.member_id);
    eddy::v1::Controller::Stub stub(channels_.Get(target));
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        stub.WatchMetadata(&context, request);
    eddy::v1::MetadataDelta delta;
    bool received = false;
    while (reader->Read(&delta)) {
      received = true;
      const int64_t last = offset_.load();
      if (delta.offset() <= last && !(delta.snapshot() && last < 0)) continue;
      sink_(delta);
      offset_.store(delta.offset());
      if (delta.snapshot()) {
        absl::MutexLock lock(&mu_);
        have_snapshot_ = true;
      }
      backoff = options_.min_backoff;
    }
    grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stopping_) return;
    }
    spdlog::log(received ? spdlog::level::info : spdlog::level::debug,
                "metadata watch on {} ended: {}", target, status.error_message());
    // Full jitter keeps many brokers from reconnecting in step.
    const absl::Duration wait = absl::Nanoseconds(std::uniform_int_distribution<int64_t>(
        absl::ToInt64Nanoseconds(options_.min_backoff), absl::ToInt64Nanoseconds(backoff))(random));
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait)) return;
  }
}

}  // namespace eddy::runtime

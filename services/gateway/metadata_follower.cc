#include "services/gateway/metadata_follower.h"

#include <random>

#include "libs/common/backoff.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/retry.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::gateway {
namespace {

rpc::RetryPolicy StatusRetryPolicy(size_t controllers) {
  rpc::RetryPolicy policy;
  policy.max_attempts = static_cast<int>(controllers) + 1;
  policy.backoff.initial = absl::Milliseconds(50);
  policy.backoff.max = absl::Milliseconds(500);
  return policy;
}

}  // namespace

MetadataFollower::MetadataFollower(MetadataFollowerOptions options, rpc::ChannelCache& channels)
    : options_(std::move(options)),
      channels_(channels),
      status_calls_(channels, options_.controllers, StatusRetryPolicy(options_.controllers.size()),
                    options_.call_timeout) {
  auto view = std::make_shared<ClusterView>();
  view->SetLocalGateway(options_.self);
  view_ = std::move(view);
}

MetadataFollower::~MetadataFollower() { Stop(); }

void MetadataFollower::SetSelf(GatewayNode self) {
  Publish([&](ClusterView& view) { view.SetLocalGateway(std::move(self)); });
}

void MetadataFollower::Start() {
  watch_thread_ = std::thread([this] { WatchLoop(); });
  member_thread_ = std::thread([this] { MemberLoop(); });
}

void MetadataFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (watch_context_ != nullptr) watch_context_->TryCancel();
  }
  if (watch_thread_.joinable()) watch_thread_.join();
  if (member_thread_.joinable()) member_thread_.join();
}

std::shared_ptr<const ClusterView> MetadataFollower::Current() const {
  absl::MutexLock lock(&mu_);
  return view_;
}

bool MetadataFollower::WaitForOffset(int64_t offset, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || view_->offset() >= offset;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout) && view_->offset() >= offset;
}

bool MetadataFollower::WaitForSnapshot(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || view_->has_snapshot();
  };
  return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout) && view_->has_snapshot();
}

void MetadataFollower::Publish(const std::function<void(ClusterView&)>& change) {
  absl::MutexLock lock(&mu_);
  // Copy-on-write: readers keep the view they hold; a delta costs one copy of the image.
  auto next = std::make_shared<ClusterView>(*view_);
  change(*next);
  view_ = std::move(next);
}

bool MetadataFollower::Sleep(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stopping), d);
  return !stopping_;
}

void MetadataFollower::WatchLoop() {
  common::Backoff backoff(
      common::BackoffPolicy{.initial = absl::Milliseconds(50), .max = absl::Seconds(1)},
      std::random_device{}());
  size_t target = 0;
  bool warned = false;
  for (;;) {
    grpc::ClientContext context;
    eddy::v1::WatchMetadataRequest request;
    request.set_from_offset(Current()->offset());
    request.set_role(eddy::v1::MEMBER_ROLE_GATEWAY);
    request.set_member_id(options_.member_id);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      watch_context_ = &context;
    }
    const std::string& controller = options_.controllers[target % options_.controllers.size()];
    eddy::v1::Controller::Stub stub(channels_.Get(controller));
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        stub.WatchMetadata(&context, request);
    eddy::v1::MetadataDelta delta;
    bool received = false;
    while (reader->Read(&delta)) {
      if (!received) {
        spdlog::info("following metadata from {} at offset {}", controller, delta.offset());
        warned = false;
      }
      received = true;
      backoff.Reset();
      Publish([&](ClusterView& view) { view.ApplyDelta(delta); });
    }
    grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      watch_context_ = nullptr;
      if (stopping_) return;
    }
    if (!warned) {
      spdlog::warn("metadata watch on {} ended: {}", controller, status.error_message());
      warned = true;
    }
    ++target;
    if (!Sleep(backoff.Next())) return;
  }
}

void MetadataFollower::MemberLoop() {
  bool warned = false;
  do {
    eddy::v1::GetClusterStatusResponse response;
    absl::Status status =
        status_calls_.Call([&](grpc::Channel& channel, grpc::ClientContext& context) {
          return eddy::v1::Controller::Stub(channel.shared_from_this())
              .GetClusterStatus(&context, eddy::v1::GetClusterStatusRequest(), &response);
        });
    if (status.ok()) {
      warned = false;
      Publish([&](ClusterView& view) { view.SetMembers(response); });
    } else if (!warned) {
      spdlog::warn("cluster status poll failed: {}", status.ToString());
      warned = true;
    }
  } while (Sleep(options_.member_poll_interval));
}

}  // namespace eddy::gateway

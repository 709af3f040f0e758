#include "services/runtime/member_agent.h"

#include <random>

#include "libs/common/backoff.h"
#include "libs/common/uuid.h"
#include "libs/rpc/retry.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::runtime {
namespace {

rpc::RetryPolicy ControllerRetryPolicy(size_t controllers) {
  rpc::RetryPolicy policy;
  // One pass over the controllers per attempt of the agent loop; the loop itself backs off.
  policy.max_attempts = static_cast<int>(controllers) + 1;
  policy.backoff.initial = absl::Milliseconds(50);
  policy.backoff.max = absl::Milliseconds(500);
  return policy;
}

}  // namespace

MemberAgent::MemberAgent(MemberAgentOptions options, rpc::ChannelCache& channels,
                         metrics::Registry& metrics)
    : options_(std::move(options)),
      incarnation_id_(common::Uuid::Random().ToString()),
      controllers_(channels, options_.controllers, ControllerRetryPolicy(options_.controllers.size()),
                   options_.call_timeout),
      registrations_(metrics
                         .AddCounter(options_.metric_prefix + "_membership_registrations_total",
                                     "Successful registrations with the controller.")
                         .Get()),
      heartbeats_(metrics
                      .AddCounter(options_.metric_prefix + "_membership_heartbeats_total",
                                  "Heartbeats the controller accepted.")
                      .Get()),
      heartbeat_failures_(metrics
                              .AddCounter(options_.metric_prefix +
                                              "_membership_heartbeat_failures_total",
                                          "Heartbeats that failed or were refused.")
                              .Get()) {
  metrics.AddGaugeCallback(options_.metric_prefix + "_membership_registered",
                           "1 while registered with the controller, else 0.",
                           [this] { return registered_.load() ? 1.0 : 0.0; });
}

MemberAgent::~MemberAgent() { Stop(); }

void MemberAgent::Start(std::function<void()> on_registered) {
  on_registered_ = std::move(on_registered);
  thread_ = std::thread([this] { Run(); });
}

void MemberAgent::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (registered_.load()) {
    bool reregister = false;
    absl::Status status = Heartbeat(/*shutting_down=*/true, &reregister);
    if (!status.ok()) spdlog::warn("controlled shutdown heartbeat failed: {}", status.ToString());
    registered_ = false;
  }
}

bool MemberAgent::WaitFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stopping), d);
  return !stopping_;
}

void MemberAgent::Run() {
  common::Backoff backoff(common::BackoffPolicy{.initial = absl::Milliseconds(100),
                                                .max = absl::Seconds(2)},
                          std::random_device{}());
  bool warned = false;
  for (;;) {
    if (!registered_.load()) {
      absl::Status status = Register();
      if (!status.ok()) {
        if (!warned) spdlog::warn("registration with controller failed: {}", status.ToString());
        warned = true;
        if (!WaitFor(backoff.Next())) return;
        continue;
      }
      warned = false;
      backoff.Reset();
      registered_ = true;
      registrations_.Inc();
      spdlog::info("registered with controller member_epoch={} heartbeat_interval_ms={}",
                   member_epoch_.load(), absl::ToInt64Milliseconds(heartbeat_interval_));
      if (on_registered_) on_registered_();
    }
    if (!WaitFor(heartbeat_interval_)) return;
    bool reregister = false;
    absl::Status status = Heartbeat(/*shutting_down=*/false, &reregister);
    if (!status.ok()) {
      heartbeat_failures_.Inc();
      spdlog::warn("heartbeat failed: {}", status.ToString());
      continue;
    }
    if (reregister) {
      heartbeat_failures_.Inc();
      spdlog::warn("controller no longer knows member_epoch={}; registering again",
                   member_epoch_.load());
      registered_ = false;
      continue;
    }
    heartbeats_.Inc();
  }
}

absl::Status MemberAgent::Register() {
  eddy::v1::RegisterMemberRequest request;
  request.set_role(options_.role);
  request.set_member_id(options_.member_id);
  request.set_incarnation_id(incarnation_id_);
  request.set_rack(options_.rack);
  request.set_version(options_.version);
  request.set_previous_member_epoch(options_.previous_member_epoch);
  for (const auto& endpoint : options_.endpoints) *request.add_endpoints() = endpoint;
  eddy::v1::RegisterMemberResponse response;
  absl::Status status =
      controllers_.Call([&](grpc::Channel& channel, grpc::ClientContext& context) {
        return eddy::v1::Controller::Stub(channel.shared_from_this())
            .RegisterMember(&context, request, &response);
      });
  if (!status.ok()) return status;
  member_epoch_ = response.member_epoch();
  heartbeat_interval_ = absl::Milliseconds(std::max<int64_t>(response.heartbeat_interval_ms(), 10));
  return absl::OkStatus();
}

absl::Status MemberAgent::Heartbeat(bool shutting_down, bool* reregister) {
  eddy::v1::HeartbeatRequest request;
  request.set_role(options_.role);
  request.set_member_id(options_.member_id);
  request.set_member_epoch(member_epoch_.load());
  request.set_shutting_down(shutting_down);
  eddy::v1::HeartbeatResponse response;
  absl::Status status =
      controllers_.Call([&](grpc::Channel& channel, grpc::ClientContext& context) {
        return eddy::v1::Controller::Stub(channel.shared_from_this())
            .Heartbeat(&context, request, &response);
      });
  if (!status.ok()) return status;
  *reregister = response.reregister();
  return absl::OkStatus();
}

}  // namespace eddy::runtime

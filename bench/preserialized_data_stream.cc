#include "bench/preserialized_data_stream.h"

#include <utility>
#include <vector>

#include "grpcpp/support/proto_buffer_reader.h"

namespace eddy::bench {
namespace {

std::shared_ptr<grpc::Channel> OwnConnection(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

grpc::Slice PreserializedDataStream::Body(const eddy::v1::DataRequest& request) {
  eddy::v1::DataRequest body = request;
  body.clear_id();
  return grpc::Slice(body.SerializeAsString());
}

PreserializedDataStream::PreserializedDataStream(const std::string& target)
    : channel_(OwnConnection(target)), stub_(channel_) {
  stub_.PrepareBidiStreamingCall(&context_, "/eddy.v1.Broker/Data", grpc::StubOptions(), this);
  StartRead(&response_);
  StartCall();
}

PreserializedDataStream::~PreserializedDataStream() {
  context_.TryCancel();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&done_));
}

void PreserializedDataStream::Send(const grpc::Slice& body, Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (!ended_) {
      const uint64_t id = next_id_++;
      eddy::v1::DataRequest header;
      header.set_id(id);
      std::vector<grpc::Slice> slices{grpc::Slice(header.SerializeAsString()), body};
      writes_.emplace_back(slices.data(), slices.size());
      pending_.emplace(id, std::move(done));
      StartNextWriteLocked();
      return;
    }
  }
  done(absl::UnavailableError("Data stream ended"));
}

void PreserializedDataStream::StartNextWriteLocked() {
  if (writing_ || writes_.empty() || ended_) return;
  writing_ = true;
  StartWrite(&writes_.front());
}

void PreserializedDataStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writes_.pop_front();
  writing_ = false;
  if (!ok) {
    ended_ = true;
    return;
  }
  StartNextWriteLocked();
}

void PreserializedDataStream::OnReadDone(bool ok) {
  if (!ok) {
    {
      absl::MutexLock lock(&mu_);
      ended_ = true;
    }
    FailAll(absl::UnavailableError("Data stream ended"));
    return;
  }
  absl::StatusOr<eddy::v1::DataResponse> response = eddy::v1::DataResponse();
  grpc::ProtoBufferReader reader(&response_);
  if (!response->ParseFromZeroCopyStream(&reader)) {
    response = absl::DataLossError("unparsable DataResponse");
  }
  Done done;
  {
    absl::MutexLock lock(&mu_);
    auto it = response.ok() ? pending_.find(response->id()) : pending_.end();
    if (it != pending_.end()) {
      done = std::move(it->second);
      pending_.erase(it);
    }
  }
  response_.Clear();
  StartRead(&response_);
  if (done) done(std::move(response));
}

void PreserializedDataStream::OnDone(const grpc::Status& status) {
  FailAll(absl::UnavailableError(status.error_message()));
  absl::MutexLock lock(&mu_);
  ended_ = true;
  done_ = true;
}

void PreserializedDataStream::FailAll(const absl::Status& status) {
  std::map<uint64_t, Done> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(pending_);
  }
  for (auto& [id, done] : pending) done(status);
}

}  // namespace eddy::bench

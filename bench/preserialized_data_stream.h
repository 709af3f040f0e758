// PreserializedDataStream is the broker bench's load generator for one Data stream: it sends the
// same serialized request body many times without copying or re-serializing it. Each request on
// the wire is two slices: a DataRequest holding only the id, then the shared body (a DataRequest
// holding only the produce part), both serialized by protobuf; a parser merges concatenated
// messages, so the broker reads one DataRequest. Writes are pipelined through gRPC's callback API
// (no thread blocks per write), answers are matched by id.
// Thread-safety: Send is thread-safe; callbacks run on gRPC's threads.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/broker.pb.h"

namespace eddy::bench {

class PreserializedDataStream
    : private grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  using Done = std::function<void(absl::StatusOr<eddy::v1::DataResponse>)>;

  // Body serializes `request` (its id is ignored) once, for any number of Sends.
  static grpc::Slice Body(const eddy::v1::DataRequest& request);

  // Opens the stream to `target` ("host:port") on a connection of its own.
  explicit PreserializedDataStream(const std::string& target);
  // Cancels the stream, fails what is still pending and waits for gRPC to let go of it.
  ~PreserializedDataStream() override;

  PreserializedDataStream(const PreserializedDataStream&) = delete;
  PreserializedDataStream& operator=(const PreserializedDataStream&) = delete;

  // Send queues one request with `body` (from Body()); `done` gets its answer, or Unavailable if
  // the stream ends first.
  void Send(const grpc::Slice& body, Done done);

 private:
  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

  // StartNextWriteLocked starts the queued write at the front if none is in progress.
  void StartNextWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // FailAll answers every pending request with `status`.
  void FailAll(const absl::Status& status);

  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::ByteBuffer response_;

  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<grpc::ByteBuffer> writes_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, Done> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::bench

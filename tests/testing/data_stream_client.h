// DataStreamClient is a test client for the broker's Data stream (proto/eddy/v1/broker.proto): one
// long-lived bidirectional stream to one broker, many requests in flight, answers matched by id,
// as the gateway uses it. Also a few helpers the broker tests share: reading the controller's
// metadata snapshot (who leads a partition), creating a topic, and building Kafka record batches.
// Thread-safety: Send/Call are thread-safe.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/broker.grpc.pb.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::testing {

class DataStreamClient {
 public:
  // Connect opens the stream to `target` ("host:port").
  explicit DataStreamClient(const std::string& target);
  // Cancels the stream and fails what is still pending.
  ~DataStreamClient();

  DataStreamClient(const DataStreamClient&) = delete;
  DataStreamClient& operator=(const DataStreamClient&) = delete;

  // Send assigns the request an id and returns the future answer (Unavailable if the stream ends
  // first).
  std::future<absl::StatusOr<eddy::v1::DataResponse>> Send(eddy::v1::DataRequest request);
  // Call is Send, waiting at most `timeout` (DeadlineExceeded past it).
  absl::StatusOr<eddy::v1::DataResponse> Call(eddy::v1::DataRequest request,
                                              absl::Duration timeout = absl::Seconds(20));
  // broken: the stream ended; make a new client.
  bool broken() const;

 private:
  void ReadLoop();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<eddy::v1::Broker::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<eddy::v1::DataRequest, eddy::v1::DataResponse>> stream_;
  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, std::promise<absl::StatusOr<eddy::v1::DataResponse>>> pending_ ABSL_GUARDED_BY(mu_);
  absl::Mutex write_mu_;
  std::thread reader_;
};

// MetadataSnapshot reads the first WatchMetadata message (the snapshot) from `controller`.
absl::StatusOr<eddy::v1::MetadataDelta> MetadataSnapshot(const std::string& controller);

// PartitionLeader returns the broker id leading topic/partition in the controller's snapshot
// (-1 when offline), with its leader epoch and ISR.
struct PartitionState {
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> isr;
};
absl::StatusOr<PartitionState> GetPartitionState(const std::string& controller,
                                                 const std::string& topic, int32_t partition);

// CreateTopic creates a topic through the controller (following a leader hint), with `configs`.
absl::Status CreateTopic(const std::string& controller, const std::string& topic,
                         int32_t partitions, int32_t replication_factor,
                         const std::map<std::string, std::string>& configs = {});

// BatchOptions describe a test record batch.
struct TestBatch {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int64_t timestamp_ms = 0;  // 0: now
  // Records as (key, value).
  std::vector<std::pair<std::string, std::string>> records;
};
std::string BuildBatch(const TestBatch& batch);

// ProduceRequest builds a DataRequest producing `records` to topic/partition.
eddy::v1::DataRequest ProduceRequest(const std::string& topic, int32_t partition,
                                     std::string records, int acks, int timeout_ms = 10000);
// FetchRequest builds a consumer fetch of one partition.
eddy::v1::DataRequest FetchRequest(const std::string& topic, int32_t partition, int64_t offset,
                                   int max_wait_ms = 0, int max_bytes = 1 << 20);

// DecodedRecord is one record read back.
struct DecodedRecord {
  int64_t offset = 0;
  std::string key;
  std::string value;
};
// DecodeRecords returns every record in a RECORDS blob (whole batches only).
absl::StatusOr<std::vector<DecodedRecord>> DecodeRecords(const std::string& records);

}  // namespace eddy::testing

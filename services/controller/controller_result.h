// Shared shapes of the controller's commands. A command is a pure function of the current
// MetadataImage and a request: it returns the records to append to the metadata log and the
// per-item results (Kafka error codes with messages, which are response data per STYLE.md).
// Applying the records, in order, to the image the command read yields the state the results
// describe.
//
// REQUIRES (for the driver): commands run one at a time against an image that already reflects
// every record proposed before them, including uncommitted ones (KRaft's timeline snapshots), or
// two commands could, say, both create the same topic.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/metadata.pb.h"

namespace eddy::controller {

// ApiError is a Kafka error code with its message (Kafka's ApiError). An empty message means the
// code's default message from libs/kafka/error_codes.h.
struct ApiError {
  kafka::ErrorCode code = kafka::ErrorCode::kNone;
  std::string message;

  ApiError() = default;
  ApiError(kafka::ErrorCode c, std::string m = "") : code(c), message(std::move(m)) {
    if (message.empty() && code != kafka::ErrorCode::kNone) {
      if (const kafka::ErrorInfo* info = kafka::FindError(kafka::ToInt(code))) {
        message = std::string(info->message);
      }
    }
  }
  bool ok() const { return code == kafka::ErrorCode::kNone; }
  int16_t code_value() const { return kafka::ToInt(code); }
};

template <typename T>
struct ControllerResult {
  std::vector<eddy::v1::MetadataRecord> records;
  T response;
};

// ControllerOptions are the controller's static settings that commands read.
struct ControllerOptions {
  // Partitions of a topic created with num_partitions = -1 (Kafka's num.partitions; default 1).
  int32_t default_num_partitions = 1;
  // Replication factor of a topic created with replication_factor = -1 (Kafka's
  // default.replication.factor; default 1).
  int32_t default_replication_factor = 1;
  // Partitions one topic may have. Kafka sets no limit, but a request for 2^31 partitions must
  // be refused rather than exhaust the controller's memory (Eddy's bound, INVALID_PARTITIONS).
  int32_t max_partitions_per_topic = 100000;
  // Producer ids per AllocateProducerIds block (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE).
  int64_t producer_id_block_size = 1000;
  // __consumer_offsets (offsets_topic.h): Kafka's offsets.topic.num.partitions,
  // offsets.topic.replication.factor and offsets.topic.segment.bytes.
  int32_t offsets_topic_num_partitions = 50;
  int32_t offsets_topic_replication_factor = 3;
  int32_t offsets_topic_segment_bytes = 100 * 1024 * 1024;
};

}  // namespace eddy::controller

#include "services/controller/offsets_topic.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/controller/topic_commands.h"

namespace eddy::controller {

int32_t GroupCoordinatorShards(const MetadataImage& image) {
  const TopicState* topic = image.FindTopicByName(kOffsetsTopic);
  return topic == nullptr ? 0 : static_cast<int32_t>(topic->partitions.size());
}

ControllerResult<ApiError> CreateOffsetsTopic(const MetadataImage& image,
                                              const ControllerOptions& options,
                                              std::mt19937_64& random) {
  ControllerResult<ApiError> result;
  if (image.FindTopicByName(kOffsetsTopic) != nullptr) return result;
  const size_t usable = image.UsableBrokers().size();
  if (usable < static_cast<size_t>(options.offsets_topic_replication_factor)) {
    result.response = ApiError(
        kafka::ErrorCode::kCoordinatorNotAvailable,
        absl::StrCat("creating ", kOffsetsTopic, " waits for ",
                     options.offsets_topic_replication_factor,
                     " usable brokers (offsets.topic.replication.factor); ", usable, " now"));
    return result;
  }
  eddy::v1::CreateTopicsRequest request;
  eddy::v1::CreatableTopic* topic = request.add_topics();
  topic->set_name(kOffsetsTopic);
  topic->set_num_partitions(options.offsets_topic_num_partitions);
  topic->set_replication_factor(options.offsets_topic_replication_factor);
  (*topic->mutable_configs())["cleanup.policy"] = "compact";
  (*topic->mutable_configs())["compression.type"] = "producer";
  (*topic->mutable_configs())["segment.bytes"] = absl::StrCat(options.offsets_topic_segment_bytes);
  ControllerResult<eddy::v1::CreateTopicsResponse> created =
      CreateTopics(image, options, request, random);
  const eddy::v1::TopicResult& outcome = created.response.results(0);
  if (outcome.error_code() != 0) {
    result.response =
        ApiError(static_cast<kafka::ErrorCode>(outcome.error_code()), outcome.error_message());
    return result;
  }
  result.records = std::move(created.records);
  return result;
}

}  // namespace eddy::controller

// OffsetFetch (key 9), forwarded to the coordinators of the groups asked for. v0-v7 ask for one
// group (v2+: null topics = every committed partition); v8+ for several groups, which may live on
// different coordinators: the gateway sends one call per coordinator and answers in request order.
// A group that cannot be routed, or whose coordinator answers a group error (NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS), carries that error (in every partition before v2, as Kafka).
#include <map>

#include "libs/kafka/messages/offset_fetch.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {
namespace {

using Response = kafka::OffsetFetchResponse;

// TopicsOf turns the coordinator's partitions into response topics: in the order of `requested`
// when the client named partitions, else grouped by topic in the coordinator's order.
// `group_error` (non-zero) fills the requested partitions instead (v0/v1 per-partition errors).
template <typename OutTopic, typename RequestTopic>
std::vector<OutTopic> TopicsOf(const std::optional<std::vector<RequestTopic>>& requested,
                               const google::protobuf::RepeatedPtrField<
                                   eddy::v1::OffsetFetchPartition>& answered,
                               int16_t group_error) {
  using OutPartition = typename decltype(OutTopic::partitions)::value_type;
  auto partition_of = [](const eddy::v1::OffsetFetchPartition& p) {
    OutPartition out;
    out.partition_index = p.partition().partition();
    out.committed_offset = p.committed_offset();
    out.committed_leader_epoch = p.committed_leader_epoch();
    out.metadata = p.metadata();
    out.error_code = static_cast<int16_t>(p.error_code());
    return out;
  };
  std::vector<OutTopic> topics;
  if (!requested.has_value()) {
    std::map<std::string, size_t> index;
    for (const auto& p : answered) {
      auto [it, added] = index.emplace(p.partition().topic(), topics.size());
      if (added) topics.push_back(OutTopic{.name = p.partition().topic(), .partitions = {}});
      topics[it->second].partitions.push_back(partition_of(p));
    }
    return topics;
  }
  std::map<std::pair<std::string, int32_t>, const eddy::v1::OffsetFetchPartition*> by_partition;
  for (const auto& p : answered) by_partition[{p.partition().topic(), p.partition().partition()}] = &p;
  for (const RequestTopic& topic : *requested) {
    OutTopic out{.name = topic.name, .partitions = {}};
    for (int32_t index : topic.partition_indexes) {
      auto it = by_partition.find({topic.name, index});
      if (group_error == 0 && it != by_partition.end()) {
        out.partitions.push_back(partition_of(*it->second));
        continue;
      }
      OutPartition missing;
      missing.partition_index = index;
      missing.committed_offset = -1;
      missing.metadata = "";
      missing.error_code = group_error != 0 ? group_error
                                            : kafka::ToInt(kafka::ErrorCode::kUnknownServerError);
      out.partitions.push_back(std::move(missing));
    }
    topics.push_back(std::move(out));
  }
  return topics;
}

template <typename RequestTopic>
void AddPartitions(const std::optional<std::vector<RequestTopic>>& topics,
                   google::protobuf::RepeatedPtrField<eddy::v1::TopicPartition>* out) {
  if (!topics.has_value()) return;
  for (const RequestTopic& topic : *topics) {
    for (int32_t index : topic.partition_indexes) {
      eddy::v1::TopicPartition* p = out->Add();
      p->set_topic(topic.name);
      p->set_partition(index);
    }
  }
}

template <typename RequestTopic>
bool NamesNoPartition(const std::optional<std::vector<RequestTopic>>& topics) {
  if (!topics.has_value()) return false;
  for (const RequestTopic& topic : *topics) {
    if (!topic.partition_indexes.empty()) return false;
  }
  return true;
}

void FetchOneGroup(GatewayContext& context, kafka::OffsetFetchRequest request,
                   const Responder& responder) {
  const int16_t version = responder.version();
  auto requested = std::make_shared<decltype(request.topics)>(std::move(request.topics));
  auto finish = [responder, version, requested](int16_t error,
                                                eddy::v1::OffsetFetchResponse answer) {
    const int16_t group_error = error != 0 ? error : static_cast<int16_t>(answer.error_code());
    Response response;
    response.topics =
        TopicsOf<Response::OffsetFetchResponseTopic>(*requested, answer.partitions(), group_error);
    if (version >= 2) {
      // v2+ carry a group error at the top, without partitions.
      response.error_code = group_error;
      if (group_error != 0) response.topics.clear();
    }
    responder.Error(group_error);
    for (const auto& topic : response.topics) {
      for (const auto& p : topic.partitions) {
        if (p.error_code != group_error) responder.Error(p.error_code);
      }
    }
    responder.Respond(response);
  };
  // An empty (non-null) list asks for nothing: Kafka answers without looking at the group.
  if (NamesNoPartition(*requested)) {
    finish(0, eddy::v1::OffsetFetchResponse{});
    return;
  }
  eddy::v1::OffsetFetchRequest call;
  call.set_group_id(request.group_id);
  call.set_require_stable(request.require_stable);
  AddPartitions(*requested, call.mutable_partitions());
  ForwardToGroupCoordinator<eddy::v1::OffsetFetchRequest, eddy::v1::OffsetFetchResponse>(
      context, request.group_id, &CoordinatorCalls::Stub::async_interface::OffsetFetch,
      std::move(call), context.InternalTimeout(), std::move(finish));
}

void FetchGroups(GatewayContext& context, kafka::OffsetFetchRequest request,
                 const Responder& responder) {
  using Group = Response::OffsetFetchResponseGroup;
  auto groups = std::make_shared<std::vector<kafka::OffsetFetchRequest::OffsetFetchRequestGroup>>(
      std::move(request.groups));
  std::vector<std::string> ids;
  for (const auto& group : *groups) ids.push_back(group.group_id);
  GroupBatches batches = BatchGroupsByCoordinator(context, ids);
  auto results = std::make_shared<OrderedResults<Group>>(
      groups->size(), static_cast<int>(batches.batches.size()) + 1,
      [responder](std::vector<Group> slots) {
        Response response;
        for (const Group& group : slots) {
          responder.Error(group.error_code);
          for (const auto& topic : group.topics) {
            for (const auto& p : topic.partitions) responder.Error(p.error_code);
          }
        }
        response.groups = std::move(slots);
        responder.Respond(response);
      });
  // A group's answer: the coordinator's partitions or its group error.
  auto group_answer = [groups](size_t index, int16_t error,
                               const google::protobuf::RepeatedPtrField<
                                   eddy::v1::OffsetFetchPartition>& partitions) {
    const auto& asked = (*groups)[index];
    Group out;
    out.group_id = asked.group_id;
    out.error_code = error;
    if (error == 0) {
      out.topics = TopicsOf<Response::OffsetFetchResponseTopics>(asked.topics, partitions, 0);
    }
    return out;
  };
  for (const auto& [index, error] : batches.unroutable) {
    results->Set(index, group_answer(index, error, {}));
  }
  for (GroupBatch& batch : batches.batches) {
    eddy::v1::OffsetFetchRequest call;
    call.set_require_stable(request.require_stable);
    for (size_t index : batch.indexes) {
      eddy::v1::OffsetFetchGroup* g = call.add_groups();
      g->set_group_id((*groups)[index].group_id);
      AddPartitions((*groups)[index].topics, g->mutable_partitions());
    }
    context.coordinators->Call<eddy::v1::OffsetFetchRequest, eddy::v1::OffsetFetchResponse>(
        batch.target, &CoordinatorCalls::Stub::async_interface::OffsetFetch, std::move(call),
        context.InternalTimeout(),
        [results, group_answer, indexes = batch.indexes](absl::Status status,
                                                         eddy::v1::OffsetFetchResponse answer) {
          for (size_t i = 0; i < indexes.size(); ++i) {
            if (!status.ok() || static_cast<int>(i) >= answer.groups_size()) {
              const int16_t error =
                  GroupCallError(status.ok() ? absl::InternalError("short answer") : status);
              results->Set(indexes[i], group_answer(indexes[i], error, {}));
              continue;
            }
            const eddy::v1::OffsetFetchGroupResult& g = answer.groups(static_cast<int>(i));
            results->Set(indexes[i], group_answer(indexes[i], static_cast<int16_t>(g.error_code()),
                                                  g.partitions()));
          }
          results->Done();
        });
  }
  results->Done();
}

}  // namespace

absl::Status HandleOffsetFetch(GatewayContext& context, ClientInfo&,
                               const kafka::RequestHeader& header, kafka::Reader& body,
                               Responder responder) {
  absl::StatusOr<kafka::OffsetFetchRequest> request =
      DecodeBody<kafka::OffsetFetchRequest>(header, body);
  if (!request.ok()) return request.status();
  if (header.api_version >= 8) {
    FetchGroups(context, std::move(*request), responder);
  } else {
    FetchOneGroup(context, std::move(*request), responder);
  }
  return absl::OkStatus();
}

}  // namespace eddy::gateway

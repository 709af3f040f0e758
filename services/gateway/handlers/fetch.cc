// Fetch (key 1), consumer fetches only. Each leader broker gets one FetchRequest with the client's
// max_wait_ms and min_bytes, so every broker long-polls on its own and the gateway answers when all
// have (at most max_wait_ms plus a grace later). Record bytes come back untouched and go to the
// client straight from the brokers' answers (RespondSpliced), never copied into the frame. Fetch
// sessions (KIP-227) are not offered: the response's session id is 0, which tells clients to keep
// sending full fetches; an incremental fetch on a session id gets FETCH_SESSION_ID_NOT_FOUND.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/fetch.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;
using PartitionData = kafka::FetchResponse::PartitionData;

constexpr absl::Duration kBrokerGrace = absl::Seconds(5);

}  // namespace

absl::Status HandleFetch(GatewayContext& context, ClientInfo&, const kafka::RequestHeader& header,
                         kafka::Reader& body, Responder responder) {
  absl::StatusOr<kafka::FetchRequest> request = DecodeBody<kafka::FetchRequest>(header, body);
  if (!request.ok()) return request.status();
  kafka::FetchResponse response;
  if (request->session_id != 0) {
    response.error_code = ToInt(ErrorCode::kFetchSessionIdNotFound);
    responder.Error(response.error_code);
    responder.Respond(response);
    return absl::OkStatus();
  }
  struct Routed {
    PartitionData* out;
    int32_t broker;
  };
  std::map<PartitionKey, Routed> routed;
  std::map<int32_t, BrokerBatch> batches;
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  response.responses.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = response.responses.emplace_back();
    out_topic.topic = topic.topic;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      PartitionData& out = out_topic.partitions.emplace_back();
      out.partition_index = partition.partition;
      out.high_watermark = -1;
      LeaderRoute route = RouteToLeader(*view, topic.topic, partition.partition);
      if (route.error != 0) {
        out.error_code = route.error;
        continue;
      }
      if (!routed.emplace(PartitionKey(topic.topic, partition.partition),
                          Routed{&out, route.broker->id})
               .second) {
        out.error_code = ToInt(ErrorCode::kInvalidRequest);
        continue;
      }
      BrokerBatch& batch = batches[route.broker->id];
      if (batch.target.empty()) batch.target = route.broker->grpc_target;
      eddy::v1::FetchPartition* p = batch.request.mutable_fetch()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*route.topic, partition.partition);
      p->set_fetch_offset(partition.fetch_offset);
      p->set_current_leader_epoch(partition.current_leader_epoch);
      p->set_log_start_offset(partition.log_start_offset);
      p->set_partition_max_bytes(partition.partition_max_bytes);
    }
  }
  // The response-wide byte budget is shared out among the brokers (KIP-74 still lets each return
  // its first batch whole).
  const int32_t per_broker_max_bytes =
      batches.empty() ? request->max_bytes
                      : std::max<int32_t>(1, request->max_bytes / static_cast<int32_t>(batches.size()));
  for (auto& [broker, batch] : batches) {
    eddy::v1::FetchRequest* fetch = batch.request.mutable_fetch();
    fetch->set_max_wait_ms(request->max_wait_ms);
    fetch->set_min_bytes(request->min_bytes);
    fetch->set_max_bytes(per_broker_max_bytes);
    fetch->set_isolation_level(request->isolation_level);
    fetch->set_replica_id(-1);
    fetch->set_replica_epoch(-1);
  }
  const absl::Duration timeout =
      absl::Milliseconds(std::max(request->max_wait_ms, 0)) + kBrokerGrace;
  auto shared = std::make_shared<kafka::FetchResponse>(std::move(response));
  ScatterGather(
      *context.brokers, std::move(batches), timeout,
      [shared, routed = std::move(routed), responder](BrokerAnswers answers) mutable {
        for (auto& [broker, answer] : answers) {
          if (!answer.ok() || !answer->has_fetch()) continue;
          for (auto& r : *answer->mutable_fetch()->mutable_results()) {
            auto it = routed.find(PartitionKey(r.partition().topic(), r.partition().partition()));
            if (it == routed.end() || it->second.out == nullptr) continue;
            PartitionData& out = *it->second.out;
            out.error_code = static_cast<int16_t>(r.error_code());
            out.high_watermark = r.high_watermark();
            out.last_stable_offset = r.last_stable_offset();
            out.log_start_offset = r.log_start_offset();
            if (r.aborted_transactions_size() > 0) {
              out.aborted_transactions.emplace();
              for (const auto& a : r.aborted_transactions()) {
                out.aborted_transactions->push_back(
                    {.producer_id = a.producer_id(), .first_offset = a.first_offset()});
              }
            }
            out.records = std::move(*r.mutable_records());
            it->second.out = nullptr;
          }
        }
        for (auto& [key, slot] : routed) {
          if (slot.out == nullptr) continue;
          const absl::StatusOr<eddy::v1::DataResponse>& answer = answers.at(slot.broker);
          slot.out->error_code = answer.ok() ? ToInt(ErrorCode::kNotLeaderOrFollower)
                                             : DataPathErrorFor(answer.status());
        }
        for (const auto& topic : shared->responses) {
          for (const auto& p : topic.partitions) responder.Error(p.error_code);
        }
        responder.RespondSpliced(std::shared_ptr<const kafka::FetchResponse>(std::move(shared)));
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway

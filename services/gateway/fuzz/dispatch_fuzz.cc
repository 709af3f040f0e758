// libFuzzer target: one request frame payload (header + body) through the gateway's dispatch path —
// header rules, every handler's decoding, routing over a fixed cluster view, the broker answers
// (each broker answers with an empty response of the right kind, or fails), the merge, and the
// response encoding. Properties: no crash, leak or over-read (ASan/UBSan); a dispatched request is
// completed exactly once; a completed response is a whole frame whose correlation id is the
// request's.
#include <cstddef>
#include <cstdint>
#include <span>

#include "libs/kafka/headers.h"
#include "services/gateway/kafka_dispatcher.h"
#include "services/gateway/testing/fixed_cluster.h"

namespace {

using namespace eddy::gateway;

struct Fixture {
  Fixture() : view(testing::TwoGatewaysOneTopic()) {
    context.metadata = &view;
    context.brokers = &brokers;
    context.config.auto_create_topics_enable = true;
  }
  testing::FixedView view;
  testing::ScriptedBrokers brokers;
  GatewayContext context;
  KafkaDispatcher dispatcher{context};
};

// Answer gives every request the broker got an empty answer of its own kind, or a failure.
void Answer(testing::ScriptedBrokers& brokers, bool fail) {
  for (auto& sent : brokers.Take()) {
    if (fail) {
      sent.callback(absl::UnavailableError("fuzz"));
      continue;
    }
    eddy::v1::DataResponse answer;
    answer.set_id(sent.request.id());
    switch (sent.request.body_case()) {
      case eddy::v1::DataRequest::kProduce: answer.mutable_produce(); break;
      case eddy::v1::DataRequest::kFetch: answer.mutable_fetch(); break;
      case eddy::v1::DataRequest::kListOffsets: answer.mutable_list_offsets(); break;
      case eddy::v1::DataRequest::kDeleteRecords: answer.mutable_delete_records(); break;
      case eddy::v1::DataRequest::kOffsetForLeaderEpoch:
        answer.mutable_offset_for_leader_epoch();
        break;
      case eddy::v1::DataRequest::kDescribeLogDirs: answer.mutable_describe_log_dirs(); break;
      case eddy::v1::DataRequest::BODY_NOT_SET: break;
    }
    sent.callback(std::move(answer));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  ClientInfo client;
  int completions = 0;
  ResponseFrame result = std::optional<OutboundFrame>();
  absl::Status status = fixture->dispatcher.Dispatch(
      client, std::span<const uint8_t>(data, size), [&](ResponseFrame frame) {
        ++completions;
        result = std::move(frame);
      });
  Answer(fixture->brokers, size % 2 == 1);
  if (!status.ok()) {
    if (completions != 0) __builtin_trap();
    return 0;
  }
  if (completions != 1) __builtin_trap();
  if (result.ok() && result->has_value()) {
    const std::string frame = (*result)->Flatten();
    if (frame.size() < 8) __builtin_trap();
    const uint32_t length = (uint32_t{static_cast<uint8_t>(frame[0])} << 24) |
                            (uint32_t{static_cast<uint8_t>(frame[1])} << 16) |
                            (uint32_t{static_cast<uint8_t>(frame[2])} << 8) |
                            uint32_t{static_cast<uint8_t>(frame[3])};
    if (length != frame.size() - 4) __builtin_trap();
    eddy::kafka::Reader reader(data, size);
    absl::StatusOr<eddy::kafka::RequestHeader> header = eddy::kafka::DecodeRequestHeader(reader);
    if (!header.ok()) __builtin_trap();
    if (std::memcmp(frame.data() + 4, data + 4, 4) != 0) __builtin_trap();  // correlation id
  }
  return 0;
}

#include "bench/client_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "librdkafka/rdkafka.h"

namespace eddy::bench {
namespace {

constexpr int kConsumeBatch = 1024;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
using Client = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using Topic = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using Queue = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;

// Delivery is the producer's delivery-report state; librdkafka calls OnDelivery from poll/flush
// on the producing thread, so it needs no lock.
struct Delivery {
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
  int64_t last_ns = 0;
  std::vector<double> latencies_ms;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* delivery = static_cast<Delivery*>(opaque);
  const int64_t now = NowNs();
  delivery->last_ns = now;
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (delivery->failed++ == 0) delivery->first_error = rd_kafka_err2str(message->err);
    return;
  }
  ++delivery->delivered;
  const auto sent_ns = static_cast<int64_t>(reinterpret_cast<intptr_t>(message->_private));
  delivery->latencies_ms.push_back(static_cast<double>(now - sent_ns) / 1e6);
}

absl::StatusOr<Client> NewClient(rd_kafka_type_t type,
                                 const std::vector<std::pair<std::string, std::string>>& settings,
                                 Delivery* delivery) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat(key, "=", value, ": ", error));
    }
  }
  if (delivery != nullptr) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, delivery);
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof(error));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("rd_kafka_new: ", error));
  }
  return Client(rk);
}

absl::StatusOr<Client> NewProducer(const LoadOptions& options, Delivery* delivery) {
  return NewClient(RD_KAFKA_PRODUCER,
                   {{"bootstrap.servers", options.bootstrap},
                    {"client.id", "eddy-client-bench"},
                    {"acks", std::to_string(options.acks)},
                    {"queue.buffering.max.messages", std::to_string(options.queue_messages)}},
                   delivery);
}

absl::StatusOr<Client> NewConsumer(const LoadOptions& options) {
  return NewClient(RD_KAFKA_CONSUMER,
                   {{"bootstrap.servers", options.bootstrap},
                    {"client.id", "eddy-client-bench"},
                    {"enable.partition.eof", "false"}},
                   nullptr);
}

bool IsWarmUp(const char* value, size_t size) {
  int64_t sent_ns = 0;
  if (size >= sizeof(sent_ns)) std::memcpy(&sent_ns, value, sizeof(sent_ns));
  return sent_ns == 0;
}

void Percentiles(std::vector<double> latencies, LoadResult& result) {
  if (latencies.empty()) return;
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<size_t>(q * static_cast<double>(latencies.size())))];
  };
  result.p50_ms = at(0.50);
  result.p99_ms = at(0.99);
  result.p999_ms = at(0.999);
  result.max_ms = latencies.back();
}

void Throughput(LoadResult& result) {
  if (result.seconds <= 0) return;
  result.mb_per_s = static_cast<double>(result.bytes) / result.seconds / 1e6;
  result.msgs_per_s = static_cast<double>(result.messages) / result.seconds;
}

// Send produces options.count records or for options.seconds, round-robin over the partitions;
// each payload starts with its send time (steady clock, nanoseconds). Returns how many were sent.
absl::StatusOr<int64_t> Send(rd_kafka_t* rk, rd_kafka_topic_t* topic, const LoadOptions& options,
                             int64_t deadline_ns) {
  std::string payload(options.record_bytes, 'x');
  const int64_t start_ns = NowNs();
  int64_t sent = 0;
  auto more = [&] {
    return options.count > 0 ? sent < options.count
                             : NowNs() - start_ns < static_cast<int64_t>(options.seconds * 1e9);
  };
  while (more()) {
    if (options.rate > 0) {
      const int64_t due =
          start_ns + static_cast<int64_t>(static_cast<double>(sent) * 1e9 / options.rate);
      rd_kafka_poll(rk, 0);
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<int64_t>(0, due - NowNs())));
    }
    const int32_t partition = static_cast<int32_t>(sent % options.partitions);
    for (;;) {
      // The send time is taken when the queue accepts the record: time spent waiting for room in a
      // full queue is the closed loop's backpressure, not the record's latency.
      const int64_t t0 = NowNs();
      std::memcpy(payload.data(), &t0, sizeof(t0));
      if (rd_kafka_produce(topic, partition, RD_KAFKA_MSG_F_COPY, payload.data(), payload.size(),
                           nullptr, 0, reinterpret_cast<void*>(static_cast<intptr_t>(t0))) == 0) {
        break;
      }
      const rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return absl::InternalError(absl::StrCat("produce: ", rd_kafka_err2str(err)));
      }
      if (NowNs() > deadline_ns) return absl::DeadlineExceededError("produce: queue stayed full");
      rd_kafka_poll(rk, 1);
    }
    ++sent;
    if (sent % 256 == 0) rd_kafka_poll(rk, 0);
  }
  return sent;
}

absl::Status Flush(rd_kafka_t* rk, const Delivery& delivery, int64_t sent, int64_t deadline_ns) {
  const int remaining_ms = static_cast<int>(std::max<int64_t>(0, deadline_ns - NowNs()) / 1000000);
  rd_kafka_flush(rk, remaining_ms);
  if (delivery.failed > 0) {
    return absl::UnavailableError(
        absl::StrCat(delivery.failed, " of ", sent, " deliveries failed: ", delivery.first_error));
  }
  if (delivery.delivered != sent) {
    return absl::DeadlineExceededError(
        absl::StrCat(delivery.delivered, " of ", sent, " delivered before the time limit"));
  }
  return absl::OkStatus();
}

// WarmUp produces one record per partition whose payload (send time) is all zeros and waits for
// their delivery: connections and metadata are then in place, and consumers skip these records.
absl::Status WarmUp(rd_kafka_t* rk, rd_kafka_topic_t* topic, const Delivery& delivery,
                    const LoadOptions& options, int64_t deadline_ns) {
  std::string zero(options.record_bytes, '\0');
  for (int32_t p = 0; p < options.partitions; ++p) {
    if (rd_kafka_produce(topic, p, RD_KAFKA_MSG_F_COPY, zero.data(), zero.size(), nullptr, 0,
                         nullptr) != 0) {
      return absl::InternalError(
          absl::StrCat("produce: ", rd_kafka_err2str(rd_kafka_last_error())));
    }
  }
  return Flush(rk, delivery, options.partitions, deadline_ns);
}

// ConsumerSession is the simple consumer reading every partition of a topic into one queue.
class ConsumerSession {
 public:
  static absl::StatusOr<std::unique_ptr<ConsumerSession>> Start(const LoadOptions& options) {
    auto client = NewConsumer(options);
    if (!client.ok()) return client.status();
    auto session = std::unique_ptr<ConsumerSession>(new ConsumerSession(std::move(*client)));
    session->topic_.reset(
        rd_kafka_topic_new(session->client_.get(), options.topic.c_str(), nullptr));
    session->queue_.reset(rd_kafka_queue_new(session->client_.get()));
    for (int32_t p = 0; p < options.partitions; ++p) {
      if (rd_kafka_consume_start_queue(session->topic_.get(), p, RD_KAFKA_OFFSET_BEGINNING,
                                       session->queue_.get()) != 0) {
        return absl::InternalError(
            absl::StrCat("consume_start: ", rd_kafka_err2str(rd_kafka_last_error())));
      }
      session->started_ = p + 1;
    }
    return session;
  }

  ~ConsumerSession() {
    for (int32_t p = 0; p < started_; ++p) rd_kafka_consume_stop(topic_.get(), p);
  }

  // RetainedRecords is how many records the partitions hold (high minus low watermark). A log
  // that drops old records (librdkafka's mock keeps a few MB per partition) holds fewer than were
  // produced.
  absl::StatusOr<int64_t> RetainedRecords(const LoadOptions& options) {
    int64_t total = 0;
    for (int32_t p = 0; p < options.partitions; ++p) {
      int64_t low = 0;
      int64_t high = 0;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
          client_.get(), options.topic.c_str(), p, &low, &high, 10000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return absl::UnavailableError(absl::StrCat("watermarks: ", rd_kafka_err2str(err)));
      }
      total += high - low;
    }
    return total;
  }

  // Poll waits up to `timeout_ms` for a record, then hands it and every record already queued
  // behind it to `on_record`; consumer errors fail. (consume_batch_queue alone would hold records
  // until its batch is full or the timeout passes, which end-to-end latency would include.)
  template <typename OnRecord>
  absl::Status Poll(int timeout_ms, OnRecord&& on_record) {
    rd_kafka_message_t* messages[kConsumeBatch];
    messages[0] = rd_kafka_consume_queue(queue_.get(), timeout_ms);
    if (messages[0] == nullptr) return absl::OkStatus();
    const ssize_t n =
        1 + std::max<ssize_t>(
                0, rd_kafka_consume_batch_queue(queue_.get(), 0, messages + 1, kConsumeBatch - 1));
    absl::Status status;
    for (ssize_t i = 0; i < n; ++i) {
      if (messages[i]->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (status.ok()) {
          status = absl::UnavailableError(
              absl::StrCat("consume: ", rd_kafka_message_errstr(messages[i])));
        }
      } else {
        on_record(static_cast<const char*>(messages[i]->payload), messages[i]->len);
      }
      rd_kafka_message_destroy(messages[i]);
    }
    return status;
  }

 private:
  explicit ConsumerSession(Client client) : client_(std::move(client)) {}

  Client client_;
  Topic topic_;
  Queue queue_;
  int32_t started_ = 0;
};

}  // namespace

absl::StatusOr<LoadResult> Produce(const LoadOptions& options) {
  const int64_t deadline_ns = NowNs() + static_cast<int64_t>(options.timeout_seconds * 1e9);
  Delivery delivery;
  auto producer = NewProducer(options, &delivery);
  if (!producer.ok()) return producer.status();
  Topic topic(rd_kafka_topic_new(producer->get(), options.topic.c_str(), nullptr));
  // Warm-up: one record per partition, so connections and metadata are in place before timing.
  if (absl::Status s = WarmUp(producer->get(), topic.get(), delivery, options, deadline_ns);
      !s.ok()) {
    return s;
  }
  delivery = Delivery();
  const int64_t start_ns = NowNs();
  auto sent = Send(producer->get(), topic.get(), options, deadline_ns);
  if (!sent.ok()) return sent.status();
  if (absl::Status s = Flush(producer->get(), delivery, *sent, deadline_ns); !s.ok()) return s;
  LoadResult result;
  result.messages = *sent;
  result.bytes = *sent * options.record_bytes;
  result.seconds = static_cast<double>(delivery.last_ns - start_ns) / 1e9;
  Throughput(result);
  Percentiles(std::move(delivery.latencies_ms), result);
  return result;
}

absl::StatusOr<LoadResult> Consume(const LoadOptions& options) {
  const int64_t deadline_ns = NowNs() + static_cast<int64_t>(options.timeout_seconds * 1e9);
  auto session = ConsumerSession::Start(options);
  if (!session.ok()) return session.status();
  auto retained = (*session)->RetainedRecords(options);
  if (!retained.ok()) return retained.status();
  LoadResult result;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  int64_t seen = 0;
  while (seen < *retained) {
    if (NowNs() > deadline_ns) {
      return absl::DeadlineExceededError(
          absl::StrCat("consumed ", seen, " of ", *retained, " records in time"));
    }
    absl::Status polled = (*session)->Poll(100, [&](const char* value, size_t size) {
      ++seen;
      if (IsWarmUp(value, size)) return;
      last_ns = NowNs();
      if (first_ns == 0) first_ns = last_ns;
      ++result.messages;
      result.bytes += static_cast<int64_t>(size);
    });
    if (!polled.ok()) return polled;
  }
  result.seconds = static_cast<double>(last_ns - first_ns) / 1e9;
  Throughput(result);
  return result;
}

absl::StatusOr<LoadResult> EndToEnd(const LoadOptions& options) {
  const int64_t deadline_ns = NowNs() + static_cast<int64_t>(options.timeout_seconds * 1e9);
  auto session = ConsumerSession::Start(options);
  if (!session.ok()) return session.status();
  Delivery delivery;
  auto producer = NewProducer(options, &delivery);
  if (!producer.ok()) return producer.status();
  Topic topic(rd_kafka_topic_new(producer->get(), options.topic.c_str(), nullptr));

  // The warm-up records are counted, not measured: measuring starts once every partition's
  // consumer has its position and has delivered one.
  std::atomic<int64_t> warmed{0};
  std::atomic<int64_t> measured{0};
  std::atomic<int64_t> target{-1};
  std::vector<double> latencies;
  absl::Status consumer_status;
  std::thread consumer([&] {
    while (target.load() < 0 || measured.load() < target.load()) {
      if (NowNs() > deadline_ns) {
        consumer_status = absl::DeadlineExceededError(
            absl::StrCat("consumed ", measured.load(), " of ", target.load(), " records in time"));
        return;
      }
      absl::Status polled = (*session)->Poll(100, [&](const char* value, size_t size) {
        if (IsWarmUp(value, size)) {
          warmed.fetch_add(1);
          return;
        }
        int64_t sent_ns = 0;
        std::memcpy(&sent_ns, value, sizeof(sent_ns));
        latencies.push_back(static_cast<double>(NowNs() - sent_ns) / 1e6);
        measured.fetch_add(1);
      });
      if (!polled.ok()) {
        consumer_status = polled;
        return;
      }
    }
  });
  auto finish = [&](absl::Status status) {
    if (!status.ok()) target.store(0);
    consumer.join();
    return status.ok() ? consumer_status : status;
  };

  if (absl::Status s = WarmUp(producer->get(), topic.get(), delivery, options, deadline_ns);
      !s.ok()) {
    return finish(s);
  }
  while (warmed.load() < options.partitions) {
    if (NowNs() > deadline_ns) return finish(absl::DeadlineExceededError("warm-up not consumed"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  delivery = Delivery();
  const int64_t start_ns = NowNs();
  auto sent = Send(producer->get(), topic.get(), options, deadline_ns);
  if (!sent.ok()) return finish(sent.status());
  const double produce_seconds = static_cast<double>(NowNs() - start_ns) / 1e9;
  if (absl::Status s = Flush(producer->get(), delivery, *sent, deadline_ns); !s.ok()) {
    return finish(s);
  }
  target.store(*sent);
  if (absl::Status s = finish(absl::OkStatus()); !s.ok()) return s;
  LoadResult result;
  result.messages = *sent;
  result.bytes = *sent * options.record_bytes;
  result.seconds = produce_seconds;
  Throughput(result);
  Percentiles(std::move(latencies), result);
  return result;
}

}  // namespace eddy::bench

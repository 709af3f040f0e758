#include "services/coordinator/coordinator_service.h"

#include <atomic>
#include <memory>

#include "services/coordinator/internal/responses.h"

namespace eddy::coordinator {
namespace {

using internal::Code;
using kafka::ErrorCode;

// Gather finishes `reactor` once `count` parts reported (count 0 finishes at once).
struct Gather {
  explicit Gather(int count, grpc::ServerUnaryReactor* r) : left(count + 1), reactor(r) {}
  void Done() {
    if (left.fetch_sub(1) == 1) reactor->Finish(grpc::Status::OK);
  }
  std::atomic<int> left;
  grpc::ServerUnaryReactor* reactor;
};

}  // namespace

grpc::ServerUnaryReactor* CoordinatorService::JoinGroup(grpc::CallbackServerContext* context,
                                                        const eddy::v1::JoinGroupRequest* request,
                                                        eddy::v1::JoinGroupResponse* response) {
  auto* reactor = context->DefaultReactor();
  shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
    auto finish = [reactor, response](eddy::v1::JoinGroupResponse r) {
      *response = std::move(r);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) return finish(internal::JoinError(request->member_id(), error));
    c->JoinGroup(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::SyncGroup(grpc::CallbackServerContext* context,
                                                        const eddy::v1::SyncGroupRequest* request,
                                                        eddy::v1::SyncGroupResponse* response) {
  auto* reactor = context->DefaultReactor();
  shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
    auto finish = [reactor, response](eddy::v1::SyncGroupResponse r) {
      *response = std::move(r);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) return finish(internal::SyncError(error));
    c->SyncGroup(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::Heartbeat(
    grpc::CallbackServerContext* context, const eddy::v1::GroupHeartbeatRequest* request,
    eddy::v1::GroupHeartbeatResponse* response) {
  auto* reactor = context->DefaultReactor();
  shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
    auto finish = [reactor, response](eddy::v1::GroupHeartbeatResponse r) {
      *response = std::move(r);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) {
      eddy::v1::GroupHeartbeatResponse r;
      r.set_error_code(Code(error));
      return finish(std::move(r));
    }
    c->Heartbeat(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::LeaveGroup(grpc::CallbackServerContext* context,
                                                         const eddy::v1::LeaveGroupRequest* request,
                                                         eddy::v1::LeaveGroupResponse* response) {
  auto* reactor = context->DefaultReactor();
  shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
    auto finish = [reactor, response](eddy::v1::LeaveGroupResponse r) {
      *response = std::move(r);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) {
      eddy::v1::LeaveGroupResponse r;
      r.set_error_code(Code(error));
      for (int i = 0; i < request->members_size(); ++i) r.add_member_error_codes(Code(error));
      return finish(std::move(r));
    }
    c->LeaveGroup(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::OffsetCommit(
    grpc::CallbackServerContext* context, const eddy::v1::OffsetCommitRequest* request,
    eddy::v1::OffsetCommitResponse* response) {
  auto* reactor = context->DefaultReactor();
  const absl::Time start = absl::Now();
  shards_.WithGroup(request->group_id(), [=, this](GroupCoordinator* c, ErrorCode error) {
    auto finish = [this, reactor, response, start](eddy::v1::OffsetCommitResponse r) {
      *response = std::move(r);
      if (GroupMetrics* metrics = metrics_.load()) metrics->CommitLatency(absl::Now() - start);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) {
      eddy::v1::OffsetCommitResponse r;
      for (const auto& p : request->partitions()) {
        auto* result = r.add_results();
        *result->mutable_partition() = p.partition();
        result->set_error_code(Code(error));
      }
      return finish(std::move(r));
    }
    c->OffsetCommit(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::OffsetFetch(
    grpc::CallbackServerContext* context, const eddy::v1::OffsetFetchRequest* request,
    eddy::v1::OffsetFetchResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (request->groups_size() == 0) {
    shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
      if (c == nullptr) {
        response->set_error_code(Code(error));
      } else {
        *response = c->OffsetFetch(*request);
      }
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }
  response->set_error_code(Code(ErrorCode::kNone));
  for (const auto& g : request->groups()) response->add_groups()->set_group_id(g.group_id());
  auto gather = std::make_shared<Gather>(request->groups_size(), reactor);
  for (int i = 0; i < request->groups_size(); ++i) {
    shards_.WithGroup(request->groups(i).group_id(), [=](GroupCoordinator* c, ErrorCode error) {
      auto* out = response->mutable_groups(i);  // each index written by one task only
      if (c == nullptr) {
        out->set_error_code(Code(error));
      } else {
        eddy::v1::OffsetFetchRequest one;
        *one.add_groups() = request->groups(i);
        one.set_require_stable(request->require_stable());
        *out = c->OffsetFetch(one).groups(0);
      }
      gather->Done();
    });
  }
  gather->Done();
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::OffsetDelete(
    grpc::CallbackServerContext* context, const eddy::v1::OffsetDeleteRequest* request,
    eddy::v1::OffsetDeleteResponse* response) {
  auto* reactor = context->DefaultReactor();
  shards_.WithGroup(request->group_id(), [=](GroupCoordinator* c, ErrorCode error) {
    auto finish = [reactor, response](eddy::v1::OffsetDeleteResponse r) {
      *response = std::move(r);
      reactor->Finish(grpc::Status::OK);
    };
    if (c == nullptr) {
      eddy::v1::OffsetDeleteResponse r;
      r.set_error_code(Code(error));
      return finish(std::move(r));
    }
    c->OffsetDelete(*request, finish);
  });
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::DeleteGroups(
    grpc::CallbackServerContext* context, const eddy::v1::DeleteGroupsRequest* request,
    eddy::v1::DeleteGroupsResponse* response) {
  auto* reactor = context->DefaultReactor();
  for (const auto& id : request->group_ids()) response->add_results()->set_group_id(id);
  auto gather = std::make_shared<Gather>(request->group_ids_size(), reactor);
  for (int i = 0; i < request->group_ids_size(); ++i) {
    shards_.WithGroup(request->group_ids(i), [=](GroupCoordinator* c, ErrorCode error) {
      if (c == nullptr) {
        response->mutable_results(i)->set_error_code(Code(error));
        return gather->Done();
      }
      eddy::v1::DeleteGroupsRequest one;
      one.add_group_ids(request->group_ids(i));
      c->DeleteGroups(one, [=](eddy::v1::DeleteGroupsResponse r) {
        *response->mutable_results(i) = r.results(0);
        gather->Done();
      });
    });
  }
  gather->Done();
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::DescribeGroups(
    grpc::CallbackServerContext* context, const eddy::v1::DescribeGroupsRequest* request,
    eddy::v1::DescribeGroupsResponse* response) {
  auto* reactor = context->DefaultReactor();
  for (const auto& id : request->group_ids()) response->add_groups()->set_group_id(id);
  auto gather = std::make_shared<Gather>(request->group_ids_size(), reactor);
  for (int i = 0; i < request->group_ids_size(); ++i) {
    shards_.WithGroup(request->group_ids(i), [=](GroupCoordinator* c, ErrorCode error) {
      if (c == nullptr) {
        response->mutable_groups(i)->set_error_code(Code(error));
      } else {
        *response->mutable_groups(i) = c->DescribeGroup(request->group_ids(i));
      }
      gather->Done();
    });
  }
  gather->Done();
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorService::ListGroups(grpc::CallbackServerContext* context,
                                                         const eddy::v1::ListGroupsRequest* request,
                                                         eddy::v1::ListGroupsResponse* response) {
  auto* reactor = context->DefaultReactor();
  struct Collected {
    absl::Mutex mu;
    std::vector<eddy::v1::ListedGroup> groups ABSL_GUARDED_BY(mu);
  };
  auto collected = std::make_shared<Collected>();
  shards_.WithEveryShard(
      [request, collected](GroupCoordinator& c) {
        auto listed = c.ListGroups(*request);
        absl::MutexLock lock(&collected->mu);
        for (auto& g : listed) collected->groups.push_back(std::move(g));
      },
      [reactor, response, collected] {
        absl::MutexLock lock(&collected->mu);
        std::sort(collected->groups.begin(), collected->groups.end(),
                  [](const auto& a, const auto& b) { return a.group_id() < b.group_id(); });
        response->set_error_code(Code(ErrorCode::kNone));
        for (auto& g : collected->groups) *response->add_groups() = std::move(g);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace eddy::coordinator

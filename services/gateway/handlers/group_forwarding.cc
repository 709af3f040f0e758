#include "services/gateway/handlers/group_forwarding.h"

#include <map>

namespace eddy::gateway {

GroupBatches BatchGroupsByCoordinator(const GatewayContext& context,
                                      const std::vector<std::string>& group_ids) {
  GroupBatches out;
  const std::shared_ptr<const ClusterView> view = context.metadata->Current();
  std::map<std::string, size_t> batch_of_target;
  for (size_t i = 0; i < group_ids.size(); ++i) {
    const GroupRoute route = RouteGroup(*view, group_ids[i]);
    if (route.error_code != 0 || context.coordinators == nullptr) {
      out.unroutable.emplace_back(
          i, route.error_code != 0 ? route.error_code
                                   : GroupCallError(absl::UnavailableError("no coordinators")));
      continue;
    }
    auto [it, added] = batch_of_target.emplace(route.target, out.batches.size());
    if (added) out.batches.push_back(GroupBatch{.target = route.target, .indexes = {}});
    out.batches[it->second].indexes.push_back(i);
  }
  return out;
}

PartitionErrorCodes::PartitionErrorCodes(
    const google::protobuf::RepeatedPtrField<eddy::v1::PartitionError>& results) {
  for (const eddy::v1::PartitionError& r : results) {
    codes_[{r.partition().topic(), r.partition().partition()}] =
        static_cast<int16_t>(r.error_code());
  }
}

int16_t PartitionErrorCodes::Code(const std::string& topic, int32_t partition) const {
  auto it = codes_.find({topic, partition});
  return it == codes_.end() ? kafka::ToInt(kafka::ErrorCode::kUnknownServerError) : it->second;
}

}  // namespace eddy::gateway

// RegistryGrpcService: the registry's gRPC API (proto/eddy/v1/registry.proto) for admin tools
// (eddyctl registry export|import) and internal users (the gateway resolving schema ids), over the
// same RegistryService as the REST API, so both apply the same rules. It also serves ForwardRest,
// through which a follower replica hands a REST write to the leader.
//
// Errors: the status message is "<Confluent code>: <message>" with the canonical code of the
// RegistryError (NOT_FOUND for 404xx, INVALID_ARGUMENT for 422xx, ...).
//
// Thread-safety: handlers run concurrently on gRPC's synchronous pool; writes block until applied.
#pragma once

#include "proto/eddy/v1/registry.grpc.pb.h"
#include "services/registry/registry_quorum.h"
#include "services/registry/registry_service.h"
#include "services/registry/rest_router.h"

namespace eddy::registry {

class RegistryGrpcService final : public eddy::v1::Registry::Service {
 public:
  // `service` and `router` must outlive this; `quorum` is null on a single replica.
  RegistryGrpcService(RegistryService& service, const RestRouter& router,
                      const RegistryQuorum* quorum);

  grpc::Status GetSchemaById(grpc::ServerContext* context,
                             const eddy::v1::GetSchemaByIdRequest* request,
                             eddy::v1::GetSchemaByIdResponse* response) override;
  grpc::Status ListSubjects(grpc::ServerContext* context,
                            const eddy::v1::ListSubjectsRequest* request,
                            eddy::v1::ListSubjectsResponse* response) override;
  grpc::Status ListVersions(grpc::ServerContext* context,
                            const eddy::v1::ListVersionsRequest* request,
                            eddy::v1::ListVersionsResponse* response) override;
  grpc::Status GetVersion(grpc::ServerContext* context, const eddy::v1::GetVersionRequest* request,
                          eddy::v1::GetVersionResponse* response) override;
  grpc::Status ListAllVersions(grpc::ServerContext* context,
                               const eddy::v1::ListAllVersionsRequest* request,
                               eddy::v1::ListAllVersionsResponse* response) override;
  grpc::Status RegisterSchema(grpc::ServerContext* context,
                              const eddy::v1::RegisterSchemaRequest* request,
                              eddy::v1::RegisterSchemaResponse* response) override;
  grpc::Status DeleteVersion(grpc::ServerContext* context,
                             const eddy::v1::DeleteVersionRequest* request,
                             eddy::v1::DeleteVersionResponse* response) override;
  grpc::Status GetConfig(grpc::ServerContext* context, const eddy::v1::GetConfigRequest* request,
                         eddy::v1::GetConfigResponse* response) override;
  grpc::Status SetConfig(grpc::ServerContext* context, const eddy::v1::SetConfigRequest* request,
                         eddy::v1::SetConfigResponse* response) override;
  grpc::Status GetMode(grpc::ServerContext* context, const eddy::v1::GetModeRequest* request,
                       eddy::v1::GetModeResponse* response) override;
  grpc::Status SetMode(grpc::ServerContext* context, const eddy::v1::SetModeRequest* request,
                       eddy::v1::SetModeResponse* response) override;
  grpc::Status ForwardRest(grpc::ServerContext* context,
                           const eddy::v1::ForwardRestRequest* request,
                           eddy::v1::ForwardRestResponse* response) override;

 private:
  RegistryService& service_;
  const RestRouter& router_;
  const RegistryQuorum* const quorum_;
};

}  // namespace eddy::registry

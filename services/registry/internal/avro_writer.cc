#include "services/registry/internal/avro_writer.h"

#include <set>
#include <string>

#include "services/registry/internal/text_limits.h"

namespace eddy::registry::avro::internal {
namespace {

using Json = nlohmann::json;
using registry::internal::QuoteJson;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

class AvroWriter {
 public:
  AvroWriter(AvroForm form, const std::vector<std::string>& predefined)
      : form_(form), written_(predefined.begin(), predefined.end()) {}

  // Write appends `node`; `space` is the enclosing namespace (kCanonical writes names relative to
  // it, as Avro Java does). Recursion follows the node graph, whose depth the parser bounded;
  // cycles end at the second occurrence of a named type, which is written by name.
  void Write(const Node& node, const std::string& space) {
    if (node.IsNamed()) {
      if (!written_.insert(node.FullName()).second) {
        out_ += QuoteJson(form_ == AvroForm::kCanonical ? RelativeName(node.FullName(), space)
                                                        : node.FullName());
        return;
      }
    }
    if (form_ == AvroForm::kCanonical) {
      WriteCanonical(node, space);
    } else {
      WriteParsingCanonical(node);
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  static std::string RelativeName(const std::string& full, const std::string& space) {
    const size_t dot = full.rfind('.');
    if (dot == std::string::npos) return full;
    return full.substr(0, dot) == space ? full.substr(dot + 1) : full;
  }

  void Key(const char* key) {
    out_ += ',';
    out_ += QuoteJson(key);
    out_ += ':';
  }

  void Props(const Json& props) {
    for (auto it = props.begin(); it != props.end(); ++it) {
      out_ += ',' + QuoteJson(it.key()) + ':' + Dump(it.value());
    }
  }

  void NameAndNamespace(const Node& node, const std::string& space) {
    out_ += ",\"name\":" + QuoteJson(node.name);
    if (node.space != space) out_ += ",\"namespace\":" + QuoteJson(node.space);
  }

  void Aliases(const std::vector<std::string>& aliases, const std::string& space) {
    if (aliases.empty()) return;
    Key("aliases");
    out_ += '[';
    for (size_t i = 0; i < aliases.size(); ++i) {
      if (i > 0) out_ += ',';
      out_ += QuoteJson(RelativeName(aliases[i], space));
    }
    out_ += ']';
  }

  void WriteCanonical(const Node& node, const std::string& space) {
    switch (node.type) {
      case Type::kRecord: {
        out_ += node.is_error ? "{\"type\":\"error\"" : "{\"type\":\"record\"";
        NameAndNamespace(node, space);
        if (!node.doc.empty()) out_ += ",\"doc\":" + QuoteJson(node.doc);
        out_ += ",\"fields\":[";
        for (size_t i = 0; i < node.fields.size(); ++i) {
          const Field& f = node.fields[i];
          if (i > 0) out_ += ',';
          out_ += "{\"name\":" + QuoteJson(f.name) + ",\"type\":";
          Write(*f.type, node.space);
          if (!f.doc.empty()) out_ += ",\"doc\":" + QuoteJson(f.doc);
          if (f.default_value) out_ += ",\"default\":" + Dump(*f.default_value);
          if (f.order != "ascending") out_ += ",\"order\":" + QuoteJson(f.order);
          if (!f.aliases.empty()) {
            Key("aliases");
            out_ += Dump(Json(f.aliases));
          }
          Props(f.props);
          out_ += '}';
        }
        out_ += ']';
        Props(node.props);
        Aliases(node.aliases, node.space);
        out_ += '}';
        return;
      }
      case Type::kEnum:
        out_ += "{\"type\":\"enum\"";
        NameAndNamespace(node, space);
        if (!node.doc.empty()) out_ += ",\"doc\":" + QuoteJson(node.doc);
        out_ += ",\"symbols\":" + Dump(Json(node.symbols));
        if (node.enum_default) out_ += ",\"default\":" + QuoteJson(*node.enum_default);
        Props(node.props);
        Aliases(node.aliases, node.space);
        out_ += '}';
        return;
      case Type::kFixed:
        out_ += "{\"type\":\"fixed\"";
        NameAndNamespace(node, space);
        if (!node.doc.empty()) out_ += ",\"doc\":" + QuoteJson(node.doc);
        out_ += ",\"size\":" + std::to_string(node.size);
        Props(node.props);
        Aliases(node.aliases, node.space);
        out_ += '}';
        return;
      case Type::kArray:
      case Type::kMap:
        out_ += node.type == Type::kArray ? "{\"type\":\"array\",\"items\":"
                                          : "{\"type\":\"map\",\"values\":";
        Write(*node.items, space);
        Props(node.props);
        out_ += '}';
        return;
      case Type::kUnion:
        WriteUnion(node, space);
        return;
      default:
        if (node.props.empty()) {
          out_ += QuoteJson(TypeName(node.type));
        } else {
          out_ += "{\"type\":" + QuoteJson(TypeName(node.type));
          Props(node.props);
          out_ += '}';
        }
        return;
    }
  }

  void WriteUnion(const Node& node, const std::string& space) {
    out_ += '[';
    for (size_t i = 0; i < node.branches.size(); ++i) {
      if (i > 0) out_ += ',';
      Write(*node.branches[i], space);
    }
    out_ += ']';
  }

  // WriteLogical appends the logical type attributes kNormalized keeps (only valid ones).
  void WriteLogical(const Node& node) {
    if (form_ != AvroForm::kNormalized || node.logical_type.empty()) return;
    out_ += ",\"logicalType\":" + QuoteJson(node.logical_type);
    for (const char* key : {"precision", "scale"}) {
      if (auto it = node.props.find(key); it != node.props.end()) {
        out_ += ',' + QuoteJson(key) + ':' + Dump(*it);
      }
    }
  }

  void WriteParsingCanonical(const Node& node) {
    const bool extended = form_ == AvroForm::kNormalized;
    switch (node.type) {
      case Type::kRecord:
        out_ += "{\"name\":" + QuoteJson(node.FullName()) + ",\"type\":\"record\",\"fields\":[";
        for (size_t i = 0; i < node.fields.size(); ++i) {
          const Field& f = node.fields[i];
          if (i > 0) out_ += ',';
          out_ += "{\"name\":" + QuoteJson(f.name) + ",\"type\":";
          Write(*f.type, "");
          if (extended && f.default_value) out_ += ",\"default\":" + Dump(*f.default_value);
          if (extended && f.order != "ascending") out_ += ",\"order\":" + QuoteJson(f.order);
          if (extended && !f.aliases.empty()) out_ += ",\"aliases\":" + Dump(Json(f.aliases));
          out_ += '}';
        }
        out_ += ']';
        if (extended && !node.aliases.empty()) out_ += ",\"aliases\":" + Dump(Json(node.aliases));
        out_ += '}';
        return;
      case Type::kEnum:
        out_ += "{\"name\":" + QuoteJson(node.FullName()) +
                ",\"type\":\"enum\",\"symbols\":" + Dump(Json(node.symbols));
        if (extended && node.enum_default) out_ += ",\"default\":" + QuoteJson(*node.enum_default);
        if (extended && !node.aliases.empty()) out_ += ",\"aliases\":" + Dump(Json(node.aliases));
        out_ += '}';
        return;
      case Type::kFixed:
        out_ += "{\"name\":" + QuoteJson(node.FullName()) +
                ",\"type\":\"fixed\",\"size\":" + std::to_string(node.size);
        if (extended && !node.aliases.empty()) out_ += ",\"aliases\":" + Dump(Json(node.aliases));
        WriteLogical(node);
        out_ += '}';
        return;
      case Type::kArray:
      case Type::kMap:
        out_ += node.type == Type::kArray ? "{\"type\":\"array\",\"items\":"
                                          : "{\"type\":\"map\",\"values\":";
        Write(*node.items, "");
        out_ += '}';
        return;
      case Type::kUnion:
        WriteUnion(node, "");
        return;
      default:
        if (extended && !node.logical_type.empty()) {
          out_ += "{\"type\":" + QuoteJson(TypeName(node.type));
          WriteLogical(node);
          out_ += '}';
        } else {
          out_ += QuoteJson(TypeName(node.type));
        }
        return;
    }
  }

  AvroForm form_;
  std::set<std::string> written_;
  std::string out_;
};

}  // namespace

std::string WriteAvro(const Node& root, AvroForm form, const std::vector<std::string>& predefined) {
  AvroWriter writer(form, predefined);
  writer.Write(root, "");
  return writer.Take();
}

}  // namespace eddy::registry::avro::internal

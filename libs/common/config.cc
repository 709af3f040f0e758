#include "libs/common/config.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace eddy::common {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

[[noreturn]] void Fatal(std::string_view daemon, std::string_view message) {
  std::fprintf(stderr, "ConfigSpec(%.*s): %.*s\n", static_cast<int>(daemon.size()), daemon.data(),
               static_cast<int>(message.size()), message.data());
  std::abort();
}

bool IsDashCase(std::string_view key) {
  if (key.empty() || !(key[0] >= 'a' && key[0] <= 'z') || key.back() == '-') return false;
  char prev = 0;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

std::string EnvName(std::string_view key) {
  std::string env = "EDDY_";
  for (char c : key) env.push_back(c == '-' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string Quote(std::string_view s) { return absl::StrCat("\"", ToAbsl(s), "\""); }

std::string FormatDouble(double d) { return fmt::format("{}", d); }

std::optional<bool> ParseBool(std::string_view s) {
  const std::string lower = absl::AsciiStrToLower(ToAbsl(s));
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

// Returns the value, or an error text ending the "invalid value for ..." message.
std::variant<int64_t, std::string> ParseInt(std::string_view s, int64_t min, int64_t max) {
  std::string_view digits = s;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  int64_t value = 0;
  const char* const end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  const std::string range = absl::StrCat(" is out of range [", min, ", ", max, "]");
  if (ec == std::errc::result_out_of_range && ptr == end) return absl::StrCat(ToAbsl(s), range);
  if (digits.empty() || ec != std::errc() || ptr != end) {
    return absl::StrCat(Quote(s), " is not an integer");
  }
  if (value < min || value > max) return absl::StrCat(value, range);
  return value;
}

std::variant<double, std::string> ParseDouble(std::string_view s, double min, double max) {
  std::string_view digits = s;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  double value = 0;
  const char* const end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  const std::string range =
      absl::StrCat(" is out of range [", FormatDouble(min), ", ", FormatDouble(max), "]");
  if (ec == std::errc::result_out_of_range && ptr == end) return absl::StrCat(ToAbsl(s), range);
  if (digits.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return absl::StrCat(Quote(s), " is not a number");
  }
  if (!(value >= min && value <= max)) return absl::StrCat(FormatDouble(value), range);
  return value;
}

std::string ChoiceBounds(const std::vector<std::string>& choices) {
  return absl::StrCat("{", absl::StrJoin(choices, ", "), "}");
}

// Double-quotes `s` with C escapes when it is empty or holds characters that would make a
// "key=value key=value" line ambiguous.
std::string MaybeQuote(const std::string& s) {
  bool needs = s.empty();
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '\\' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      needs = true;
    }
  }
  return needs ? absl::StrCat("\"", absl::CEscape(s), "\"") : s;
}

std::string MarkdownCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out.append("\\|");
    } else if (c == '\n') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Code(std::string_view s) { return absl::StrCat("`", ToAbsl(s), "`"); }

}  // namespace

ConfigSpec::ConfigSpec(std::string daemon) : daemon_(std::move(daemon)) {}

void ConfigSpec::Register(ConfigField field, Binding binding) {
  if (!IsDashCase(field.key)) Fatal(daemon_, absl::StrCat("key \"", field.key, "\" is not dash-case"));
  if (field.key == "config" || field.key == "help") {
    Fatal(daemon_, absl::StrCat("key \"", field.key, "\" is reserved"));
  }
  if (Find(field.key) >= 0) Fatal(daemon_, absl::StrCat("key \"", field.key, "\" added twice"));
  field.env = EnvName(field.key);
  fields_.push_back(std::move(field));
  bindings_.push_back(std::move(binding));
}

void ConfigSpec::Add(std::string_view key, std::string* field, std::string_view help) {
  Register(ConfigField{.key = std::string(key), .type = "string", .default_value = *field,
                       .help = std::string(help)},
           StringBinding{field, *field, {}});
}

void ConfigSpec::AddSecret(std::string_view key, std::string* field, std::string_view help) {
  Register(ConfigField{.key = std::string(key), .type = "string",
                       .default_value = field->empty() ? "" : "***", .help = std::string(help),
                       .secret = true},
           StringBinding{field, *field, {}});
}

void ConfigSpec::Add(std::string_view key, bool* field, std::string_view help) {
  Register(ConfigField{.key = std::string(key), .type = "bool",
                       .default_value = *field ? "true" : "false", .help = std::string(help)},
           BoolBinding{field, *field});
}

void ConfigSpec::Add(std::string_view key, int32_t* field, std::string_view help, int64_t min,
                     int64_t max) {
  if (min < std::numeric_limits<int32_t>::min() || max > std::numeric_limits<int32_t>::max()) {
    Fatal(daemon_, absl::StrCat("bounds of \"", ToAbsl(key), "\" do not fit int32"));
  }
  if (!(min <= *field && *field <= max)) {
    Fatal(daemon_, absl::StrCat("default of \"", ToAbsl(key), "\" is outside its bounds"));
  }
  Register(ConfigField{.key = std::string(key), .type = "int32",
                       .default_value = absl::StrCat(*field), .help = std::string(help),
                       .bounds = absl::StrCat("[", min, ", ", max, "]")},
           IntBinding{nullptr, field, min, max, *field});
}

void ConfigSpec::Add(std::string_view key, int64_t* field, std::string_view help, int64_t min,
                     int64_t max) {
  if (!(min <= *field && *field <= max)) {
    Fatal(daemon_, absl::StrCat("default of \"", ToAbsl(key), "\" is outside its bounds"));
  }
  Register(ConfigField{.key = std::string(key), .type = "int64",
                       .default_value = absl::StrCat(*field), .help = std::string(help),
                       .bounds = absl::StrCat("[", min, ", ", max, "]")},
           IntBinding{field, nullptr, min, max, *field});
}

void ConfigSpec::Add(std::string_view key, double* field, std::string_view help, double min,
                     double max) {
  if (!(min <= *field && *field <= max)) {
    Fatal(daemon_, absl::StrCat("default of \"", ToAbsl(key), "\" is outside its bounds"));
  }
  Register(ConfigField{.key = std::string(key), .type = "double",
                       .default_value = FormatDouble(*field), .help = std::string(help),
                       .bounds = absl::StrCat("[", FormatDouble(min), ", ", FormatDouble(max), "]")},
           DoubleBinding{field, min, max, *field});
}

void ConfigSpec::AddChoice(std::string_view key, std::string* field,
                           std::vector<std::string> choices, std::string_view help) {
  bool found = false;
  for (const std::string& c : choices) found = found || c == *field;
  if (!found) Fatal(daemon_, absl::StrCat("default of \"", ToAbsl(key), "\" is not a choice"));
  std::string bounds = ChoiceBounds(choices);
  Register(ConfigField{.key = std::string(key), .type = "choice", .default_value = *field,
                       .help = std::string(help), .bounds = std::move(bounds)},
           StringBinding{field, *field, std::move(choices)});
}

int ConfigSpec::Find(std::string_view key) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

absl::Status ConfigSpec::Apply(int index, std::string_view value, const Source& source) {
  const ConfigField& field = fields_[index];
  std::string problem;
  std::visit(
      [&](auto& b) {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, StringBinding>) {
          if (!b.choices.empty()) {
            bool found = false;
            for (const std::string& c : b.choices) found = found || c == value;
            if (!found) {
              problem = absl::StrCat(Quote(value), " is not one of ", ChoiceBounds(b.choices));
              return;
            }
          }
          *b.field = std::string(value);
        } else if constexpr (std::is_same_v<B, BoolBinding>) {
          const std::optional<bool> v = ParseBool(value);
          if (!v) {
            problem = absl::StrCat(Quote(value), " is not a boolean (true or false)");
            return;
          }
          *b.field = *v;
        } else if constexpr (std::is_same_v<B, IntBinding>) {
          auto v = ParseInt(value, b.min, b.max);
          if (auto* err = std::get_if<std::string>(&v)) {
            problem = std::move(*err);
            return;
          }
          if (b.field64 != nullptr) {
            *b.field64 = std::get<int64_t>(v);
          } else {
            *b.field32 = static_cast<int32_t>(std::get<int64_t>(v));
          }
        } else {
          auto v = ParseDouble(value, b.min, b.max);
          if (auto* err = std::get_if<std::string>(&v)) {
            problem = std::move(*err);
            return;
          }
          *b.field = std::get<double>(v);
        }
      },
      bindings_[index]);
  if (problem.empty()) return absl::OkStatus();
  std::string where;
  switch (source.kind) {
    case Source::Kind::kFlag: break;
    case Source::Kind::kEnv: where = absl::StrCat(" (", field.env, ")"); break;
    case Source::Kind::kFile: where = absl::StrCat(" (config file ", source.path, ")"); break;
  }
  // Secrets are plain strings, which always parse, so `problem` never echoes one.
  return absl::InvalidArgumentError(
      absl::StrCat("invalid value for --", field.key, where, ": ", problem));
}

absl::Status ConfigSpec::ApplyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read config file ", path, ": ", std::strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const Source source{Source::Kind::kFile, path};
  const auto unknown = [&](std::string_view key) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown key ", Quote(key), " in config file ", path));
  };

  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", path, " is not valid JSON: ", e.what()));
    }
    if (!json.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", path, " is not a JSON object"));
    }
    for (const auto& [key, value] : json.items()) {
      const int index = Find(key);
      if (index < 0) return unknown(key);
      std::string text_value;
      if (value.is_string()) {
        text_value = value.get<std::string>();
      } else if (value.is_boolean()) {
        text_value = value.get<bool>() ? "true" : "false";
      } else if (value.is_number_integer()) {
        text_value = value.dump();
      } else if (value.is_number_float()) {
        text_value = FormatDouble(value.get<double>());
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid value for --", key, " (config file ", path,
                         "): expected a string, number or boolean"));
      }
      if (absl::Status s = Apply(index, text_value, source); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const size_t eq = trimmed.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("config file ", path, " line ", line_number,
                                                     ": expected key=value"));
    }
    const absl::string_view key = absl::StripAsciiWhitespace(trimmed.substr(0, eq));
    const absl::string_view value = absl::StripAsciiWhitespace(trimmed.substr(eq + 1));
    const int index = Find(std::string_view(key.data(), key.size()));
    if (index < 0) return unknown(std::string_view(key.data(), key.size()));
    if (absl::Status s = Apply(index, std::string_view(value.data(), value.size()), source);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigSpec::Load(int argc, const char* const* argv, const char* const* envp) {
  help_requested_ = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      return absl::OkStatus();
    }
  }

  // Reset to defaults, so Load() is a function of its inputs.
  for (Binding& binding : bindings_) {
    std::visit(
        [](auto& b) {
          using B = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<B, IntBinding>) {
            if (b.field64 != nullptr) {
              *b.field64 = b.default_value;
            } else {
              *b.field32 = static_cast<int32_t>(b.default_value);
            }
          } else {
            *b.field = b.default_value;
          }
        },
        binding);
  }

  // Parse flags first: they may name the config file, and a bad command line fails before any
  // file is read.
  std::vector<std::pair<int, std::string>> flag_values;
  std::optional<std::string> config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      if (i + 1 < argc) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected positional argument ", Quote(argv[i + 1])));
      }
      break;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      if (arg.size() > 1 && arg[0] == '-') {
        return absl::InvalidArgumentError(absl::StrCat("unknown flag ", ToAbsl(arg)));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected positional argument ", Quote(arg)));
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (const size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto take_value = [&]() -> std::optional<std::string_view> {
      if (value) return value;
      if (i + 1 < argc && std::string_view(argv[i + 1]).substr(0, 2) != "--") return argv[++i];
      return std::nullopt;
    };
    const auto missing = [&] {
      return absl::InvalidArgumentError(absl::StrCat("missing value for --", ToAbsl(name)));
    };

    if (name == "config") {
      const std::optional<std::string_view> path = take_value();
      if (!path || path->empty()) return missing();
      config_path = std::string(*path);
      continue;
    }
    int index = Find(name);
    if (index >= 0) {
      if (std::holds_alternative<BoolBinding>(bindings_[index])) {
        flag_values.emplace_back(index, value ? std::string(*value) : "true");
      } else {
        const std::optional<std::string_view> v = take_value();
        if (!v) return missing();
        flag_values.emplace_back(index, std::string(*v));
      }
      continue;
    }
    if (name.substr(0, 3) == "no-") {
      index = Find(name.substr(3));
      if (index >= 0 && std::holds_alternative<BoolBinding>(bindings_[index])) {
        if (value) {
          return absl::InvalidArgumentError(
              absl::StrCat("flag --", ToAbsl(name), " does not take a value"));
        }
        flag_values.emplace_back(index, "false");
        continue;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown flag --", ToAbsl(name)));
  }

  std::map<std::string, std::string, std::less<>> env;
  for (const char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry = *e;
    if (entry.substr(0, 5) != "EDDY_") continue;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }

  if (!config_path) {
    if (auto it = env.find("EDDY_CONFIG"); it != env.end() && !it->second.empty()) {
      config_path = it->second;
    }
  }
  if (config_path) {
    if (absl::Status s = ApplyFile(*config_path); !s.ok()) return s;
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    auto it = env.find(fields_[i].env);
    if (it == env.end()) continue;
    if (absl::Status s = Apply(static_cast<int>(i), it->second, Source{Source::Kind::kEnv, ""});
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [index, value] : flag_values) {
    if (absl::Status s = Apply(index, value, Source{Source::Kind::kFlag, ""}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string ConfigSpec::CurrentValue(int index) const {
  if (fields_[index].secret) {
    const auto& b = std::get<StringBinding>(bindings_[index]);
    return b.field->empty() ? "" : "***";
  }
  return std::visit(
      [](const auto& b) -> std::string {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, StringBinding>) {
          return *b.field;
        } else if constexpr (std::is_same_v<B, BoolBinding>) {
          return *b.field ? "true" : "false";
        } else if constexpr (std::is_same_v<B, IntBinding>) {
          return absl::StrCat(b.field64 != nullptr ? *b.field64 : int64_t{*b.field32});
        } else {
          return FormatDouble(*b.field);
        }
      },
      bindings_[index]);
}

std::string ConfigSpec::EffectiveConfig() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i != 0) out.push_back(' ');
    absl::StrAppend(&out, fields_[i].key, "=", MaybeQuote(CurrentValue(static_cast<int>(i))));
  }
  return out;
}

std::string ConfigSpec::Usage() const {
  std::string out = absl::StrCat(
      "Usage: ", daemon_, " [flags]\n\n",
      "Every flag --key=value can also be set by the environment variable EDDY_KEY (upper case,\n"
      "'-' as '_') or as \"key\" in the config file. Precedence: flags, then environment, then\n"
      "config file, then defaults.\n\n",
      "  --config=PATH\n"
      "      Config file: a JSON object, or key=value lines. (env EDDY_CONFIG)\n",
      "  --help, -h\n"
      "      Print this help and exit.\n");
  for (const ConfigField& f : fields_) {
    std::string synopsis;
    if (f.type == "bool") {
      synopsis = absl::StrCat("--[no-]", f.key);
    } else if (f.type == "choice") {
      synopsis = absl::StrCat("--", f.key, "=", f.bounds);
    } else {
      synopsis = absl::StrCat("--", f.key, "=", absl::AsciiStrToUpper(f.type));
    }
    std::string details = absl::StrCat("default ", f.default_value.empty() ? "\"\"" : f.default_value);
    if (!f.bounds.empty() && f.type != "choice") absl::StrAppend(&details, "; range ", f.bounds);
    if (f.secret) absl::StrAppend(&details, "; secret");
    absl::StrAppend(&details, "; env ", f.env);
    absl::StrAppend(&out, "  ", synopsis, "\n      ", f.help, " (", details, ")\n");
  }
  return out;
}

std::string ConfigSpec::MarkdownReference() const {
  std::string out =
      "| Key | Env | Type | Default | Bounds | Help |\n"
      "|-----|-----|------|---------|--------|------|\n";
  for (const ConfigField& f : fields_) {
    absl::StrAppend(&out, "| ", Code(f.key), " | ", Code(f.env), " | ", f.type, " | ",
                    f.default_value.empty() ? "" : Code(f.default_value), " | ",
                    MarkdownCell(f.bounds), " | ", MarkdownCell(f.help), " |\n");
  }
  return out;
}

}  // namespace eddy::common

#!/usr/bin/python3
"""Generates Eddy's Kafka message structs from the compact definitions in defs/*.def.

Stdlib only; run by CMake at build time. For each API it writes, under --out:
  libs/kafka/messages/<api>.h                  structs (one per request/response, nested types)
  libs/kafka/messages/internal/<api>_serde.h   one templated Serde per struct: the single
                                               definition driven by Reader, Writer and Sizer
  libs/kafka/messages/<api>.cc                 Decode / Encode / EncodedSize
  libs/kafka/messages/testing/<api>_roundtrip.cc  round-trip cases for the tests
plus api_table.cc (versions per key), request_dispatch.cc and testing/roundtrip_registry.cc.

Definition format (see defs/README.md):
  api <key> <Name> recommended <lo>-<hi>
  request|response <StructName> versions <lo>-<hi> flexible <first>|none
    <field> <type> [v<range>] [null<range>] [tag<n>@<range>] [=<default>] [ign]
      <child fields of an inline struct type, indented two more spaces>
    struct <Name>           (a shared struct; its fields are indented below it)
"""
import argparse
import os
import re
import sys

PRIMS = {
    'bool': ('bool', 'Bool'), 'int8': ('int8_t', 'Int8'), 'int16': ('int16_t', 'Int16'),
    'int32': ('int32_t', 'Int32'), 'int64': ('int64_t', 'Int64'), 'uint16': ('uint16_t', 'Uint16'),
    'uint32': ('uint32_t', 'Uint32'), 'float64': ('double', 'Float64'),
    'uuid': ('common::Uuid', 'Uuid'),
}
VARLEN = {'string': 'String', 'bytes': 'Bytes', 'records': 'Bytes'}
KEYWORDS = {'default', 'operator', 'delete', 'new', 'class', 'public', 'private', 'register',
            'signed', 'unsigned', 'template', 'typename', 'union', 'namespace', 'this', 'case'}


class DefError(Exception):
    pass


def parse_range(text, where):
    m = re.fullmatch(r'(\d+)(\+|-(\d+))?', text)
    if not m:
        raise DefError('%s: bad version range %r' % (where, text))
    lo = int(m.group(1))
    if m.group(2) == '+':
        return (lo, None)
    if m.group(3) is not None:
        return (lo, int(m.group(3)))
    return (lo, lo)


class Field:
    def __init__(self, line, where):
        toks = line.split()
        if len(toks) < 2:
            raise DefError('%s: field needs a name and a type' % where)
        self.name, self.type = toks[0], toks[1]
        self.cpp_name = self.name + '_' if self.name in KEYWORDS else self.name
        self.versions = (0, None)
        self.nullable = None
        self.tag = None
        self.tagged = None
        self.default = None
        self.ignorable = False
        self.children = []
        for t in toks[2:]:
            if t.startswith('v'):
                self.versions = parse_range(t[1:], where)
            elif t.startswith('null'):
                self.nullable = parse_range(t[4:], where)
            elif t.startswith('tag'):
                num, _, rng = t[3:].partition('@')
                self.tag, self.tagged = int(num), parse_range(rng, where)
            elif t.startswith('='):
                self.default = t[1:]
            elif t == 'ign':
                self.ignorable = True
            else:
                raise DefError('%s: unknown attribute %r' % (where, t))
        self.is_array = self.type.startswith('[]')
        self.elem = self.type[2:] if self.is_array else self.type
        self.is_struct = self.elem[0].isupper()
        if not self.is_struct and self.elem not in PRIMS and self.elem not in VARLEN:
            raise DefError('%s: unknown type %r' % (where, self.type))


class Message:
    def __init__(self, kind, name, vmin, vmax, flex):
        self.kind, self.name, self.vmin, self.vmax, self.flex = kind, name, vmin, vmax, flex
        self.fields = []
        self.shared = {}  # shared struct name -> fields, as declared
        self.structs = {}  # name -> list of fields; insertion order = dependency order


class Api:
    def __init__(self, key, name, rec_lo, rec_hi, stem):
        self.key, self.name, self.rec_lo, self.rec_hi, self.stem = key, name, rec_lo, rec_hi, stem
        self.messages = []


def parse_def(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    api = None
    msg = None
    stack = []  # (indent, children list)
    with open(path) as f:
        lines = f.read().splitlines()
    for lineno, raw in enumerate(lines, 1):
        where = '%s:%d' % (path, lineno)
        if not raw.strip() or raw.lstrip().startswith('#'):
            continue
        indent = len(raw) - len(raw.lstrip(' '))
        text = raw.strip()
        if indent == 0:
            toks = text.split()
            if toks[0] == 'api':
                lo, hi = parse_range(toks[4], where)
                api = Api(int(toks[1]), toks[2], lo, hi, stem)
            elif toks[0] in ('request', 'response', 'data'):
                lo, hi = parse_range(toks[3], where)
                flex = None if toks[5] == 'none' else int(toks[5])
                msg = Message(toks[0], toks[1], lo, hi, flex)
                if api is None and toks[0] == 'data':
                    api = Api(None, ''.join(p.capitalize() for p in stem.split('_')), 0, 0, stem)
                if api is None:
                    raise DefError('%s: %s before the api line' % (where, toks[0]))
                api.messages.append(msg)
                stack = [(0, msg.fields)]
            else:
                raise DefError('%s: unknown directive %r' % (where, toks[0]))
            continue
        if indent % 2:
            raise DefError('%s: odd indentation' % where)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack:
            raise DefError('%s: field outside a message' % where)
        if text.startswith('struct '):
            if indent != 2:
                raise DefError('%s: shared structs sit at indent 2' % where)
            fields = []
            msg.shared[text.split()[1]] = fields
            stack.append((indent, fields))
            continue
        field = Field(text, where)
        stack[-1][1].append(field)
        stack.append((indent, field.children))
    kinds = [m.kind for m in api.messages] if api else []
    if api is None or (api.key is not None and kinds != ['request', 'response']) or (
            api.key is None and set(kinds) != {'data'}):
        raise DefError('%s: needs an api with one request and one response, or data only' % path)
    for m in api.messages:
        collect_structs(m, m.fields, path)
        for name, fields in m.shared.items():
            if name not in m.structs:  # declared but unused: still emit it
                collect_structs(m, fields, path, (name,))
                m.structs[name] = fields
    return api


def collect_structs(msg, fields, path, visiting=()):
    """Registers struct types in dependency order (a struct after every struct it contains)."""
    for f in fields:
        if not f.is_struct:
            continue
        if f.children:
            collect_structs(msg, f.children, path, visiting)
            if f.elem in msg.structs:
                raise DefError('%s: struct %s defined twice' % (path, f.elem))
            msg.structs[f.elem] = f.children
        elif f.elem in msg.structs:
            continue
        elif f.elem in msg.shared and f.elem not in visiting:
            collect_structs(msg, msg.shared[f.elem], path, visiting + (f.elem,))
            msg.structs[f.elem] = msg.shared[f.elem]
        else:
            raise DefError('%s: unknown or recursive struct %s' % (path, f.elem))


# ---------------------------------------------------------------- C++ emission helpers


def cond(rng, msg):
    """C++ condition on `v` for a version range, or None when always true in [vmin, vmax]."""
    if rng is None:
        return 'false'
    lo, hi = rng
    parts = []
    if lo > msg.vmin:
        parts.append('v >= %d' % lo)
    if hi is not None and hi < msg.vmax:
        parts.append('v <= %d' % hi)
    if hi is not None and hi < lo:
        return 'false'
    return ' && '.join(parts) if parts else None


def in_range(v, rng):
    return rng is not None and v >= rng[0] and (rng[1] is None or v <= rng[1])


def cpp_elem_type(f):
    if f.is_struct:
        return f.elem
    if f.elem in PRIMS:
        return PRIMS[f.elem][0]
    return 'std::string'


def cpp_type(f):
    t = cpp_elem_type(f)
    if f.is_array:
        t = 'std::vector<%s>' % t
    if f.nullable is not None and (f.is_array or f.is_struct or f.elem in VARLEN):
        t = 'std::optional<%s>' % t
    return t


def is_optional(f):
    return f.nullable is not None and (f.is_array or f.is_struct or f.elem in VARLEN)


def int_literal(value, ctype):
    n = int(value, 0)
    bits = {'int8_t': 8, 'int16_t': 16, 'int32_t': 32, 'int64_t': 64}.get(ctype)
    if bits and n == -(1 << (bits - 1)):
        return 'std::numeric_limits<%s>::min()' % ctype
    return value


def member_init(f):
    """Default member initializer (including the leading ' = ' or '{...}'), or ''."""
    d = f.default
    if is_optional(f):
        # Kafka's default for a nullable field is the empty value unless it says null.
        return '' if d == 'null' else '{std::in_place}'
    if d is None:
        if f.elem in PRIMS and not f.is_array and f.elem != 'uuid':
            return ' = false' if f.elem == 'bool' else ' = 0'
        return ''
    if f.elem == 'bool':
        return ' = ' + d.lower()
    if f.elem in VARLEN:
        return ' = "%s"' % d
    return ' = ' + int_literal(d, cpp_elem_type(f))


def present_expr(f):
    """C++ expression: the tagged field differs from its default (so it is written)."""
    n = f.cpp_name
    if is_optional(f):
        if f.default == 'null':
            return '%s.has_value()' % n
        return '!(%s.has_value() && *%s == %s{})' % (n, n, cpp_type(f)[len('std::optional<'):-1])
    if f.is_array or f.elem in VARLEN:
        return '!%s.empty()' % n
    if f.is_struct:
        return '!(%s == %s{})' % (n, f.elem)
    if f.elem == 'uuid':
        return '!%s.IsZero()' % n
    default = 'false' if f.elem == 'bool' else '0'
    if f.default is not None:
        default = f.default.lower() if f.elem == 'bool' else int_literal(f.default, cpp_elem_type(f))
    return '%s != %s' % (n, default)


def null_arg(f, msg):
    c = cond(f.nullable, msg)
    return 'true' if c is None else '(%s)' % c


def elem_lambda(f, flex):
    t = cpp_elem_type(f)
    if f.is_struct:
        return '[v](auto& e_io, %s& e) { return e.Serde(e_io, v); }' % t
    if f.elem in PRIMS:
        return '[](auto& e_io, %s& e) { return e_io.%s(e, "%s"); }' % (t, PRIMS[f.elem][1], f.name)
    return '[%s](auto& e_io, %s& e) { return e_io.%s(e, %s, "%s"); }' % (
        '&' if flex == 'flex' else '', t, VARLEN[f.elem], flex, f.name)


def field_expr(f, msg, io, flex):
    """A C++ expression of type absl::Status that codes field f with Io `io`."""
    n = f.cpp_name
    if f.is_array:
        if is_optional(f):
            return '%s.NullableArray(%s, %s, %s, "%s", %s)' % (
                io, n, flex, null_arg(f, msg), f.name, elem_lambda(f, flex))
        return '%s.Array(%s, %s, "%s", %s)' % (io, n, flex, f.name, elem_lambda(f, flex))
    if f.is_struct:
        if is_optional(f):
            return '%s.NullableStruct(%s, %s, "%s", %s)' % (
                io, n, null_arg(f, msg), f.name, elem_lambda(f, flex))
        return 'PrefixError(%s.Serde(%s, v), "%s.")' % (n, io, f.name)
    if f.elem in PRIMS:
        return '%s.%s(%s, "%s")' % (io, PRIMS[f.elem][1], n, f.name)
    method = VARLEN[f.elem]
    if is_optional(f):
        return '%s.Nullable%s(%s, %s, %s, "%s")' % (io, method, n, flex, null_arg(f, msg), f.name)
    return '%s.%s(%s, %s, "%s")' % (io, method, n, flex, f.name)


def flex_cond(msg):
    if msg.flex is None:
        return None
    if msg.flex <= msg.vmin:
        return 'true'
    return 'v >= %d' % msg.flex


def emit_struct_decl(name, fields, out, ind):
    p = '  ' * ind
    out.append('%sstruct %s {' % (p, name))
    for f in fields:
        out.append('%s  %s %s%s;' % (p, cpp_type(f), f.cpp_name, member_init(f)))
    out.append('%s  UnknownTaggedFields unknown_tagged_fields;' % p)
    out.append('')
    out.append('%s  // Serde codes this struct with a Reader, Writer or Sizer; defined in the '
               'generated internal/*_serde.h.' % p)
    out.append('%s  template <typename Io>' % p)
    out.append('%s  absl::Status Serde(Io& io, int16_t v);' % p)
    out.append('%s  friend bool operator==(const %s&, const %s&) = default;' % (p, name, name))
    out.append('%s};' % p)


def emit_serde(qual, fields, msg, out):
    fc = flex_cond(msg)
    out.append('template <typename Io>')
    out.append('absl::Status %s::Serde(Io& io, int16_t v) {' % qual)
    out.append('  (void)v;')
    if fc not in (None, 'true'):
        out.append('  const bool flex = %s;' % fc)
    flex = 'flex' if fc not in (None, 'true') else ('true' if fc == 'true' else 'false')
    body = []
    for f in fields:
        if f.tag is not None:
            continue
        c = cond(f.versions, msg)
        if c == 'false':
            continue
        expr = field_expr(f, msg, 'io', flex)
        if c is None:
            body.append('  EDDY_RETURN_IF_ERROR(%s);' % expr)
        elif f.ignorable:
            body.append('  if (%s) EDDY_RETURN_IF_ERROR(%s);' % (c, expr))
        else:
            # As Kafka does, refuse to silently drop a non-ignorable field the version lacks.
            body.append('  if (%s) {' % c)
            body.append('    EDDY_RETURN_IF_ERROR(%s);' % expr)
            body.append('  } else if constexpr (!Io::kDecoding) {')
            body.append('    if (%s) return internal::NotInVersion("%s", v);' % (present_expr(f), f.name))
            body.append('  }')
    out.extend(body)
    if fc is not None:
        tagged = sorted((f for f in fields if f.tag is not None), key=lambda f: f.tag)
        known = []
        for f in tagged:
            c = cond(f.tagged, msg)
            known.append('KnownTag{%d, %s, %s}' % (f.tag, c or 'true', present_expr(f)))
        guard = '  if (flex) ' if fc != 'true' else '  '
        out.append(guard + 'EDDY_RETURN_IF_ERROR(io.Tags(')
        out.append('      unknown_tagged_fields, {%s},' % ', '.join(known))
        if tagged:
            out.append('      [&](auto& t_io, uint32_t tag) -> absl::Status {')
            out.append('        switch (tag) {')
            for f in tagged:
                out.append('          case %d:' % f.tag)
                out.append('            return %s;' % field_expr(f, msg, 't_io', 'true'))
            out.append('        }')
            out.append('        return absl::OkStatus();')
            out.append('      }));')
        else:
            out.append('      [](auto&, uint32_t) { return absl::OkStatus(); }));')
    out.append('  return absl::OkStatus();')
    out.append('}')
    out.append('')


BANNER = '// Generated by libs/kafka/codegen/generate.py from libs/kafka/codegen/defs/%s.def. Do not edit.'


def gen_header(api):
    what = ('Kafka %s (api key %d)' % (api.name, api.key) if api.key is not None
            else 'Kafka %s data' % api.name)
    out = [BANNER % api.stem,
           '// %s: one struct per message; see libs/kafka/message.h for the' % what,
           '// Decode / Encode / EncodedSize contract.',
           '#pragma once', '', '#include "libs/kafka/message.h"', '', 'namespace eddy::kafka {', '']
    for m in api.messages:
        flex = m.flex if m.flex is not None else 'kNeverFlexible'
        out.append('struct %s {' % m.name)
        if api.key is not None:
            out.append('  static constexpr int16_t kApiKey = %d;' % api.key)
        out.append('  static constexpr int16_t kMinVersion = %d;' % m.vmin)
        out.append('  static constexpr int16_t kMaxVersion = %d;' % m.vmax)
        out.append('  static constexpr int16_t kFirstFlexibleVersion = %s;' % flex)
        out.append('  static constexpr std::string_view kName = "%s";' % m.name)
        out.append('')
        for sname, sfields in m.structs.items():
            emit_struct_decl(sname, sfields, out, 1)
            out.append('')
        for f in m.fields:
            out.append('  %s %s%s;' % (cpp_type(f), f.cpp_name, member_init(f)))
        out.append('  UnknownTaggedFields unknown_tagged_fields;')
        out.append('')
        out.append('  // Decode replaces *this with the message read from `reader` at `version`.')
        out.append('  absl::Status Decode(Reader& reader, int16_t version);')
        out.append('  // Encode appends the message at `version` to `writer`.')
        out.append('  absl::Status Encode(Writer& writer, int16_t version) const;')
        out.append('  // EncodedSize is the number of bytes Encode appends at `version`.')
        out.append('  size_t EncodedSize(int16_t version) const;')
        out.append('  template <typename Io>')
        out.append('  absl::Status Serde(Io& io, int16_t v);')
        out.append('  friend bool operator==(const %s&, const %s&) = default;' % (m.name, m.name))
        out.append('};')
        out.append('')
    out.append('}  // namespace eddy::kafka')
    return '\n'.join(out) + '\n'


def gen_serde(api):
    out = [BANNER % api.stem,
           '// Serde definitions for %s; included by the generated .cc and the round-trip tests.'
           % api.name,
           '#pragma once', '', '#include "libs/common/status_macros.h"',
           '#include "libs/kafka/messages/%s.h"' % api.stem, '',
           'namespace eddy::kafka {', '']
    for m in api.messages:
        for sname, sfields in m.structs.items():
            emit_serde('%s::%s' % (m.name, sname), sfields, m, out)
        emit_serde(m.name, m.fields, m, out)
    out.append('}  // namespace eddy::kafka')
    return '\n'.join(out) + '\n'


def gen_cc(api):
    out = [BANNER % api.stem, '#include "libs/kafka/messages/%s.h"' % api.stem, '',
           '#include "libs/kafka/messages/internal/%s_serde.h"' % api.stem, '',
           'namespace eddy::kafka {', '']
    for m in api.messages:
        out.append('absl::Status %s::Decode(Reader& reader, int16_t version) {' % m.name)
        out.append('  return internal::DecodeMessage(*this, reader, version);')
        out.append('}')
        out.append('absl::Status %s::Encode(Writer& writer, int16_t version) const {' % m.name)
        out.append('  return internal::EncodeMessage(*this, writer, version);')
        out.append('}')
        out.append('size_t %s::EncodedSize(int16_t version) const {' % m.name)
        out.append('  return internal::MessageSize(*this, version);')
        out.append('}')
        out.append('')
    out.append('}  // namespace eddy::kafka')
    return '\n'.join(out) + '\n'


def gen_roundtrip(api):
    out = [BANNER % api.stem,
           '#include "libs/kafka/internal/round_trip.h"',
           '#include "libs/kafka/messages/internal/%s_serde.h"' % api.stem, '',
           'namespace eddy::kafka::internal {', '',
           'void Register%sRoundTrips(std::vector<RoundTripCase>& cases) {' % api.name]
    for m in api.messages:
        out.append('  AddRoundTripCases<%s>(cases);' % m.name)
    out += ['}', '', '}  // namespace eddy::kafka::internal']
    return '\n'.join(out) + '\n'


def gen_registry(apis):
    out = ['// Generated by libs/kafka/codegen/generate.py. Do not edit.',
           '#include "libs/kafka/internal/round_trip.h"', '',
           'namespace eddy::kafka::internal {', '']
    for a in apis:
        out.append('void Register%sRoundTrips(std::vector<RoundTripCase>& cases);' % a.name)
    out += ['', 'std::vector<RoundTripCase> AllRoundTripCases() {',
            '  std::vector<RoundTripCase> cases;']
    for a in apis:
        out.append('  Register%sRoundTrips(cases);' % a.name)
    out += ['  return cases;', '}', '', '}  // namespace eddy::kafka::internal']
    return '\n'.join(out) + '\n'


def gen_api_table(apis):
    apis = [a for a in apis if a.key is not None]
    out = ['// Generated by libs/kafka/codegen/generate.py. Do not edit.',
           '#include "libs/kafka/api_table.h"', '', '#include <algorithm>', '']
    for a in apis:
        out.append('#include "libs/kafka/messages/%s.h"' % a.stem)
    out += ['', 'namespace eddy::kafka {', 'namespace {', '',
            'constexpr ApiInfo kApis[] = {']
    for a in apis:
        req, resp = a.messages
        out.append('    {%s::kApiKey, "%s", %s::kMinVersion, %s::kMaxVersion,' % (
            req.name, a.name, req.name, req.name))
        out.append('     %s::kFirstFlexibleVersion, %s::kFirstFlexibleVersion, %d, %d},' % (
            req.name, resp.name, a.rec_lo, a.rec_hi))
    out += ['};', '', '}  // namespace', '',
            'std::span<const ApiInfo> AllApis() { return kApis; }', '',
            'const ApiInfo* FindApi(int16_t api_key) {',
            '  for (const ApiInfo& a : kApis) {',
            '    if (a.api_key == api_key) return &a;',
            '  }',
            '  return nullptr;',
            '}', '',
            'absl::Status DecodeRequestBody(int16_t api_key, int16_t api_version, Reader& reader) {',
            '  switch (api_key) {']
    for a in apis:
        req = a.messages[0]
        out.append('    case %d: {' % a.key)
        out.append('      %s m;' % req.name)
        out.append('      return m.Decode(reader, api_version);')
        out.append('    }')
    out += ['  }', '  return Malformed("request", "unknown api key " + std::to_string(api_key));',
            '}', '',
            'template <typename M>',
            'absl::StatusOr<std::string> Reencode(int16_t version, std::span<const uint8_t> bytes) {',
            '  absl::StatusOr<M> m = DecodeFull<M>(bytes, version);',
            '  if (!m.ok()) return m.status();',
            '  return EncodeToString(*m, version);',
            '}', '',
            'absl::StatusOr<std::string> ReencodeMessage(int16_t api_key, int16_t api_version, bool response,',
            '                                            std::span<const uint8_t> bytes) {',
            '  switch (api_key) {']
    for a in apis:
        req, resp = a.messages
        out.append('    case %d:' % a.key)
        out.append('      return response ? Reencode<%s>(api_version, bytes)' % resp.name)
        out.append('                      : Reencode<%s>(api_version, bytes);' % req.name)
    out += ['  }', '  return Malformed("message", "unknown api key " + std::to_string(api_key));',
            '}', '', '}  // namespace eddy::kafka']
    return '\n'.join(out) + '\n'


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, 'w') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True, help='root of the generated tree')
    ap.add_argument('defs', nargs='+')
    args = ap.parse_args()
    try:
        apis = sorted((parse_def(p) for p in args.defs),
                      key=lambda a: (a.key is None, a.key or 0, a.stem))
    except DefError as e:
        print('generate.py: %s' % e, file=sys.stderr)
        return 1
    base = os.path.join(args.out, 'libs', 'kafka', 'messages')
    for a in apis:
        write_if_changed(os.path.join(base, a.stem + '.h'), gen_header(a))
        write_if_changed(os.path.join(base, 'internal', a.stem + '_serde.h'), gen_serde(a))
        write_if_changed(os.path.join(base, a.stem + '.cc'), gen_cc(a))
        write_if_changed(os.path.join(base, 'testing', a.stem + '_roundtrip.cc'), gen_roundtrip(a))
    write_if_changed(os.path.join(base, 'api_table.cc'), gen_api_table(apis))
    write_if_changed(os.path.join(base, 'testing', 'roundtrip_registry.cc'), gen_registry(apis))
    return 0


if __name__ == '__main__':
    sys.exit(main())

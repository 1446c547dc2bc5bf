#include "sim/sweep/spec_json.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace allocsim::sim {

namespace {

std::string type_name(const OrderedJson& v) { return v.type_name(); }

}  // namespace

void JsonAt::fail(const std::string& reason) const { throw SpecError(fmt::format("{}: {}: {}", file, path, reason)); }

JsonAt JsonAt::member(const std::string& key) const {
  // Keys that are not identifiers are quoted, as JSONPath does.
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return JsonAt{value.at(key), plain ? path + "." + key : path + "[\"" + key + "\"]", file};
}

JsonAt JsonAt::element(std::size_t index) const {
  return JsonAt{value.at(index), fmt::format("{}[{}]", path, index), file};
}

void JsonAt::require_object() const {
  if (!value.is_object()) fail("expected an object, found " + type_name(value));
}

void JsonAt::only_keys(std::initializer_list<std::string_view> allowed) const {
  require_object();
  for (const auto& item : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    std::string known;
    for (auto k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
    member(item.key()).fail("unknown key '" + item.key() + "' (allowed here: " + known + ")");
  }
}

std::string JsonAt::as_string() const {
  if (!value.is_string()) fail("expected a string, found " + type_name(value));
  return value.get<std::string>();
}

std::uint64_t JsonAt::as_uint(std::uint64_t min, std::uint64_t max) const {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
    fail("expected a non-negative integer, found " + value.dump());
  const auto v = value.get<std::uint64_t>();
  if (v < min || v > max) fail(fmt::format("{} is out of range {}..{}", v, min, max));
  return v;
}

std::vector<std::string> JsonAt::as_string_list() const {
  if (value.is_string()) return {value.get<std::string>()};
  require_nonempty_array("list");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) out.push_back(element(i).as_string());
  return out;
}

void JsonAt::require_nonempty_array(std::string_view what) const {
  if (!value.is_array()) fail("expected an array, found " + type_name(value));
  if (value.empty()) fail("empty " + std::string(what) + ": give at least one value");
}

OrderedJson parse_json_document(const std::string& text, const std::string& file) {
  try {
    return OrderedJson::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw json_syntax_error(text, file, e);
  }
}

SpecError json_syntax_error(const std::string& text, const std::string& file, const nlohmann::json::parse_error& e) {
  // e.byte is 1-based and points just past the offending character.
  const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') ++line, column = 1;
    else ++column;
  }
  std::string reason = e.what();
  if (const auto p = reason.find("syntax error"); p != std::string::npos) reason = reason.substr(p);
  return SpecError(fmt::format("{}:{}:{}: not valid JSON: {}", file, line, column, reason));
}

}  // namespace allocsim::sim

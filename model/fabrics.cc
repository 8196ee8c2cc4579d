#include "model/fabrics.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "collectives/core/error.h"
#include "hockney_reference_fabrics.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;

namespace {

std::vector<std::string> stringsOf(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key))
    for (const json& s : j.at(key)) out.push_back(s.get<std::string>());
  return out;
}

ReferenceFabric parse(const EmbeddedFabric& e) {
  const json m = json::parse(e.manifest);
  ReferenceFabric f;
  f.name = m.at("name").get<std::string>();
  f.title = m.at("title").get<std::string>();
  f.system = m.at("system").get<std::string>();
  f.gpu = m.at("gpu").get<std::string>();
  const json& src = m.at("source");
  f.sourceUrl = src.at("url").get<std::string>();
  f.sourceWhat = src.at("what").get<std::string>();
  f.sourceDate = src.at("date").get<std::string>();
  f.libraries = src.at("libraries").get<std::string>();
  f.notes = stringsOf(m, "notes");
  f.calibration = json::parse(e.calibration);
  f.levels = stringsOf(f.calibration, "levels");
  if (f.levels.empty() && f.calibration.at("level").is_string())
    f.levels.push_back(f.calibration.at("level").get<std::string>());
  return f;
}

}  // namespace

const std::vector<ReferenceFabric>& referenceFabrics() {
  // Parsed once; the build (cmake/EmbedFabrics.cmake) checked each fabric has its files, and the
  // unit tests parse every one, so a malformed manifest fails there, not in a user's command.
  static const std::vector<ReferenceFabric> all = [] {
    std::vector<ReferenceFabric> v;
    for (const EmbeddedFabric& e : kEmbeddedFabrics) v.push_back(parse(e));
    return v;
  }();
  return all;
}

const ReferenceFabric& referenceFabric(const std::string& name) {
  std::vector<std::string> names;
  for (const ReferenceFabric& f : referenceFabrics()) {
    if (f.name == name) return f;
    names.push_back(f.name);
  }
  throw UsageError(
      fmt::format("no reference fabric '{}' (there are: {}; `hockney fabrics` lists them)", name,
                  fmt::join(names, ", ")));
}

bool isReference(std::string_view spec) {
  return spec.substr(0, kReferencePrefix.size()) == kReferencePrefix;
}

json readCalibrationJson(const std::string& spec, std::string_view what) {
  if (isReference(spec)) return referenceFabric(spec.substr(kReferencePrefix.size())).calibration;
  return readJsonFile(spec, what);
}

}  // namespace hockney

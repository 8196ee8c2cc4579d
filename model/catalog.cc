#include "model/catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>

#include "collectives/core/error.h"
#include "hockney_model_catalog.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;

std::string lowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

template <typename T>
T field(const json& j, const char* key, const std::string& where) {
  HOCKNEY_USAGE_CHECK(j.contains(key), "{}: missing field '{}'", where, key);
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw UsageError(
        fmt::format("{}: field '{}' has the wrong type ({})", where, key, j.at(key).dump()));
  }
}

// A whole number in 0..INT_MAX: 96.5 layers or a d_model of 1e15 are errors, not truncated.
int wholeField(const json& j, const char* key, const std::string& where) {
  HOCKNEY_USAGE_CHECK(j.contains(key), "{}: missing field '{}'", where, key);
  const json& v = j.at(key);
  HOCKNEY_USAGE_CHECK(v.is_number(), "{}: field '{}' must be a number, not {}", where, key,
                      v.dump());
  const double d = v.get<double>();
  HOCKNEY_USAGE_CHECK(std::floor(d) == d, "{}: field '{}' must be a whole number, not {}", where,
                      key, v.dump());
  HOCKNEY_USAGE_CHECK(d >= 0 && d <= std::numeric_limits<int>::max(),
                      "{}: field '{}' = {} is out of range (0..{})", where, key, v.dump(),
                      std::numeric_limits<int>::max());
  return static_cast<int>(d);
}

int optionalInt(const json& j, const char* key, int fallback, const std::string& where) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  return wholeField(j, key, where);
}

}  // namespace

namespace {

ModelSpec modelFromCheckedJson(const json& j, const std::string& where0);

}  // namespace

ModelSpec modelFromJson(const json& j, const std::string& where0) {
  // A field of the wrong type (a string where a flag belongs, ...) names the model's place.
  return interpretJson(where0, [&] { return modelFromCheckedJson(j, where0); });
}

namespace {

ModelSpec modelFromCheckedJson(const json& j, const std::string& where0) {
  HOCKNEY_USAGE_CHECK(j.is_object(), "{}: a model must be a JSON object", where0);
  ModelSpec m;
  m.name = field<std::string>(j, "name", where0);
  const std::string where = fmt::format("{} (model '{}')", where0, m.name);
  m.aliases = j.value("aliases", std::vector<std::string>{});
  m.params = field<double>(j, "params", where);
  m.layers = wholeField(j, "layers", where);
  m.encoderLayers = optionalInt(j, "encoder_layers", 0, where);
  m.decoderLayers = optionalInt(j, "decoder_layers", m.layers - m.encoderLayers, where);
  m.dModel = wholeField(j, "d_model", where);
  m.heads = wholeField(j, "heads", where);
  m.ffn = wholeField(j, "ffn", where);
  m.seqLen = wholeField(j, "seq_len", where);
  m.vocab = wholeField(j, "vocab", where);
  m.attentionDim = optionalInt(j, "attention_dim", m.dModel, where);
  m.kvDim = optionalInt(j, "kv_dim", m.attentionDim, where);
  m.ffnMatrices = optionalInt(j, "ffn_matrices", 2, where);
  m.relativePosition = j.value("relative_position", false);
  m.tiedEmbeddings = j.value("tied_embeddings", true);
  m.experts = optionalInt(j, "experts", 0, where);
  m.topK = optionalInt(j, "top_k", 0, where);
  m.moeEvery = optionalInt(j, "moe_every", 0, where);
  m.source = j.value("source", "");
  m.trainingSetup = j.value("training_setup", json::object());
  m.uncertain = j.value("uncertain", std::vector<std::string>{});
  m.notes = j.value("notes", "");
  HOCKNEY_USAGE_CHECK(m.layers > 0 && m.dModel > 0 && m.heads > 0 && m.ffn > 0 && m.seqLen > 0 &&
                          m.vocab > 0 && m.params > 0 && std::isfinite(m.params),
                      "{}: layers, d_model, heads, ffn, seq_len, vocab and params must be positive",
                      where);
  HOCKNEY_USAGE_CHECK(m.encoderLayers + m.decoderLayers == m.layers,
                      "{}: encoder_layers + decoder_layers ({} + {}) != layers ({})", where,
                      m.encoderLayers, m.decoderLayers, m.layers);
  HOCKNEY_USAGE_CHECK(m.ffnMatrices == 2 || m.ffnMatrices == 3, "{}: ffn_matrices must be 2 or 3",
                      where);
  if (m.experts > 0) {
    HOCKNEY_USAGE_CHECK(m.topK >= 1 && m.topK <= m.experts, "{}: top_k must be 1..experts", where);
    HOCKNEY_USAGE_CHECK(m.moeEvery >= 1 && m.layers % m.moeEvery == 0,
                        "{}: moe_every must divide layers", where);
  }
  return m;
}

}  // namespace

json toJson(const ModelSpec& m) {
  auto orNull = [](int v) { return v > 0 ? json(v) : json(nullptr); };
  return json{{"name", m.name},
              {"aliases", m.aliases},
              {"params", m.params},
              {"layers", m.layers},
              {"encoder_layers", m.encoderLayers},
              {"decoder_layers", m.decoderLayers},
              {"d_model", m.dModel},
              {"heads", m.heads},
              {"ffn", m.ffn},
              {"seq_len", m.seqLen},
              {"vocab", m.vocab},
              {"attention_dim", m.attentionDim},
              {"kv_dim", m.kvDim},
              {"ffn_matrices", m.ffnMatrices},
              {"relative_position", m.relativePosition},
              {"tied_embeddings", m.tiedEmbeddings},
              {"experts", orNull(m.experts)},
              {"top_k", orNull(m.topK)},
              {"moe_every", orNull(m.moeEvery)},
              {"source", m.source},
              {"training_setup", m.trainingSetup},
              {"uncertain", m.uncertain},
              {"notes", m.notes}};
}

const std::vector<ModelSpec>& builtinModels() {
  static const std::vector<ModelSpec> models = [] {
    json catalog = json::parse(kModelCatalogJson);
    std::vector<ModelSpec> out;
    for (const auto& m : catalog.at("models")) out.push_back(modelFromJson(m, "built-in catalog"));
    return out;
  }();
  return models;
}

const ModelSpec& findModel(const std::string& name) {
  const std::string want = lowerAscii(name);
  for (const ModelSpec& m : builtinModels()) {
    if (lowerAscii(m.name) == want) return m;
    for (const auto& a : m.aliases)
      if (lowerAscii(a) == want) return m;
  }
  std::vector<std::string> names;
  for (const ModelSpec& m : builtinModels())
    names.push_back(m.aliases.empty() ? m.name : m.aliases[0]);
  throw UsageError(fmt::format("unknown model '{}' (built in: {}; or pass a model JSON file)", name,
                               fmt::join(names, ", ")));
}

std::vector<ModelSpec> readModelFile(const std::string& path) {
  const json j = readJsonFile(path, "model file");
  std::vector<ModelSpec> out;
  const json& list = j.is_object() && j.contains("models") ? j["models"] : j;
  if (list.is_array()) {
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(modelFromJson(list[i], fmt::format("{} entry {}", path, i)));
  } else {
    out.push_back(modelFromJson(list, path));
  }
  HOCKNEY_USAGE_CHECK(!out.empty(), "model file {} holds no model", path);
  return out;
}

ModelSpec loadModel(const std::string& nameOrFile) {
  std::error_code ec;
  const bool looksLikeFile = nameOrFile.size() > 5 && nameOrFile.ends_with(".json");
  if (!looksLikeFile && !std::filesystem::is_regular_file(nameOrFile, ec))
    return findModel(nameOrFile);
  std::vector<ModelSpec> models = readModelFile(nameOrFile);
  HOCKNEY_USAGE_CHECK(models.size() == 1, "model file {} holds {} models; pass one", nameOrFile,
                      models.size());
  return models[0];
}

std::optional<std::string> paramMismatch(const ModelSpec& m) {
  const double counted = countParams(m).total();
  const double ratio = counted / m.params;
  if (ratio > 1.0 / kParamTolerance && ratio < kParamTolerance) return std::nullopt;
  return fmt::format(
      "{}: the dims give {:.3g} parameters, {:.3g}x the documented {:.3g}: check the model's "
      "dims or its params",
      m.name, counted, ratio, m.params);
}

ParamCount countParams(const ModelSpec& m) {
  const double h = m.dModel, a = m.attentionDim, kv = m.kvDim;
  const double attention = 2 * h * a + 2 * h * kv;
  const double denseFfn = m.ffnMatrices * h * m.ffn;
  const double relative = m.relativePosition ? h * h : 0;
  ParamCount c;
  const int moeLayers = m.moeLayers();
  const int denseFfnLayers = m.layers - moeLayers;
  c.dense = m.layers * (attention + relative) +
            m.decoderLayers * (m.encoderLayers > 0 ? attention : 0) + denseFfnLayers * denseFfn +
            (m.tiedEmbeddings ? 1 : 2) * static_cast<double>(m.vocab) * h;
  c.experts = static_cast<double>(moeLayers) * m.experts * 2 * h * m.ffn;
  return c;
}

}  // namespace hockney

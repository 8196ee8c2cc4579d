#pragma once
// The model catalog: documented dimensions of large models (model/catalog.json, built
// into the binary), users' own model files in the same schema, and the parameter counts the
// dimensions imply (a check on the data, and Ψ for the projection's gradient traffic).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hockney {

struct ModelSpec {
  std::string name;
  std::vector<std::string> aliases;
  double params = 0;  // documented total
  int layers = 0;     // all transformer layers (encoder + decoder)
  int encoderLayers = 0;
  int decoderLayers = 0;
  int dModel = 0;
  int heads = 0;
  int ffn = 0;
  int seqLen = 0;
  int vocab = 0;
  int attentionDim = 0;  // heads x head dim
  int kvDim = 0;         // key/value width (smaller with multi-query attention)
  int ffnMatrices = 2;   // 3 for gated FFNs
  bool relativePosition = false;
  bool tiedEmbeddings = true;
  int experts = 0;  // 0: dense
  int topK = 0;
  int moeEvery = 0;
  std::string source;
  nlohmann::json trainingSetup;
  std::vector<std::string> uncertain;
  std::string notes;

  bool moe() const { return experts > 0; }
  int moeLayers() const { return moe() ? layers / moeEvery : 0; }
};

// Names and aliases (models, GPUs) compare ignoring ASCII case.
std::string lowerAscii(std::string s);

const std::vector<ModelSpec>& builtinModels();
// By name or alias, ignoring case; throws UsageError listing the catalog.
const ModelSpec& findModel(const std::string& name);
// A JSON file with one model object, a list, or {"models": [...]}; throws UsageError naming
// the file and the field for malformed input.
std::vector<ModelSpec> readModelFile(const std::string& path);
ModelSpec modelFromJson(const nlohmann::json& j, const std::string& where);
// A catalog name or alias, or a JSON file holding exactly one model.
ModelSpec loadModel(const std::string& nameOrFile);
nlohmann::json toJson(const ModelSpec& m);

struct ParamCount {
  double dense = 0;    // attention, non-expert FFNs, embeddings
  double experts = 0;  // all experts of all MoE layers
  double total() const { return dense + experts; }
};
// Per layer: attention 2·h·a + 2·h·kv (q, o and k, v projections; decoder layers of an
// encoder-decoder model add cross-attention), FFN ffn_matrices·h·ffn, relative-position
// projection h² where used; embeddings V·h (twice if untied). Experts: 2·h·ffn each. Biases and
// norms are ignored (< 0.1%).
ParamCount countParams(const ModelSpec& m);

// The catalog's own models count within 5% of their documented totals; a model whose dims give
// more than kParamTolerance times (or less than its inverse) the documented count has a typo.
inline constexpr double kParamTolerance = 1.25;
// A warning naming both counts when they disagree beyond kParamTolerance, or nullopt.
std::optional<std::string> paramMismatch(const ModelSpec& m);

}  // namespace hockney

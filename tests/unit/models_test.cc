#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "collectives/core/error.h"
#include "model/catalog.h"

namespace hockney {
namespace {

TEST(Models, CatalogHoldsEveryModelTheProjectNames) {
  for (const char* name :
       {"GPT-3 175B", "Megatron-LM 8.3B", "BERT-Large", "T5-11B", "Gopher 280B", "Chinchilla 70B",
        "MT-NLG 530B", "PaLM 540B", "OPT-175B", "BLOOM-176B", "LLaMA-65B", "GPT-NeoX-20B",
        "GShard MoE 600B", "Switch-C 1.6T", "GLaM 64B/64E", "Megatron-LM 1T"})
    EXPECT_NO_THROW(findModel(name)) << name;
  EXPECT_EQ(findModel("gpt3-175b").name, "GPT-3 175B");
  EXPECT_EQ(findModel("SWITCH-C").experts, 2048);
  EXPECT_THROW(findModel("gpt-5"), UsageError);
}

TEST(Models, DenseParameterCountsFromDimsMatchTheDocumentedOnesWithin3Percent) {
  for (const ModelSpec& m : builtinModels()) {
    if (m.moe()) continue;
    const double counted = countParams(m).total();
    EXPECT_NEAR(counted / m.params, 1.0, 0.03)
        << m.name << ": " << counted / 1e9 << "B from dims vs " << m.params / 1e9 << "B documented";
  }
  // The reference's worked figures.
  EXPECT_NEAR(countParams(findModel("GPT-3 175B")).total() / 1e9, 174.6, 0.1);
  EXPECT_NEAR(countParams(findModel("LLaMA-65B")).total() / 1e9, 65.3, 0.1);
  EXPECT_NEAR(countParams(findModel("PaLM 540B")).total() / 1e9, 540.3, 0.2);
  EXPECT_NEAR(countParams(findModel("Gopher 280B")).total() / 1e9, 279.7, 0.2);
  EXPECT_NEAR(countParams(findModel("T5-11B")).total() / 1e9, 11.3, 0.05);
}

TEST(Models, MoEParameterCountsFromDimsMatchWithin5Percent) {
  // Looser: the MoE dims are partly [recalled] (GShard's are marked UNCERTAIN).
  for (const ModelSpec& m : builtinModels()) {
    if (!m.moe()) continue;
    EXPECT_NEAR(countParams(m).total() / m.params, 1.0, 0.05) << m.name;
  }
  EXPECT_NEAR(countParams(findModel("Switch-C 1.6T")).experts / 1e12, 1.571, 0.001);
}

TEST(Models, UncertaintyMarksAreCarried) {
  const ModelSpec& gshard = findModel("gshard");
  EXPECT_NE(std::find(gshard.uncertain.begin(), gshard.uncertain.end(), "d_model"),
            gshard.uncertain.end());
  EXPECT_FALSE(findModel("Switch-C 1.6T").uncertain.empty());
}

TEST(Models, UserModelFilesAreCheckedField_by_field) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("hockney-models-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  nlohmann::json mine = toJson(findModel("gpt3-175b"));
  mine["name"] = "my-model";
  { std::ofstream(dir / "ok.json") << mine.dump(); }
  EXPECT_EQ(readModelFile((dir / "ok.json").string()).at(0).name, "my-model");
  mine.erase("d_model");
  { std::ofstream(dir / "missing.json") << mine.dump(); }
  try {
    readModelFile((dir / "missing.json").string());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("missing field 'd_model'"), std::string::npos) << e.what();
  }
  { std::ofstream(dir / "broken.json") << "{\"name\": "; }
  EXPECT_THROW(readModelFile((dir / "broken.json").string()), UsageError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hockney

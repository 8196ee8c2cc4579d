#include "microbench/cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <deque>

#include "collectives/core/error.h"

namespace hockney {

std::span<const PatternHarness* const> builtinHarnesses();  // cases/builtin.cc

namespace {

std::deque<const PatternHarness*>& registered() {
  static std::deque<const PatternHarness*> extra;
  return extra;
}

// What every case of a pattern shares before its algorithm is set: sizes rounded down to the
// pattern's unit, algbw over the reported bytes, no state.
BenchCase baseCase(const Pattern& entry) {
  BenchCase c;
  c.pattern = std::string(entry.name);
  c.entry = &entry;
  c.effectiveBytes = [&entry](size_t requested, int p, DataType type, const PatternOptions&) {
    const size_t unit = entry.unitBytes(p, type);
    return requested / unit * unit;
  };
  c.algbwBytes = [](const CaseShape& s, const void*) { return s.bytes; };
  return c;
}

}  // namespace

void registerHarness(const PatternHarness& harness) {
  findPattern(harness.pattern);  // a registry pattern: throws naming the known ones
  for (const PatternHarness* h : builtinHarnesses())
    HOCKNEY_CHECK(h->pattern != harness.pattern, "pattern '{}' has a harness already",
                  harness.pattern);
  for (const PatternHarness* h : registered())
    HOCKNEY_CHECK(h->pattern != harness.pattern, "pattern '{}' has a harness already",
                  harness.pattern);
  registered().push_back(&harness);
}

const PatternHarness& harnessFor(std::string_view pattern) {
  const Pattern& entry = findPattern(pattern);  // throws, naming the known patterns
  for (const PatternHarness* h : builtinHarnesses())
    if (h->pattern == entry.name) return *h;
  for (const PatternHarness* h : registered())
    if (h->pattern == entry.name) return *h;
  HOCKNEY_THROW("pattern '{}' is in the registry but the harness has no cases for it", pattern);
}

size_t BenchCase::inputBytes(const CaseShape& s, const void*, int rank) const {
  return entry->inputBytes(s, rank);
}

size_t BenchCase::outputBytes(const CaseShape& s, const void*, int rank) const {
  return entry->outputBytes(s, rank);
}

size_t BenchCase::scratchBytes(const CaseShape& s, const void*, int rank) const {
  return own ? own->scratch(s, rank) : 0;
}

double BenchCase::busFactor(int p) const {
  return entry->facts.busFactor(p);
}

std::optional<Cost> BenchCase::cost(const CaseShape& s, const void*) const {
  if (!own) return std::nullopt;
  return own->cost(s);
}

void BenchCase::run(Transport& t, const CaseShape& s, const CaseBuffers& b) const {
  if (own)
    own->run(t, s, CallBuffers{b.input, b.output, b.scratch, b.phases});
  else
    vendorRun(t, s, b);
}

double BenchCase::timeScale() const {
  return own ? own->timeScale : 1.0;
}

std::span<const std::string_view> BenchCase::phases() const {
  return entry->phases;
}

std::optional<std::string> BenchCase::unavailable(const PatternOptions& o, int p,
                                                  const std::vector<int>* nodeOfRank) const {
  if (!own || !own->unavailable) return std::nullopt;
  CallShape probe;
  probe.ranks = p;
  probe.params = &o;
  if (nodeOfRank != nullptr && static_cast<int>(nodeOfRank->size()) == p)
    probe.nodeOfRank = nodeOfRank;
  if (const PatternHarness& h = harnessFor(pattern); h.probe) h.probe(probe, o);
  return own->unavailable(probe);
}

std::vector<BenchCase> casesFor(std::string_view pattern, std::string_view backendName) {
  const PatternHarness& h = harnessFor(pattern);
  const Pattern& entry = findPattern(pattern);
  const Backend& backend = findBackend(backendName);
  const BenchCase base = baseCase(entry);
  std::vector<BenchCase> cases;
  for (const Algorithm& a : entry.algorithms) {
    BenchCase c = base;
    c.own = &a;
    c.algorithm = std::string(a.name);
    c.summary = std::string(a.summary);
    h.describe(c);
    cases.push_back(std::move(c));
  }
  if (const VendorCall* v = entry.vendor(backend.name)) {
    BenchCase c = base;
    c.algorithm = "vendor";
    c.summary = std::string(v->summary);
    c.vendorRun = backend.bind(v->call);
    c.vendorCall = v->call;
    HOCKNEY_CHECK(c.vendorRun != nullptr, "the {} backend cannot make the call {} ({}/vendor)",
                  backend.name, v->call, pattern);
    h.describe(c);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<BenchCase> runnableCases(std::vector<BenchCase> cases, const PatternOptions& o, int p,
                                     const std::vector<int>* nodeOfRank, bool refuse,
                                     std::vector<std::string>& notes) {
  if (nodeOfRank != nullptr && static_cast<int>(nodeOfRank->size()) != p) nodeOfRank = nullptr;
  std::vector<BenchCase> runnable;
  for (BenchCase& c : cases) {
    const std::optional<std::string> why = c.unavailable(o, p, nodeOfRank);
    if (!why)
      runnable.push_back(std::move(c));
    else if (refuse)
      throw UsageError(fmt::format("{}/{} cannot run here: {}", c.pattern, c.algorithm, *why));
    else
      notes.push_back(fmt::format("skipped {}/{}: {}", c.pattern, c.algorithm, *why));
  }
  return runnable;
}

void checkPatternOptions(std::string_view pattern, const PatternOptions& o, int p) {
  findPattern(pattern).check(o, p);
  if (const PatternHarness& h = harnessFor(pattern); h.checkOptions) h.checkOptions(o, p);
}

namespace {

// The cases of "vendor:NAME" (or "vendor:all": the library's choice and every variant).
std::vector<BenchCase> variantCases(const std::vector<BenchCase>& all, std::string_view pattern,
                                    const std::string& name, std::string_view backendName) {
  auto vendor = std::find_if(all.begin(), all.end(), [](const BenchCase& c) { return c.vendor(); });
  HOCKNEY_USAGE_CHECK(vendor != all.end(),
                      "{}/vendor:{}: the {} backend's library has no collective for {}", pattern,
                      name, backendName, pattern);
  HOCKNEY_USAGE_CHECK(!name.empty(), "{}/vendor: name a variant after 'vendor:' (or vendor:all)",
                      pattern);
  const Backend& backend = findBackend(backendName);
  HOCKNEY_USAGE_CHECK(backend.variants != nullptr,
                      "{}/vendor:{}: the {} backend offers no variants of {}", pattern, name,
                      backendName, vendor->vendorCall);
  const VendorVariants offered = backend.variants(vendor->vendorCall, 0);
  HOCKNEY_USAGE_CHECK(!offered.variants.empty(), "{}/vendor:{}: {}", pattern, name, offered.why);
  std::vector<BenchCase> out;
  auto add = [&](const VendorVariant& v) {
    BenchCase c = *vendor;
    c.algorithm = fmt::format("{}{}", kVariantPrefix, v.name);
    c.summary = fmt::format("{} with {}'s {} forced ({})", vendor->vendorCall, offered.library,
                            v.name, v.control);
    c.variant = v;
    out.push_back(std::move(c));
  };
  if (name == "all") {
    out.push_back(*vendor);
    for (const VendorVariant& v : offered.variants) add(v);
    return out;
  }
  for (const VendorVariant& v : offered.variants)
    if (v.name == name) {
      add(v);
      return out;
    }
  std::vector<std::string> names;
  for (const VendorVariant& v : offered.variants) names.push_back(v.name);
  throw UsageError(fmt::format("{}/vendor:{}: {} offers no such algorithm of {} (it offers: {})",
                               pattern, name, offered.library, vendor->vendorCall,
                               fmt::join(names, ", ")));
}

}  // namespace

std::vector<BenchCase> selectCases(std::string_view pattern, const std::vector<std::string>& names,
                                   std::string_view backend) {
  std::vector<BenchCase> all = casesFor(pattern, backend);
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return all;
  std::vector<BenchCase> chosen;
  auto add = [&](BenchCase c) {
    if (std::none_of(chosen.begin(), chosen.end(),
                     [&](const BenchCase& x) { return x.algorithm == c.algorithm; }))
      chosen.push_back(std::move(c));
  };
  for (const std::string& n : names) {
    if (const std::optional<std::string> variant = variantName(n)) {
      for (BenchCase& c : variantCases(all, pattern, *variant, backend)) add(std::move(c));
      continue;
    }
    auto it =
        std::find_if(all.begin(), all.end(), [&](const BenchCase& c) { return c.algorithm == n; });
    if (it == all.end()) {
      HOCKNEY_USAGE_CHECK(n != "vendor" || findPattern(pattern).facts.vendors.empty(),
                          "{}/vendor: the {} backend's library has no collective for {}", pattern,
                          backend, pattern);
      std::vector<std::string> known;
      for (const auto& c : all) known.push_back(c.algorithm);
      throw UsageError(
          fmt::format("unknown {} algorithm '{}' (available: {}, or all; "
                      "vendor:NAME forces one of the library's own)",
                      pattern, n, fmt::join(known, ", ")));
    }
    add(*it);
  }
  return chosen;
}

std::vector<std::string_view> patternFlags(std::string_view pattern) {
  const Pattern& entry = findPattern(pattern);
  std::vector<std::string_view> flags(entry.facts.options.begin(), entry.facts.options.end());
  const std::span<const std::string_view> own = harnessFor(pattern).options;
  flags.insert(flags.end(), own.begin(), own.end());
  return flags;
}

std::string describePatterns(bool variants) {
  std::string out;
  for (const Pattern& pattern : patterns()) {
    out += fmt::format("{}  ({})\n", pattern.name, pattern.summary);
    for (const Algorithm& a : pattern.algorithms)
      out += fmt::format("  {:<20} {}\n", a.name, a.summary);
    // Vendor collectives are the libraries' calls, not algorithms of ours: one per backend.
    for (const VendorCall& v : pattern.facts.vendors) {
      out += fmt::format("  {:<20} {} (--backend {})\n", "vendor", v.summary, v.backend);
      const Backend* backend = nullptr;
      for (const Backend* b : backends())
        if (b->name == v.backend) backend = b;
      if (!variants || backend == nullptr || backend->variants == nullptr ||
          (backend->absence && !backend->absence().empty()))
        continue;
      const VendorVariants offered = backend->variants(v.call, 0);
      for (const VendorVariant& x : offered.variants)
        out += fmt::format("    {:<26} {} ({})\n", fmt::format("{}{}", kVariantPrefix, x.name),
                           offered.library, x.control);
      if (offered.variants.empty())
        out += fmt::format("    (no vendor:NAME variants: {})\n", offered.why);
    }
  }
  return out;
}

}  // namespace hockney

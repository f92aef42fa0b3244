#include "adflag/builtin_pack.h"

#include "embedded_pack.h"

namespace adflag {

const std::vector<RuleFile>& BuiltinPackFiles() {
  static const std::vector<RuleFile>* files = [] {
    auto* list = new std::vector<RuleFile>;
    for (const EmbeddedFile* file = kEmbeddedPack; file->path != nullptr;
         ++file) {
      const char* bytes = reinterpret_cast<const char*>(file->data);
      list->push_back({file->path, std::string(bytes, file->size)});
    }
    return list;
  }();
  return *files;
}

bool LoadBuiltinPack(RulePack* pack, std::vector<Diagnostic>* diagnostics) {
  std::vector<RuleFile> files;
  for (const RuleFile& file : BuiltinPackFiles()) {
    if (file.path.rfind("tests/", 0) == 0) continue;
    files.push_back({"rules/" + file.path, file.text});
  }
  bool ok = ParseRulePack(files, pack, diagnostics);
  pack->origin = kBuiltinPackOrigin;
  return ok;
}

bool LoadPackOrBuiltin(const std::string& path, RulePack* pack,
                       std::vector<Diagnostic>* diagnostics) {
  if (path.empty()) return LoadBuiltinPack(pack, diagnostics);
  return LoadRulePack(path, pack, diagnostics);
}

}  // namespace adflag

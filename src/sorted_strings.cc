#include "sorted_strings.h"

#include <algorithm>
#include <iterator>

namespace adflag {

void AddToSorted(std::string_view value, std::vector<std::string>* set,
                 size_t limit) {
  auto at = std::lower_bound(set->begin(), set->end(), value);
  if (at != set->end() && *at == value) return;
  if (set->size() >= limit && at == set->end()) return;

  set->emplace(at, value);
  if (set->size() > limit) set->pop_back();
}

void MergeSorted(const std::vector<std::string>& from,
                 std::vector<std::string>* into, size_t limit) {
  std::vector<std::string> merged;
  merged.reserve(into->size() + from.size());
  std::set_union(into->begin(), into->end(), from.begin(), from.end(),
                 std::back_inserter(merged));
  if (merged.size() > limit) merged.resize(limit);
  into->swap(merged);
}

}  // namespace adflag

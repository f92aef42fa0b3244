// Small sets of strings kept as sorted vectors, optionally only their
// `limit` smallest members: the sample listing ids, cities and regions of
// the link index, which shards merge exactly whatever their order.

#ifndef ADFLAG_SORTED_STRINGS_H_
#define ADFLAG_SORTED_STRINGS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {

// Adds `value` to *set, which is sorted and without repeats, unless it is
// there already; keeps only the `limit` smallest members. Allocates only
// when the value gets in.
void AddToSorted(std::string_view value, std::vector<std::string>* set,
                 size_t limit = SIZE_MAX);

// Adds every member of `from` to *into; both are sorted and without
// repeats. Keeps only the `limit` smallest members.
void MergeSorted(const std::vector<std::string>& from,
                 std::vector<std::string>* into, size_t limit = SIZE_MAX);

}  // namespace adflag

#endif  // ADFLAG_SORTED_STRINGS_H_

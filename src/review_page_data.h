// The review page as the build embedded it (cmake/embed_page.cmake): the
// page of src/report/ with its style and script inlined, in two parts,
// before and after the element that holds the night's data.

#ifndef ADFLAG_REVIEW_PAGE_DATA_H_
#define ADFLAG_REVIEW_PAGE_DATA_H_

#include <string_view>

namespace adflag {

// The page up to the inside of its data element.
std::string_view ReviewPageHead();

// The page from the end of its data element on.
std::string_view ReviewPageTail();

}  // namespace adflag

#endif  // ADFLAG_REVIEW_PAGE_DATA_H_

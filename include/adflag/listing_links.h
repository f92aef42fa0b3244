// What linking reads from each parsed listing: its entities (phones,
// emails, URLs, handles), its text template signature and where and when
// it was posted; and the first pass of a linked run, which reads every
// input once to build the LinkIndex that the second pass scores with.
//
// The fields linking reads are added to the listing parser's fields after
// those the matcher reads, so the matcher's field indexes stay as they are.
//
// Usage:
//   std::vector<std::string> fields = compiled.fields();
//   LinkFields link_fields = AddLinkFields(pack.settings, &fields);
//   ListingLinker linker(link_fields, entity_options);   // one per thread
//   linker.Read(listing, id);
//   index.Add(linker.posting(), linker.entities(), linker.signature());

#ifndef ADFLAG_LISTING_LINKS_H_
#define ADFLAG_LISTING_LINKS_H_

#include <string>
#include <vector>

#include "adflag/entities.h"
#include "adflag/links.h"
#include "adflag/listing_parser.h"
#include "adflag/normalizer.h"
#include "adflag/rule_pack.h"
#include "adflag/templates.h"

namespace adflag {

// Where linking finds what it reads among the parser's fields, as indexes
// into Listing::values; -1 when not read.
struct LinkFields {
  std::vector<int> entity_fields;
  std::vector<int> text_fields;
  int city = -1;
  int region = -1;
  int time = -1;
};

// Appends to *fields the fields linking reads that are not among them
// yet (the pack's entity, text, city, region and time fields) and returns
// where each is.
LinkFields AddLinkFields(const PackSettings& settings,
                         std::vector<std::string>* fields);

// Returns true when a rule of `pack` that runs has `links` conditions.
bool PackUsesLinks(const RulePack& pack);

// Returns true when a rule of `pack` with `links` conditions counts toward
// the score (it is neither experimental nor deprecated), so that linking
// can change whether a listing is flagged.
bool PackScoresLinks(const RulePack& pack);

// Reads what linking needs from one listing at a time. Keeps the results
// of the last listing read. One per thread.
class ListingLinker {
 public:
  ListingLinker(LinkFields fields, EntityOptions options);

  // Reads the entities of `listing`, and with `with_signature` its
  // template signature and posting, under the id `id`.
  void Read(const Listing& listing, const std::string& id, bool with_signature);

  const std::vector<Entity>& entities() const { return entities_; }
  const TemplateSignature& signature() const { return signature_; }
  const Posting& posting() const { return posting_; }

 private:
  std::string FirstValue(const Listing& listing, int field) const;

  LinkFields fields_;
  EntityExtractor extractor_;
  Normalizer normalizer_;
  NormalizedText folded_;
  std::string joined_;
  std::vector<Entity> entities_;
  TemplateSignature signature_;
  Posting posting_;
};

// Appends the `entities` object of an output record: the distinct phones,
// emails, URLs and handles in order of appearance, and the phones written
// to evade under "obscured".
void AppendEntitiesJson(const std::vector<Entity>& entities, std::string* out);

}  // namespace adflag

#endif  // ADFLAG_LISTING_LINKS_H_
